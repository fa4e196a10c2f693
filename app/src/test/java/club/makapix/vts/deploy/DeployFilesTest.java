package club.makapix.vts.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.PlayerClient;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestRedis;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The files of {@code deploy/} against a real server: the compose file and the alert rules parse,
 * every metric the dashboard and the alerts query is one a running server exports, the health
 * checks ask a real route, the systemd unit runs the release's {@code bin/vts} and treats 143 as a
 * clean stop. Containers cannot run here; {@code promtool} and {@code systemd-analyze} check the
 * files further when the machine has them.
 */
class DeployFilesTest {
    static final Path DEPLOY = repositoryRoot().resolve("deploy");
    static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX);
    /** Series that do not come from VTS: Prometheus makes {@code up} for every target, the blackbox exporter {@code probe_success}. */
    static final Set<String> NOT_FROM_VTS = Set.of("up", "probe_success");

    static TestRedis redis;
    static RunningServer vts;
    /** Every series name in the server's /metrics once it has seen some of everything. */
    static Set<String> exported;

    @BeforeAll
    static void startAndScrape() throws Exception {
        redis = TestRedis.create();
        vts = RunningServer.start(TestDatabase.create(), Map.of("VTS_REDIS_URL", redis.url()));
        makeEverySeriesAppear();
        exported = seriesNames(Admin.get(vts.httpPort(), "/metrics").body());
    }

    @AfterAll
    static void stop() {
        if (vts != null) {
            vts.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * Some series exist only once their first event happened (an outcome, a drop, a refusal, a GC
     * pause): make each happen, as a production server would have by the time it is scraped.
     */
    static void makeEverySeriesAppear() throws Exception {
        vts.admin.post(7, "artist-deploy");
        WebClient web = new WebClient(vts.httpPort());
        assertEquals(201, web.post("/v1/posts/7/views", null, "User-Agent", WebClient.FIREFOX).statusCode());
        assertEquals(404, web.post("/v1/posts/999999/views", null, "User-Agent", WebClient.FIREFOX).statusCode());

        String key = UUID.randomUUID().toString();
        vts.admin.player(key, "owner-deploy", "secret-" + key);
        try (PlayerClient p = PlayerClient.connect(vts.mqttUri(), TOPICS, key, "secret-" + key, null)) {
            ViewEvent view = new ViewEvent(7, Instant.now(), "", Intent.ARTWORK, 0, "artwork", key, null, null, false,
                    null, null, null, null);
            assertEquals(0x00, p.publishView(view).get(10, TimeUnit.SECONDS));
            // another player's topic: refused by the device plane's table
            assertEquals(0x87, p.publish(TOPICS.view(UUID.randomUUID().toString()), "{}".getBytes(StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS));
            // more relayed messages than the player's share (10/s, 5 s of burst): the rest over quota
            List<CompletableFuture<Integer>> acks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                acks.add(p.publish(TOPICS.topic(key, Topics.Kind.COMMAND_ACK), "{}".getBytes(StandardCharsets.UTF_8)));
            }
            boolean overQuota = false;
            for (CompletableFuture<Integer> ack : acks) {
                overQuota |= ack.get(10, TimeUnit.SECONDS) == 0x97;
            }
            assertTrue(overQuota, "some of 100 relayed messages at once are over the player's share");
        }
        assertThrows(Exception.class, () -> PlayerClient.connect(vts.mqttUri(), TOPICS, key, "wrong-secret", null).close());
        System.gc(); // the JVM's GC pause timer appears with the first pause
    }

    // ---- the dashboard and the alert rules against the server's /metrics

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana-dashboard.json").toFile());
        assertEquals("vts-overview", dashboard.path("uid").asText());
        List<String> queries = new ArrayList<>();
        Set<Integer> ids = new LinkedHashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("id"));
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertFalse(panel.path("targets").isEmpty(), "panel '" + panel.path("title").asText() + "' has queries");
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        Set<String> used = new TreeSet<>();
        queries.forEach(q -> used.addAll(metricNames(q)));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = Pattern.compile("label_values\\((\\w+)\\s*,").matcher(variable.path("definition").asText());
            if (m.find()) {
                used.add(m.group(1));
            }
        }
        assertTrue(used.containsAll(Set.of("vts_events_total", "vts_dropped_total", "vts_write_queue_depth",
                "vts_write_seconds_sum", "vts_write_batch_size_sum", "vts_stage_seconds_sum", "vts_connected_players",
                "vts_rollup_watermark_seconds")), "the dashboard shows the pipeline's main figures: " + used);
        assertExported("grafana-dashboard.json", used);
    }

    @Test
    void everyMetricTheAlertRulesQueryIsExported() throws IOException {
        JsonNode rules = new YAMLMapper().readTree(DEPLOY.resolve("prometheus-alerts.yaml").toFile());
        Map<String, String> exprs = new LinkedHashMap<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                assertFalse(name.isEmpty(), "every rule is an alert with a name");
                assertTrue(rule.path("expr").isTextual(), name + " has an expression");
                assertTrue(rule.path("labels").path("severity").isTextual(), name + " has a severity");
                assertTrue(rule.path("annotations").path("summary").isTextual(), name + " has a summary");
                exprs.put(name, rule.path("expr").asText());
            }
        }
        assertTrue(exprs.keySet().containsAll(Set.of("VtsWriteQueueGrowing", "VtsDatabaseWritesFailing", "VtsNotReady",
                "VtsDropRateSpike", "VtsRollupLate", "VtsNoPlayersConnected")), exprs.keySet().toString());
        Set<String> used = new TreeSet<>();
        exprs.forEach((name, expr) -> {
            Set<String> names = metricNames(expr);
            assertFalse(names.isEmpty(), name + " queries some metric");
            used.addAll(names);
        });
        assertExported("prometheus-alerts.yaml", used);
    }

    @Test
    void promtoolAcceptsTheRulesWhenPresent() throws Exception {
        assumeTrue(onPath("promtool"), "promtool is not installed");
        Run run = run("promtool", "check", "rules", DEPLOY.resolve("prometheus-alerts.yaml").toString());
        assertEquals(0, run.exit, run.output);
    }

    /** The metric names a PromQL expression reads (not its functions, labels, keywords or durations). */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> keywords = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                "unless", "offset", "bool", "inf", "nan");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String token = m.group();
            String after = s.substring(m.end()).stripLeading();
            char before = m.start() == 0 ? ' ' : s.charAt(m.start() - 1);
            if (after.startsWith("(") || keywords.contains(token.toLowerCase()) || Character.isDigit(before) || before == '.'
                    || before == '$') {
                continue;
            }
            names.add(token);
        }
        return names;
    }

    @Test
    void metricNamesReadsOnlyMetrics() {
        assertEquals(Set.of("vts_a_total", "vts_b"), metricNames(
                "sum by (stage, reason) (rate(vts_a_total{job=\"vts\", x=~\"$instance\"}[$__rate_interval])) > 3 * 1e3 "
                        + "and on (instance) vts_b offset 1d unless time() - 27 * 3600 > 0"));
    }

    static void assertExported(String file, Set<String> used) {
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        missing.removeAll(NOT_FROM_VTS);
        assertTrue(missing.isEmpty(), file + " queries series the server does not export: " + missing
                + "\n(exported: " + exported + ")");
    }

    /** The names of a Prometheus text exposition's samples ({@code name{labels} value}). */
    static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    // ---- the compose file and the Containerfile

    @Test
    void composeFileRunsVtsOnPostgresAndRedisWithHealthChecksAndVolumes() throws IOException {
        JsonNode compose = new YAMLMapper().readTree(DEPLOY.resolve("compose.yaml").toFile());
        JsonNode services = compose.path("services");
        for (String service : List.of("vts", "postgres", "redis")) {
            assertTrue(services.path(service).path("healthcheck").path("test").isArray(), service + " has a health check");
            assertFalse(services.path(service).path("image").asText().isEmpty(), service + " names its image");
        }
        JsonNode vtsService = services.path("vts");
        JsonNode env = vtsService.path("environment");
        assertTrue(env.path("VTS_DB_URL").asText().startsWith("jdbc:postgresql://postgres:5432/"), env.toString());
        assertEquals("redis://redis:6379", env.path("VTS_REDIS_URL").asText());
        assertEquals(env.path("VTS_DB_USER").asText(), services.path("postgres").path("environment").path("POSTGRES_USER").asText());
        for (String dependency : List.of("postgres", "redis")) {
            assertEquals("service_healthy", vtsService.path("depends_on").path(dependency).path("condition").asText());
        }
        assertEquals("deploy/Containerfile", vtsService.path("build").path("dockerfile").asText());
        assertTrue(Files.isRegularFile(DEPLOY.resolve("Containerfile")));
        // secrets come from env files made from the examples
        assertEquals("vts.env", vtsService.path("env_file").path(0).asText());
        assertTrue(Files.isRegularFile(DEPLOY.resolve("vts.env.example")));
        assertTrue(Files.readString(DEPLOY.resolve("compose.env.example")).contains("POSTGRES_PASSWORD="));

        String dataDir = env.path("VTS_DATA_DIR").asText();
        Set<String> namedVolumes = new TreeSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(namedVolumes::add);
        assertEquals(Set.of("vts-data", "postgres-data"), namedVolumes);
        assertTrue(textValues(vtsService.path("volumes")).contains("vts-data:" + dataDir), "the data folder is a named volume");
        assertTrue(textValues(services.path("postgres").path("volumes")).contains("postgres-data:/var/lib/postgresql/data"));
        List<String> ports = textValues(vtsService.path("ports"));
        assertEquals(List.of("8080:8080", "1883:1883", "8883:8883"), ports);

        String check = String.join(" ", textValues(vtsService.path("healthcheck").path("test")));
        assertRealRoute(check);
    }

    @Test
    void containerfileRunsTheReleaseAsAnUnprivilegedUserWithAHealthCheckOnARealRoute() throws IOException {
        String file = Files.readString(DEPLOY.resolve("Containerfile")).replace("\\\n", " ");
        List<String> instructions = file.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertTrue(instructions.stream().anyMatch(l -> l.matches("ARG DEBIAN=debian:\\S+-slim")), "a slim Debian base");
        assertTrue(instructions.contains("COPY dist/vts-${VERSION}-linux-x64.tar.gz /tmp/vts.tar.gz"), "built from the release tarball");
        assertTrue(instructions.contains("ENV VTS_DATA_DIR=/var/lib/vts"));
        assertTrue(instructions.contains("VOLUME [\"/var/lib/vts\"]"));
        assertTrue(instructions.contains("EXPOSE 8080 1883 8883"));
        String user = instructions.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root");
        assertFalse(user.equals("USER root") || user.equals("USER 0"), "the last USER is not root: " + user);
        String entrypoint = instructions.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        assertTrue(entrypoint.contains("\"/opt/vts/bin/vts\""), entrypoint);
        String healthcheck = instructions.stream().filter(l -> l.startsWith("HEALTHCHECK ")).findFirst().orElseThrow();
        assertRealRoute(healthcheck);
    }

    /** The http://…/path in a health check answers 200 on a running server. */
    static void assertRealRoute(String check) {
        Matcher m = Pattern.compile("http://[^/\\s\"']+(/[^\\s\"']*)").matcher(check);
        assertTrue(m.find(), "a URL in " + check);
        String path = m.group(1);
        assertEquals("/health/ready", path);
        var answer = Admin.get(vts.httpPort(), path);
        assertEquals(200, answer.statusCode(), path + ": " + answer.body());
    }

    // ---- the systemd unit

    @Test
    void systemdUnitRunsTheReleasesBinVtsAndCountsSigtermAsSuccess() throws IOException {
        Map<String, List<String>> service = section(Files.readString(DEPLOY.resolve("vts.service")), "Service");
        assertTrue(one(service, "SuccessExitStatus").contains("143"), "SIGTERM's 143 is a clean stop");
        String execStart = one(service, "ExecStart");
        assertTrue(execStart.matches("/\\S+/bin/vts"), "ExecStart runs the release's bin/vts: " + execStart);
        assertEquals("on-failure", one(service, "Restart"));
        assertEquals("2", one(service, "RestartPreventExitStatus"), "a bad setting (exit 2) is not restarted");
        assertFalse(one(service, "EnvironmentFile").isEmpty());
        assertEquals("VTS_DATA_DIR=/var/lib/vts", one(service, "Environment"));
        assertEquals("/var/lib/vts", one(service, "ReadWritePaths"));
        assertEquals("vts", one(service, "StateDirectory"));
        for (String[] hardening : new String[][] {{"NoNewPrivileges", "yes"}, {"ProtectSystem", "strict"}, {"ProtectHome", "yes"},
                {"PrivateTmp", "yes"}, {"PrivateDevices", "yes"}, {"CapabilityBoundingSet", ""}}) {
            assertEquals(hardening[1], one(service, hardening[0]), hardening[0]);
        }
        assertFalse(service.containsKey("MemoryDenyWriteExecute"), "the JVM's JIT needs writable, executable memory");
        assertFalse(one(service, "User").isEmpty() || one(service, "User").equals("root"));
    }

    @Test
    void systemdAnalyzeVerifiesTheUnitWhenPresent() throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed");
        Path dir = Files.createTempDirectory("vts-unit");
        // verify wants ExecStart's program to exist: a stand-in where the release would be
        Path program = dir.resolve("release/bin/vts");
        Files.createDirectories(program.getParent());
        Files.writeString(program, "#!/bin/sh\n");
        assertTrue(program.toFile().setExecutable(true));
        String unit = Files.readString(DEPLOY.resolve("vts.service"));
        String execStart = one(section(unit, "Service"), "ExecStart");
        Path copy = dir.resolve("vts.service");
        Files.writeString(copy, unit.replace("ExecStart=" + execStart, "ExecStart=" + program));
        Run run = run("systemd-analyze", "verify", copy.toString());
        assertEquals(0, run.exit, run.output);
        // unknown keys and unparsable values are only warnings: none is allowed
        assertFalse(run.output.contains("vts.service"), run.output);
    }

    /** A unit file's section as key → values (keys may repeat). */
    static Map<String, List<String>> section(String unit, String name) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String current = null;
        for (String raw : unit.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                current = line.substring(1, line.indexOf(']'));
            } else if (name.equals(current) && line.contains("=")) {
                int eq = line.indexOf('=');
                out.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>()).add(line.substring(eq + 1).strip());
            }
        }
        return out;
    }

    static String one(Map<String, List<String>> section, String key) {
        List<String> values = section.getOrDefault(key, List.of());
        assertEquals(1, values.size(), key + " is set once: " + values);
        return values.get(0);
    }

    // ---- helpers

    static List<String> textValues(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    record Run(int exit, String output) {}

    static Run run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        return new Run(p.exitValue(), output);
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** The highest folder with a pom.xml above where the test runs (the module folder under Maven). */
    static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath();
        while (root.getParent() != null && Files.isRegularFile(root.getParent().resolve("pom.xml"))) {
            root = root.getParent();
        }
        return root;
    }
}
