package club.makapix.vts.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.UUID;

/**
 * Reads and writes the view payload. Reading validates as it goes (types, ranges, lengths) and
 * names the first problem; unknown fields are skipped, as the contract asks.
 */
public final class ViewEventCodec {
    /** Larger payloads are refused before parsing: a view event is a few hundred bytes. */
    public static final int MAX_PAYLOAD_BYTES = 4096;
    static final int MAX_TEXT = 128;

    /** A key given twice is refused rather than one of its values silently taken. */
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ViewEventCodec() {}

    public static ViewEvent decode(byte[] payload) throws InvalidPayloadException {
        return decode(payload, 0, payload.length);
    }

    public static ViewEvent decode(byte[] payload, int offset, int length) throws InvalidPayloadException {
        if (length > MAX_PAYLOAD_BYTES) {
            throw new InvalidPayloadException("payload is " + length + " bytes; at most " + MAX_PAYLOAD_BYTES + " allowed");
        }
        String text;
        try {
            text = ClientInput.utf8(payload, offset, length);
        } catch (IllegalArgumentException e) {
            throw new InvalidPayloadException("payload " + e.getMessage());
        }
        try (JsonParser p = JSON.createParser(text)) {
            return read(p);
        } catch (IOException e) {
            throw new InvalidPayloadException("payload is not valid JSON");
        }
    }

    private static ViewEvent read(JsonParser p) throws IOException, InvalidPayloadException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new InvalidPayloadException("payload must be a JSON object");
        }
        Long postId = null;
        Instant clientTime = null;
        boolean timestampSeen = false;
        String timezone = "";
        Intent intent = null;
        Integer playOrder = null;
        String channel = null;
        String playerKey = null;
        String channelUserSqid = null;
        String channelHashtag = null;
        boolean requestAck = false;
        UUID eventId = null;
        String playlistId = null;
        Integer dwellMs = null;
        Long watchedMs = null;

        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "post_id" -> postId = positiveLong(p, value, field);
                case "timestamp" -> {
                    clientTime = timestamp(p, value);
                    timestampSeen = true;
                }
                case "timezone" -> timezone = orEmpty(text(p, value, field));
                case "intent" -> intent = intent(p, value);
                case "play_order" -> playOrder = intInRange(p, value, field, 0, 2);
                case "channel" -> channel = text(p, value, field);
                case "player_key" -> playerKey = text(p, value, field);
                case "channel_user_sqid" -> channelUserSqid = text(p, value, field);
                case "channel_hashtag" -> channelHashtag = text(p, value, field);
                case "request_ack" -> requestAck = bool(value, field);
                case "event_id" -> eventId = uuid(p, value);
                case "playlist_id" -> playlistId = textOrNumber(p, value, field);
                case "dwell_ms" -> dwellMs = intInRange(p, value, field, 0, Integer.MAX_VALUE);
                case "watched_ms" -> watchedMs = nonNegativeLong(p, value, field);
                default -> p.skipChildren();
            }
        }
        if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw new InvalidPayloadException("payload must be one JSON object");
        }
        if (postId == null) {
            throw new InvalidPayloadException("post_id is required");
        }
        if (!timestampSeen) {
            throw new InvalidPayloadException("timestamp is required");
        }
        if (intent == null) {
            throw new InvalidPayloadException("intent is required");
        }
        if (playerKey == null || playerKey.isEmpty()) {
            throw new InvalidPayloadException("player_key is required");
        }
        return new ViewEvent(postId, clientTime, timezone, intent, playOrder, channel, playerKey,
                channelUserSqid, channelHashtag, requestAck, eventId, playlistId, dwellMs, watchedMs);
    }

    private static long positiveLong(JsonParser p, JsonToken value, String field) throws IOException, InvalidPayloadException {
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new InvalidPayloadException(field + " must be an integer");
        }
        long n = p.getLongValue();
        if (n <= 0) {
            throw new InvalidPayloadException(field + " must be positive");
        }
        return n;
    }

    private static Long nonNegativeLong(JsonParser p, JsonToken value, String field) throws IOException, InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
            throw new InvalidPayloadException(field + " must be an integer from 0 to " + Long.MAX_VALUE);
        }
        return p.getLongValue();
    }

    private static Integer intInRange(JsonParser p, JsonToken value, String field, int min, int max)
            throws IOException, InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw new InvalidPayloadException(field + " must be an integer");
        }
        int n = p.getIntValue();
        if (n < min || n > max) {
            throw new InvalidPayloadException(field + " must be between " + min + " and " + max);
        }
        return n;
    }

    /** A text field's value (or null): a string VTS can store ({@link ClientInput#textProblem}) of at most {@link #MAX_TEXT}. */
    static String text(JsonParser p, JsonToken value, String field) throws IOException, InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new InvalidPayloadException(field + " must be a string");
        }
        String s = p.getText();
        String problem = ClientInput.textProblem(s, MAX_TEXT);
        if (problem != null) {
            throw new InvalidPayloadException(field + " " + problem);
        }
        return s;
    }

    private static String textOrNumber(JsonParser p, JsonToken value, String field) throws IOException, InvalidPayloadException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            String problem = ClientInput.numericIdProblem(p.getText(), MAX_TEXT);
            if (problem != null) {
                throw new InvalidPayloadException(field + " " + problem);
            }
            return p.getText();
        }
        return text(p, value, field);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static boolean bool(JsonToken value, String field) throws InvalidPayloadException {
        return switch (value) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw new InvalidPayloadException(field + " must be true or false");
        };
    }

    private static Instant timestamp(JsonParser p, JsonToken value) throws IOException, InvalidPayloadException {
        if (value != JsonToken.VALUE_STRING) {
            throw new InvalidPayloadException("timestamp must be an ISO-8601 UTC string");
        }
        String s = p.getText();
        Instant t;
        try {
            t = s.length() == 20 && s.charAt(19) == 'Z' ? utcSeconds(s) : OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeException e) {
            throw new InvalidPayloadException("timestamp must be an ISO-8601 UTC string such as 2026-11-21T16:24:15Z");
        }
        if (!ClientInput.timeInRange(t)) {
            throw new InvalidPayloadException("timestamp must be from " + ClientInput.EARLIEST + " to " + ClientInput.LATEST);
        }
        return t.equals(ViewEvent.UNSYNCED) ? null : t;
    }

    /**
     * The firmware's form, {@code 2026-11-21T16:24:15Z}, read without the general ISO parser (which
     * dominated decoding in the profile); anything else goes through {@link OffsetDateTime#parse}.
     */
    static Instant utcSeconds(String s) {
        if (s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return OffsetDateTime.parse(s).toInstant();
        }
        LocalDate date = LocalDate.of(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10));
        LocalTime time = LocalTime.of(digits(s, 11, 13), digits(s, 14, 16), digits(s, 17, 19));
        return Instant.ofEpochSecond(date.toEpochDay() * 86_400 + time.toSecondOfDay());
    }

    private static int digits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new DateTimeException("not a digit: " + c);
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static Intent intent(JsonParser p, JsonToken value) throws IOException, InvalidPayloadException {
        if (value == JsonToken.VALUE_STRING) {
            String s = p.getText();
            for (Intent intent : Intent.values()) {
                if (intent.wire().equals(s)) {
                    return intent;
                }
            }
        }
        throw new InvalidPayloadException("intent must be \"artwork\" or \"channel\"");
    }

    private static UUID uuid(JsonParser p, JsonToken value) throws IOException, InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value == JsonToken.VALUE_STRING && p.getTextLength() == 36) {
            try {
                return UUID.fromString(p.getText());
            } catch (IllegalArgumentException e) {
                // fall through to the one message below
            }
        }
        throw new InvalidPayloadException("event_id must be a UUID string");
    }

    /**
     * Whether a payload that failed validation still asked for an ack ({@code "request_ack": true}
     * in a JSON object), so the player can be told why. Only called on the error path.
     */
    public static boolean requestsAck(byte[] payload) {
        if (payload.length > MAX_PAYLOAD_BYTES * 16) {
            return false;
        }
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("request_ack".equals(field)) {
                    return value == JsonToken.VALUE_TRUE;
                }
                p.skipChildren();
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The payload a player sends for this event (used by the reference client and simulators). */
    public static byte[] encode(ViewEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("post_id", e.postId());
            g.writeStringField("timestamp", (e.clientTime() == null ? ViewEvent.UNSYNCED : e.clientTime()).toString());
            g.writeStringField("timezone", e.timezone() == null ? "" : e.timezone());
            g.writeStringField("intent", e.intent().wire());
            if (e.playOrder() != null) {
                g.writeNumberField("play_order", e.playOrder());
            }
            if (e.channel() != null) {
                g.writeStringField("channel", e.channel());
            }
            g.writeStringField("player_key", e.playerKey());
            g.writeStringField("channel_user_sqid", e.channelUserSqid());
            g.writeStringField("channel_hashtag", e.channelHashtag());
            g.writeBooleanField("request_ack", e.requestAck());
            if (e.eventId() != null) {
                g.writeStringField("event_id", e.eventId().toString());
            }
            if (e.playlistId() != null) {
                g.writeStringField("playlist_id", e.playlistId());
            }
            if (e.dwellMs() != null) {
                g.writeNumberField("dwell_ms", e.dwellMs());
            }
            if (e.watchedMs() != null) {
                g.writeNumberField("watched_ms", e.watchedMs());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
