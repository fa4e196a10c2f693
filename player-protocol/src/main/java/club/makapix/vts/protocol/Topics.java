package club.makapix.vts.protocol;

/**
 * The device plane's topics under one prefix (contract §1): {@code {prefix}/{player_key}/{kind}},
 * where a kind is one row of the contract's table (the site's Mosquitto ACL).
 */
public final class Topics {
    public static final String DEFAULT_PREFIX = "makapix/player";

    /** Which way a kind of message goes between a player and the site's service account. */
    public enum Flow {
        /** the player publishes and VTS consumes it: never relayed */
        CONSUMED,
        /** the player publishes, the service account subscribes */
        FROM_PLAYER,
        /** the service account publishes, the player subscribes */
        TO_PLAYER
    }

    /** A row of the contract's table: what comes after {@code {prefix}/{player_key}/}. */
    public enum Kind {
        VIEW("view", Flow.CONSUMED, false, false),
        VIEW_ACK("view/ack", Flow.TO_PLAYER, false, false),
        STATUS("status", Flow.FROM_PLAYER, false, false),
        COMMAND("command", Flow.TO_PLAYER, false, false),
        COMMAND_ACK("command/ack", Flow.FROM_PLAYER, false, false),
        REQUEST("request", Flow.FROM_PLAYER, true, false),
        RESPONSE("response", Flow.TO_PLAYER, true, false),
        CAPABILITIES("capabilities", Flow.FROM_PLAYER, false, true),
        STATE("state", Flow.FROM_PLAYER, false, true);

        private final String suffix;
        private final Flow flow;
        private final boolean hasId;
        private final boolean retained;

        Kind(String suffix, Flow flow, boolean hasId, boolean retained) {
            this.suffix = suffix;
            this.flow = flow;
            this.hasId = hasId;
            this.retained = retained;
        }

        public Flow flow() {
            return flow;
        }

        /** Whether the topic ends with one more level, the message's id ({@code request/{id}}). */
        public boolean hasId() {
            return hasId;
        }

        /** Whether the broker keeps the last message published with the retain flag. */
        public boolean retained() {
            return retained;
        }

        /** The name used in metrics: {@code view_ack}, {@code command}, … */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A topic (or topic filter) of the table. In a filter {@code playerKey} and {@code id} may be the
     * wildcards {@code +} (and {@code #} for the id); {@code id} is null for kinds without one.
     */
    public record Match(String playerKey, Kind kind, String id) {
        public Match(String playerKey, Kind kind) {
            this(playerKey, kind, null);
        }
    }

    private final String prefix;

    public Topics(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.endsWith("/") || prefix.contains("+") || prefix.contains("#")) {
            throw new IllegalArgumentException("topic prefix must be a non-empty topic without wildcards or a trailing '/': " + prefix);
        }
        this.prefix = prefix;
    }

    public String topic(String playerKey, Kind kind) {
        if (kind.hasId) {
            throw new IllegalArgumentException(kind + " topics need an id");
        }
        return prefix + "/" + playerKey + "/" + kind.suffix;
    }

    public String topic(String playerKey, Kind kind, String id) {
        if (!kind.hasId) {
            throw new IllegalArgumentException(kind + " topics have no id");
        }
        return prefix + "/" + playerKey + "/" + kind.suffix + "/" + id;
    }

    public String view(String playerKey) {
        return topic(playerKey, Kind.VIEW);
    }

    public String ack(String playerKey) {
        return topic(playerKey, Kind.VIEW_ACK);
    }

    public String status(String playerKey) {
        return topic(playerKey, Kind.STATUS);
    }

    /** The player, kind and id of a topic or topic filter of the table, or {@code null} for any other. */
    public Match parse(String topic) {
        if (topic.length() <= prefix.length() + 1 || !topic.startsWith(prefix) || topic.charAt(prefix.length()) != '/') {
            return null;
        }
        int keyStart = prefix.length() + 1;
        int keyEnd = topic.indexOf('/', keyStart);
        if (keyEnd <= keyStart) {
            return null;
        }
        String key = topic.substring(keyStart, keyEnd);
        String rest = topic.substring(keyEnd + 1);
        for (Kind kind : Kind.values()) {
            if (!kind.hasId && rest.equals(kind.suffix)) {
                return new Match(key, kind, null);
            }
            if (kind.hasId && rest.startsWith(kind.suffix + "/")) {
                String id = rest.substring(kind.suffix.length() + 1);
                return id.isEmpty() || id.indexOf('/') >= 0 ? null : new Match(key, kind, id);
            }
        }
        return null;
    }
}
