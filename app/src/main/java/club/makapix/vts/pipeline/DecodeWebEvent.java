package club.makapix.vts.pipeline;

import club.makapix.vts.protocol.ClientInput;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * Reads a web event (contract §2): {@code intent}, {@code channel}, {@code channel_context},
 * {@code play_order}, {@code event_id}, {@code dwell_ms}, {@code watched_ms} (§5), and what VTS adds
 * ({@code playlist_id}, {@code timezone}, {@code local_time}; {@code post_id} in a batch). No body is
 * a view; without an intent, channel "artwork" is a view and any other channel an impression. A watch
 * report (§5: its own route, or {@code "type": "watch"} in a batch) has {@code position_s} and
 * optionally {@code duration_s}, {@code played_s}, {@code session_id}, {@code event_id}.
 */
public final class DecodeWebEvent implements Stage {
    private static final int MAX_TEXT = 128;
    /** The longest time a watch report may name (about 31 years): beyond it a number is a mistake. */
    private static final double MAX_SECONDS = 1e9;

    /** A field that is not as the contract says. */
    private static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Verdict apply(Event event) {
        JsonNode body = event.webBody();
        try {
            if (body != null && !body.isObject()) {
                throw new Invalid("each event must be a JSON object");
            }
            read(event, body == null || body.isNull() ? null : body);
        } catch (Invalid e) {
            return Verdict.stop(Reason.INVALID_PAYLOAD, e.getMessage());
        }
        return Verdict.pass();
    }

    private static void read(Event event, JsonNode body) throws Invalid {
        event.referrerDomain = domainOf(event.origin().referrer());
        boolean watchRoute = event.kind == Kind.WATCH;
        String type = body == null ? null : text(body, "type", 16);
        if (type != null && !"watch".equals(type)) {
            throw new Invalid("type must be \"watch\" (a watch report) or absent");
        }
        if (watchRoute || type != null) {
            if (!watchRoute && event.postId != 0) {
                throw new Invalid("watch reports go to POST /v1/posts/{post_id}/watch");
            }
            readWatchReport(event, body);
            return;
        }
        if (body == null) {
            event.kind = Kind.VIEW;
            return;
        }
        // the tracker reports navigator.webdriver: a browser driven by a program (ClassifyDevice decides)
        event.automationReported = body.path("automation").asBoolean(false);
        if (event.postId == 0) {
            event.postId = positiveLong(body, "post_id");
        }
        event.channel = text(body, "channel", 64);
        event.channelContext = text(body, "channel_context", MAX_TEXT);
        event.playOrder = integer(body, "play_order", 0, 2);
        event.dwellMs = integer(body, "dwell_ms", 0, Integer.MAX_VALUE);
        event.watchedMs = nonNegativeLong(body, "watched_ms");
        event.eventId = uuid(body);
        event.playlistId = textOrNumber(body, "playlist_id", MAX_TEXT);
        event.timezone = zone(text(body, "timezone", 64));
        event.localTime = localTime(text(body, "local_time", 40));
        String intent = text(body, "intent", 16);
        if (intent == null) {
            event.kind = event.channel == null || "artwork".equals(event.channel) ? Kind.VIEW : Kind.IMPRESSION;
        } else if ("view".equals(intent)) {
            event.kind = Kind.VIEW;
        } else if ("impression".equals(intent)) {
            event.kind = Kind.IMPRESSION;
        } else {
            throw new Invalid("intent must be \"view\" or \"impression\"");
        }
    }

    private static void readWatchReport(Event event, JsonNode body) throws Invalid {
        event.kind = Kind.WATCH;
        if (body == null) {
            throw new Invalid("a watch report needs position_s");
        }
        event.automationReported = body.path("automation").asBoolean(false);
        if (event.postId == 0) {
            event.postId = positiveLong(body, "post_id");
        }
        if (body.get("position_s") == null || body.get("position_s").isNull()) {
            throw new Invalid("position_s is required: where playback is now, in seconds");
        }
        event.positionMs = milliseconds(body, "position_s", false);
        event.mediaDurationMs = milliseconds(body, "duration_s", true);
        event.playedMs = milliseconds(body, "played_s", false);
        event.sessionId = text(body, "session_id", MAX_TEXT);
        event.eventId = uuid(body);
    }

    /** Seconds (a JSON number from 0, or above 0 when {@code positive}) as whole milliseconds; null when absent. */
    private static Long milliseconds(JsonNode body, String field, boolean positive) throws Invalid {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        double seconds = node.isNumber() ? node.doubleValue() : Double.NaN;
        if (!(positive ? seconds > 0 : seconds >= 0) || seconds > MAX_SECONDS) {
            throw new Invalid(field + " must be a number of seconds " + (positive ? "above" : "from") + " 0 up to "
                    + (long) MAX_SECONDS);
        }
        long ms = Math.round(seconds * 1000);
        return positive ? Math.max(1, ms) : ms;
    }

    /** The host of the page the event came from, without "www.": where the artwork was seen. */
    static String domainOf(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            String host = java.net.URI.create(url.trim()).getHost();
            if (host == null) {
                return null;
            }
            host = host.toLowerCase(java.util.Locale.ROOT);
            return host.startsWith("www.") ? host.substring(4) : host;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long positiveLong(JsonNode body, String field) throws Invalid {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToLong() || !node.isIntegralNumber() || node.longValue() <= 0) {
            throw new Invalid(field + " must be a positive integer");
        }
        return node.longValue();
    }

    /** Any whole number from 0 up: a long watch is capped later (the post's duration), not refused. */
    private static Long nonNegativeLong(JsonNode body, String field) throws Invalid {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw new Invalid(field + " must be an integer from 0 to " + Long.MAX_VALUE);
        }
        return node.longValue();
    }

    private static String text(JsonNode body, String field, int max) throws Invalid {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Invalid(field + " must be a string of at most " + max + " characters");
        }
        String problem = ClientInput.textProblem(node.textValue(), max);
        if (problem != null) {
            throw new Invalid(field + " " + problem);
        }
        return node.textValue();
    }

    /** Text, or a JSON whole number kept as its digits (a numeric playlist id), within the same limit. */
    private static String textOrNumber(JsonNode body, String field, int max) throws Invalid {
        JsonNode node = body.get(field);
        if (node == null || !node.isIntegralNumber()) {
            return text(body, field, max);
        }
        String problem = ClientInput.numericIdProblem(node.asText(), max);
        if (problem != null) {
            throw new Invalid(field + " " + problem);
        }
        return node.asText();
    }

    private static Integer integer(JsonNode body, String field, int min, int max) throws Invalid {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isInt() || node.intValue() < min || node.intValue() > max) {
            throw new Invalid(field + " must be an integer from " + min + " to " + max);
        }
        return node.intValue();
    }

    private static UUID uuid(JsonNode body) throws Invalid {
        String s = text(body, "event_id", 36);
        if (s == null) {
            return null;
        }
        try {
            if (s.length() == 36) {
                return UUID.fromString(s);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new Invalid("event_id must be a UUID");
    }

    private static String zone(String s) throws Invalid {
        if (s == null || s.isEmpty()) {
            return s;
        }
        try {
            return ZoneId.of(s).getId();
        } catch (RuntimeException e) {
            throw new Invalid("timezone must be an IANA time zone such as Europe/Berlin");
        }
    }

    private static LocalDateTime localTime(String s) throws Invalid {
        if (s == null) {
            return null;
        }
        try {
            LocalDateTime t = LocalDateTime.parse(s);
            if (ClientInput.timeInRange(t.toInstant(ZoneOffset.UTC))) {
                return t;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw new Invalid("local_time must be a local date-time from 1970 to 9999, such as 2026-11-21T17:24:15");
    }
}
