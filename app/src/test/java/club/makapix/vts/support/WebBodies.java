package club.makapix.vts.support;

import club.makapix.vts.protocol.HostileJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** Valid web event bodies (contract §2) drawn at random, the starting point of property and fuzz tests. */
public final class WebBodies {
    /** Every field a web event may carry, VTS's additions included. */
    public static final List<String> FIELDS = List.of("intent", "channel", "channel_context", "play_order", "event_id",
            "dwell_ms", "playlist_id", "timezone", "local_time", "post_id", "automation");
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebBodies() {}

    /**
     * An event with some of the optional fields; {@code postId} (a batch entry's) and {@code eventId}
     * are left out when null. Rarely, it says it comes from a browser driven by a program.
     */
    public static ObjectNode event(Random random, Long postId, UUID eventId) {
        ObjectNode e = JSON.createObjectNode();
        if (postId != null) {
            e.put("post_id", postId);
        }
        if (eventId != null) {
            e.put("event_id", eventId.toString());
        }
        if (random.nextBoolean()) {
            e.put("intent", random.nextBoolean() ? "view" : "impression");
        }
        if (random.nextBoolean()) {
            e.put("channel", random.nextBoolean() ? HostileJson.pick(random, List.of("artwork", "all", "promoted", "hashtag", "by_user"))
                    : HostileJson.validText(random, random.nextInt(65)));
        }
        if (random.nextInt(3) == 0) {
            e.put("channel_context", HostileJson.validText(random, random.nextInt(129)));
        }
        if (random.nextInt(3) == 0) {
            e.put("play_order", random.nextInt(3));
        }
        if (random.nextInt(3) == 0) {
            e.put("dwell_ms", random.nextInt(600_000));
        }
        if (random.nextInt(4) == 0) {
            if (random.nextBoolean()) {
                e.put("playlist_id", random.nextInt(1_000_000));
            } else {
                e.put("playlist_id", HostileJson.validText(random, random.nextInt(129)));
            }
        }
        if (random.nextInt(3) == 0) {
            e.put("timezone", HostileJson.pick(random, List.of("", "Europe/Berlin", "Asia/Tokyo", "UTC", "+01:00")));
            e.put("local_time", "2026-11-21T1" + random.nextInt(10) + ":24:15");
        }
        if (random.nextInt(20) == 0) {
            e.put("automation", true);
        }
        return e;
    }
}
