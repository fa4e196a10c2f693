package club.makapix.vts.mqtt;

import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.Topics.Flow;
import club.makapix.vts.protocol.Topics.Match;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may publish and subscribe what: the contract's table (the site's Mosquitto ACL), decided here
 * and nowhere else. A player uses only its own key; the service account may put {@code +} in place
 * of the key when it subscribes. Anything else is refused with a reason, counted in metrics.
 */
final class DevicePlaneRules {
    /** Why something was refused; the label is what metrics show. */
    enum Refusal {
        /** not a topic of the table at all */
        FOREIGN_TOPIC,
        /** a topic of the table, but another player's */
        OTHER_PLAYER,
        /** a topic of the table used the other way round (a player publishing a command, say) */
        NOT_PERMITTED,
        /** a wildcard where the table has none */
        WILDCARD,
        /** QoS 2, above the maximum of 1 the CONNACK announced (whatever the topic) */
        QOS_2;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Topics topics;

    DevicePlaneRules(Topics topics) {
        this.topics = topics;
    }

    /** The table's row of a topic, or null when it is not one. */
    Match parse(String topic) {
        return topics.parse(topic);
    }

    /** Null when {@code who} may publish on {@code topic} (a topic name, no wildcards). */
    Refusal publish(ClientIdentity who, String topic) {
        Match m = topics.parse(topic);
        if (m == null) {
            return Refusal.FOREIGN_TOPIC;
        }
        if (isWildcard(m.playerKey()) || isWildcard(m.id())) {
            return Refusal.WILDCARD;
        }
        if (who.isService()) {
            return m.kind().flow() == Flow.TO_PLAYER ? null : Refusal.NOT_PERMITTED;
        }
        if (!m.playerKey().equals(who.playerKey())) {
            return Refusal.OTHER_PLAYER;
        }
        return m.kind().flow() == Flow.TO_PLAYER ? Refusal.NOT_PERMITTED : null;
    }

    /**
     * The topic filters {@code who} may publish on, the same table as {@link #publish} written as
     * HiveMQ permissions ({@code +} for a request's or response's id, and for the key when the
     * service account publishes). The broker checks them in line, the last will included.
     */
    List<String> publishFilters(ClientIdentity who) {
        List<String> filters = new ArrayList<>();
        for (Topics.Kind kind : Topics.Kind.values()) {
            boolean allowed = who.isService() ? kind.flow() == Flow.TO_PLAYER : kind.flow() != Flow.TO_PLAYER;
            if (allowed) {
                String key = who.isService() ? "+" : who.playerKey();
                filters.add(kind.hasId() ? topics.topic(key, kind, "+") : topics.topic(key, kind));
            }
        }
        return filters;
    }

    /** Null when {@code who} may subscribe to {@code filter}. */
    Refusal subscribe(ClientIdentity who, String filter) {
        Match m = topics.parse(filter);
        if (m == null) {
            return Refusal.FOREIGN_TOPIC;
        }
        // ids (request/{id}, response/{id}) may be wildcards for both, as in the site's ACL
        if (who.isService()) {
            return m.kind().flow() == Flow.FROM_PLAYER ? null : Refusal.NOT_PERMITTED;
        }
        if (isWildcard(m.playerKey())) {
            return Refusal.WILDCARD;
        }
        if (!m.playerKey().equals(who.playerKey())) {
            return Refusal.OTHER_PLAYER;
        }
        return m.kind().flow() == Flow.TO_PLAYER ? null : Refusal.NOT_PERMITTED;
    }

    private static boolean isWildcard(String level) {
        return level != null && (level.equals("+") || level.equals("#"));
    }
}
