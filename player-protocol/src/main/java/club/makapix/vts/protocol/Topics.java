package club.makapix.vts.protocol;

/**
 * The player topics under one prefix (contract §1): {@code {prefix}/{player_key}/view},
 * {@code …/view/ack} and {@code …/status}.
 */
public final class Topics {
    public static final String DEFAULT_PREFIX = "makapix/player";

    /** What a topic under the prefix is for. */
    public enum Kind { VIEW, ACK, STATUS }

    /** A topic that belongs to the player protocol. */
    public record Match(String playerKey, Kind kind) {}

    private final String prefix;

    public Topics(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.endsWith("/") || prefix.contains("+") || prefix.contains("#")) {
            throw new IllegalArgumentException("topic prefix must be a non-empty topic without wildcards or a trailing '/': " + prefix);
        }
        this.prefix = prefix;
    }

    public String view(String playerKey) {
        return prefix + "/" + playerKey + "/view";
    }

    public String ack(String playerKey) {
        return prefix + "/" + playerKey + "/view/ack";
    }

    public String status(String playerKey) {
        return prefix + "/" + playerKey + "/status";
    }

    /** The player and kind of a protocol topic, or {@code null} for any other topic. */
    public Match parse(String topic) {
        if (topic.length() <= prefix.length() + 1 || !topic.startsWith(prefix) || topic.charAt(prefix.length()) != '/') {
            return null;
        }
        int keyStart = prefix.length() + 1;
        int keyEnd = topic.indexOf('/', keyStart);
        if (keyEnd <= keyStart) {
            return null;
        }
        String rest = topic.substring(keyEnd + 1);
        Kind kind = switch (rest) {
            case "view" -> Kind.VIEW;
            case "view/ack" -> Kind.ACK;
            case "status" -> Kind.STATUS;
            default -> null;
        };
        return kind == null ? null : new Match(topic.substring(keyStart, keyEnd), kind);
    }
}
