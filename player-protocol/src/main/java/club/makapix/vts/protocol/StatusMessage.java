package club.makapix.vts.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A player's status on {@code …/status}: heartbeat, online, or offline (also its last will), e.g.
 * {@code {"player_key":"…","status":"online","current_post_id":123,"firmware_version":"1.2.0"}}.
 */
public record StatusMessage(String playerKey, String status, Long currentPostId, String firmwareVersion) {
    private static final JsonFactory JSON = new JsonFactory();
    static final int MAX_STATUS_BYTES = 2048;

    public static StatusMessage decode(byte[] payload) throws InvalidPayloadException {
        if (payload.length > MAX_STATUS_BYTES) {
            throw new InvalidPayloadException("status payload is larger than " + MAX_STATUS_BYTES + " bytes");
        }
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidPayloadException("status must be a JSON object");
            }
            String playerKey = null;
            String status = null;
            Long currentPostId = null;
            String firmware = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "player_key" -> playerKey = ViewEventCodec.text(p, value, field);
                    case "status" -> status = ViewEventCodec.text(p, value, field);
                    case "current_post_id" -> {
                        if (value == JsonToken.VALUE_NUMBER_INT) {
                            currentPostId = p.getLongValue();
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw new InvalidPayloadException("current_post_id must be an integer");
                        }
                    }
                    case "firmware_version" -> firmware = ViewEventCodec.text(p, value, field);
                    default -> p.skipChildren();
                }
            }
            if (status == null || status.isEmpty()) {
                throw new InvalidPayloadException("status is required");
            }
            return new StatusMessage(playerKey, status, currentPostId, firmware);
        } catch (IOException e) {
            throw new InvalidPayloadException("status payload is not valid JSON");
        }
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("player_key", playerKey);
            g.writeStringField("status", status);
            if (currentPostId != null) {
                g.writeNumberField("current_post_id", currentPostId);
            }
            if (firmwareVersion != null) {
                g.writeStringField("firmware_version", firmwareVersion);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
