package club.makapix.vts.config;

import club.makapix.vts.protocol.Topics;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every setting of the server, read once at start and validated (contract §3). Nothing else reads
 * the environment; components get the parts they need passed in.
 */
public record Settings(
        Listeners listen,
        Mqtt mqtt,
        Storage storage,
        Ingest ingest,
        Web web,
        Watching watching,
        MetricsEndpoint metrics,
        Rollup rollup,
        Duration statsCacheTtl,
        String adminToken,
        LogFormat logFormat) {

    /** How log lines are written: text for people, or one JSON object per line for a log shipper. */
    public enum LogFormat {
        TEXT, JSON;

        /** Its name in {@code VTS_LOG_FORMAT} and in the logging configuration's appender names. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where the server listens: one address, the HTTP port, the MQTT port and the MQTT-over-TLS port. */
    public record Listeners(String bindAddress, int httpPort, int mqttPort, int mqttsPort) {}

    /** The broker: the players' topic prefix, TLS (null: none), the service account (null: none), limits. */
    public record Mqtt(String topicPrefix, MqttTls tls, MqttServiceAccount service, MqttLimits limits,
                       Duration pubackTimeout) {}

    /**
     * TLS for the MQTT listener on {@code mqttsPort}; present only when a key store is configured.
     * {@code revocationList} (a PEM CRL of the players' CA) may be null.
     */
    public record MqttTls(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
                          Path revocationList) {}

    /** The site's backend on the broker (contract §1): one username and password; null when unset. */
    public record MqttServiceAccount(String user, String password) {}

    /**
     * Broker limits, set deliberately rather than left at HiveMQ's defaults. {@code relayPerSecond}:
     * how many relayed messages (everything but views) one player may publish per second, on average.
     */
    public record MqttLimits(int maxConnections, int receiveMaximum, int maxPacketBytes, int maxKeepAliveSeconds,
                             int relayPerSecond) {}

    /**
     * Where data is kept: the server's folder, the database (no URL: the embedded one in the folder;
     * {@code dbWait}: how long the start waits for an external one to answer), Redis (null: state in process), how the writer batches, how many daily partitions are made ahead,
     * and how slowly players' secrets are hashed.
     */
    public record Storage(Path dataDir, String dbUrl, String dbUser, String dbPassword, Duration dbWait, URI redisUrl,
                          WriteBatching writeBatching, int partitionsAheadDays, int passwordHashIterations) {
        public boolean embeddedDatabase() {
            return dbUrl == null;
        }
    }

    /** How the writer groups events into one transaction. */
    public record WriteBatching(int maxBatch, Duration linger, int queueCapacity, int writers) {}

    /**
     * The pipeline's own limits and keys: one event per player per {@code playerRateLimit}, resends
     * remembered for {@code dedupeWindow}, the address-hash key (null: made once and kept) and whether
     * it changes daily, and the GeoIP database (null: countries unknown).
     */
    public record Ingest(Duration playerRateLimit, Duration dedupeWindow, String ipHashKey, boolean dailyIpHashKey,
                         Path geoipDatabase) {}

    /**
     * The HTTP door: viewer tokens (HS256 secret; null = no viewer tokens) and the roles that make a
     * token's bearer an admin (its {@code role}, or any entry of its {@code roles}), proxies whose
     * X-Forwarded-For is believed, origins allowed by CORS ("*" = any), the web impression rate limit,
     * the tracker's dwell time before a view, and whether the benchmark's reference route
     * ({@code /bench/hello}, off by default) is served.
     */
    public record Web(String jwtSecret, Set<String> jwtAdminRoles, List<AddressRange> trustedProxies,
                      List<String> corsOrigins, Duration impressionRateLimit, Duration viewDwell, boolean benchEndpoints) {}

    /**
     * Watching (contract §5): a signed-in viewer's post is completed once its progress reaches
     * {@code completeAtPercent}; at most {@code recentlyViewedMax} posts are kept in each viewer's history;
     * one watch report per viewer and post per {@code reportInterval} (the contract's 5 s).
     */
    public record Watching(int completeAtPercent, int recentlyViewedMax, Duration reportInterval) {}

    /**
     * Where {@code /metrics} is served: on its own {@code port} (null: on the HTTP port, with the rest),
     * and whether it takes {@code Authorization: Bearer <token>} (null: open, as Prometheus expects).
     */
    public record MetricsEndpoint(Integer port, String token) {}

    /** When the nightly rollup runs ({@code at}, UTC; null = only on demand), and how long raw events are kept once rolled up. */
    public record Rollup(LocalTime at, int retentionDays) {}

    /** Reads and validates; the first bad setting throws with one line naming it. */
    public static Settings from(Map<String, String> values) {
        Reader r = new Reader(values);
        Path dataDir = Path.of(r.text("VTS_DATA_DIR", "./data")).toAbsolutePath().normalize();
        String dbUrl = r.text("VTS_DB_URL", null);
        if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql://")) {
            throw new InvalidSettingException("VTS_DB_URL", "'" + dbUrl + "' is not a jdbc:postgresql://host:port/database URL");
        }
        Settings s = new Settings(
                new Listeners(
                        r.address("VTS_BIND_ADDRESS", "0.0.0.0"),
                        r.port("VTS_HTTP_PORT", 8080),
                        r.port("VTS_MQTT_PORT", 1883),
                        r.port("VTS_MQTTS_PORT", 8883)),
                new Mqtt(
                        r.topicPrefix("VTS_MQTT_TOPIC_PREFIX", Topics.DEFAULT_PREFIX),
                        mqttTls(r),
                        serviceAccount(r),
                        new MqttLimits(
                                r.integer("VTS_MQTT_MAX_CONNECTIONS", 20_000, 1, 1_000_000),
                                r.integer("VTS_MQTT_RECEIVE_MAXIMUM", 32, 1, 65_535),
                                r.integer("VTS_MQTT_MAX_PACKET_BYTES", 16_384, 1_024, 268_435_455),
                                r.integer("VTS_MQTT_MAX_KEEPALIVE_S", 300, 10, 65_535),
                                r.integer("VTS_MQTT_PLAYER_RELAY_PER_S", 10, 1, 10_000)),
                        Duration.ofMillis(r.integer("VTS_PUBACK_TIMEOUT_MS", 30_000, 1_000, 600_000))),
                new Storage(
                        dataDir,
                        dbUrl,
                        r.text("VTS_DB_USER", null),
                        r.text("VTS_DB_PASSWORD", null),
                        Duration.ofSeconds(r.integer("VTS_DB_WAIT_S", 30, 0, 3600)),
                        r.uri("VTS_REDIS_URL", "redis", "rediss"),
                        new WriteBatching(
                                r.integer("VTS_WRITE_BATCH_MAX", 1000, 1, 50_000),
                                Duration.ofMillis(r.integer("VTS_WRITE_LINGER_MS", 2, 0, 1000)),
                                r.integer("VTS_WRITE_QUEUE_MAX", 200_000, 1, 10_000_000),
                                r.integer("VTS_WRITERS", 2, 1, 64)),
                        r.integer("VTS_PARTITIONS_AHEAD_DAYS", 7, 1, 366),
                        r.integer("VTS_PASSWORD_HASH_ITERATIONS", 120_000, 1_000, 10_000_000)),
                new Ingest(
                        Duration.ofMillis(r.integer("VTS_PLAYER_RATE_LIMIT_MS", 5000, 0, 86_400_000)),
                        Duration.ofSeconds(r.integer("VTS_DEDUPE_WINDOW_S", 900, 1, 7 * 86_400)),
                        r.text("VTS_IP_HASH_KEY", null),
                        r.bool("VTS_IP_HASH_DAILY_KEY", false),
                        r.text("VTS_GEOIP_DB", null) == null ? null : r.readableFile("VTS_GEOIP_DB", r.text("VTS_GEOIP_DB", null))),
                new Web(
                        r.text("VTS_JWT_SECRET", null),
                        Set.copyOf(r.entries("VTS_JWT_ADMIN_ROLES", "admin")),
                        r.list("VTS_TRUSTED_PROXIES").stream().map(p -> r.range("VTS_TRUSTED_PROXIES", p)).toList(),
                        r.list("VTS_CORS_ORIGINS"),
                        Duration.ofMillis(r.integer("VTS_WEB_IMPRESSION_RATE_LIMIT_MS", 3000, 0, 86_400_000)),
                        Duration.ofMillis(r.integer("VTS_VIEW_DWELL_MS", 2000, 0, 600_000)),
                        r.bool("VTS_BENCH_ENDPOINTS", false)),
                new Watching(
                        r.integer("VTS_COMPLETE_AT_PERCENT", 80, 1, 100),
                        r.integer("VTS_RECENTLY_VIEWED_MAX", 50, 1, 10_000),
                        Duration.ofMillis(r.integer("VTS_WATCH_REPORT_LIMIT_MS", 5000, 0, 86_400_000))),
                new MetricsEndpoint(
                        r.text("VTS_METRICS_PORT", null) == null ? null : r.port("VTS_METRICS_PORT", 0),
                        r.text("VTS_METRICS_TOKEN", null)),
                new Rollup(
                        r.timeOfDay("VTS_ROLLUP_AT", LocalTime.of(0, 10)),
                        r.integer("VTS_RAW_RETENTION_DAYS", 7, 1, 3650)),
                Duration.ofSeconds(r.integer("VTS_STATS_CACHE_S", 15, 0, 3600)),
                r.text("VTS_ADMIN_TOKEN", null),
                logFormat(r));
        if (s.adminToken != null && s.adminToken.length() < 16) {
            throw new InvalidSettingException("VTS_ADMIN_TOKEN", "must be at least 16 characters");
        }
        if (s.metrics.token() != null && s.metrics.token().length() < 16) {
            throw new InvalidSettingException("VTS_METRICS_TOKEN", "must be at least 16 characters");
        }
        if (s.ingest.ipHashKey() != null && s.ingest.ipHashKey().length() < 16) {
            throw new InvalidSettingException("VTS_IP_HASH_KEY", "must be at least 16 characters");
        }
        if (s.web.jwtSecret() != null && s.web.jwtSecret().length() < 32) {
            throw new InvalidSettingException("VTS_JWT_SECRET", "must be at least 32 characters (HS256 needs a 256-bit key)");
        }
        if (s.mqtt.tls() == null && values.containsKey("VTS_MQTT_TLS_TRUSTSTORE")) {
            throw new InvalidSettingException("VTS_MQTT_TLS_TRUSTSTORE", "needs VTS_MQTT_TLS_KEYSTORE too");
        }
        if (s.mqtt.tls() == null && values.containsKey("VTS_MQTT_TLS_CRL")) {
            throw new InvalidSettingException("VTS_MQTT_TLS_CRL", "needs VTS_MQTT_TLS_KEYSTORE and VTS_MQTT_TLS_TRUSTSTORE too");
        }
        return s;
    }

    /** TLS for the broker when a key store is set; a CRL needs the trust store of the CA it speaks for. */
    private static MqttTls mqttTls(Reader r) {
        String keyStore = r.text("VTS_MQTT_TLS_KEYSTORE", null);
        if (keyStore == null) {
            return null;
        }
        String trustStore = r.text("VTS_MQTT_TLS_TRUSTSTORE", null);
        String crl = r.text("VTS_MQTT_TLS_CRL", null);
        if (crl != null && trustStore == null) {
            throw new InvalidSettingException("VTS_MQTT_TLS_CRL", "needs VTS_MQTT_TLS_TRUSTSTORE (the CA whose revocations it lists)");
        }
        return new MqttTls(r.readableFile("VTS_MQTT_TLS_KEYSTORE", keyStore),
                r.text("VTS_MQTT_TLS_KEYSTORE_PASSWORD", ""),
                trustStore == null ? null : r.readableFile("VTS_MQTT_TLS_TRUSTSTORE", trustStore),
                r.text("VTS_MQTT_TLS_TRUSTSTORE_PASSWORD", ""),
                crl == null ? null : r.readableFile("VTS_MQTT_TLS_CRL", crl));
    }

    private static LogFormat logFormat(Reader r) {
        String v = r.text("VTS_LOG_FORMAT", "text");
        for (LogFormat format : LogFormat.values()) {
            if (format.label().equals(v)) {
                return format;
            }
        }
        throw new InvalidSettingException("VTS_LOG_FORMAT", "'" + v + "' is not text or json");
    }

    /** Both or neither: a service user without a password (or the reverse) is an operator's slip. */
    private static MqttServiceAccount serviceAccount(Reader r) {
        String user = r.text("VTS_MQTT_SERVICE_USER", null);
        String password = r.text("VTS_MQTT_SERVICE_PASSWORD", null);
        if (user == null && password == null) {
            return null;
        }
        if (user == null) {
            throw new InvalidSettingException("VTS_MQTT_SERVICE_USER", "is needed with VTS_MQTT_SERVICE_PASSWORD");
        }
        if (password == null || password.length() < 12) {
            throw new InvalidSettingException("VTS_MQTT_SERVICE_PASSWORD", "must be set, at least 12 characters, with VTS_MQTT_SERVICE_USER");
        }
        if (user.startsWith("p3a-") || user.contains("/") || user.contains("+") || user.contains("#")) {
            throw new InvalidSettingException("VTS_MQTT_SERVICE_USER", "'" + user + "' could be mistaken for a player or a topic");
        }
        return new MqttServiceAccount(user, password);
    }

    private record Reader(Map<String, String> values) {
        String text(String name, String fallback) {
            String v = values.get(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        int integer(String name, int fallback, int min, int max) {
            String v = text(name, null);
            if (v == null) {
                return fallback;
            }
            Integer n = WholeNumber.parse(v, min, max);
            if (n == null) {
                throw new InvalidSettingException(name, "'" + v + "' is not a whole number from " + min + " to " + max);
            }
            return n;
        }

        /** HH:MM (UTC), or "off". */
        LocalTime timeOfDay(String name, LocalTime fallback) {
            String v = text(name, null);
            if (v == null) {
                return fallback;
            }
            if (v.equalsIgnoreCase("off")) {
                return null;
            }
            try {
                return LocalTime.parse(v);
            } catch (java.time.format.DateTimeParseException e) {
                throw new InvalidSettingException(name, "'" + v + "' is not a time of day such as 00:10 (UTC), or off");
            }
        }

        boolean bool(String name, boolean fallback) {
            String v = text(name, null);
            if (v == null) {
                return fallback;
            }
            return switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new InvalidSettingException(name, "'" + v + "' is not true or false");
            };
        }

        /** A comma-separated list; empty when unset. */
        List<String> list(String name) {
            String v = text(name, null);
            if (v == null) {
                return List.of();
            }
            return Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        }

        /** A comma-separated list none of whose entries may be empty; {@code fallback} when unset. */
        List<String> entries(String name, String fallback) {
            String v = text(name, fallback);
            List<String> entries = Arrays.stream(v.split(",", -1)).map(String::trim).toList();
            if (entries.contains("")) {
                throw new InvalidSettingException(name, "'" + v + "' has an empty entry");
            }
            return entries;
        }

        AddressRange range(String name, String value) {
            try {
                return AddressRange.parse(value);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(name, e.getMessage());
            }
        }

        int port(String name, int fallback) {
            String v = text(name, null);
            if (v == null) {
                return fallback;
            }
            Integer n = WholeNumber.parse(v, 0, 65_535);
            if (n == null) {
                throw new InvalidSettingException(name, "'" + v + "' is not a port number (0-65535; 0 picks a free one)");
            }
            return n;
        }

        URI uri(String name, String... schemes) {
            String v = text(name, null);
            if (v == null) {
                return null;
            }
            try {
                URI uri = new URI(v);
                for (String scheme : schemes) {
                    if (scheme.equals(uri.getScheme()) && uri.getHost() != null) {
                        return uri;
                    }
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw new InvalidSettingException(name, "'" + v + "' is not a " + String.join("/", schemes) + "://host:port URL");
        }

        /** An address to listen on; checked here so a bad one is not reported as a busy port. */
        String address(String name, String fallback) {
            String v = text(name, fallback);
            try {
                InetAddress.getByName(v);
                return v;
            } catch (UnknownHostException e) {
                throw new InvalidSettingException(name, "'" + v + "' cannot be resolved to an address");
            }
        }

        String topicPrefix(String name, String fallback) {
            String v = text(name, fallback);
            try {
                new Topics(v);
                return v;
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(name, e.getMessage());
            }
        }

        Path readableFile(String name, String value) {
            Path path = Path.of(value);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new InvalidSettingException(name, "cannot read file " + path.toAbsolutePath());
            }
            return path;
        }
    }
}
