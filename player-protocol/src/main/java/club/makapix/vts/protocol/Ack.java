package club.makapix.vts.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The ack on {@code …/view/ack}: {@code {"success": true}} or
 * {@code {"success": false, "error": "…", "error_code": "…"}}.
 */
public record Ack(boolean success, String error, ErrorCode errorCode) {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] SUCCESS_BYTES = "{\"success\":true}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public static Ack ok() {
        return new Ack(true, null, null);
    }

    public static Ack failure(ErrorCode code, String error) {
        return new Ack(false, error, code);
    }

    public byte[] encode() {
        if (success) {
            return SUCCESS_BYTES.clone();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeBooleanField("success", false);
            g.writeStringField("error", error);
            g.writeStringField("error_code", errorCode.wire());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static Ack decode(byte[] payload) throws InvalidPayloadException {
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidPayloadException("ack must be a JSON object");
            }
            Boolean success = null;
            String error = null;
            ErrorCode code = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "success" -> success = value == JsonToken.VALUE_TRUE;
                    case "error" -> error = p.getValueAsString();
                    case "error_code" -> code = ErrorCode.fromWire(p.getValueAsString());
                    default -> p.skipChildren();
                }
            }
            if (success == null) {
                throw new InvalidPayloadException("ack without success");
            }
            return new Ack(success, error, code);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidPayloadException("ack is not valid: " + e.getMessage());
        }
    }
}
