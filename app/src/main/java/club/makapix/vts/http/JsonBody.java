package club.makapix.vts.http;

import club.makapix.vts.protocol.ClientInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A request's JSON object body, with typed, validated reads that answer 400 with a clear message. */
final class JsonBody {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private final JsonNode root;
    /** Where this object is in the body ("" for the body itself, "posts[3]." for an entry): errors start with it. */
    private final String path;

    private JsonBody(JsonNode root, String path) {
        this.root = root;
        this.path = path;
    }

    static JsonBody of(Context ctx, ObjectMapper json) {
        JsonBody body = optional(ctx, json);
        if (body == null) {
            throw ApiError.invalid("a JSON object body is required");
        }
        return body;
    }

    /** The body, or null when there is none. */
    static JsonBody optional(Context ctx, ObjectMapper json) {
        byte[] body = BoundedBody.read(ctx, HttpServer.MAX_BODY_BYTES);
        if (body.length == 0) {
            return null;
        }
        JsonNode root = parse(body, json);
        if (!root.isObject()) {
            throw ApiError.invalid("the body must be a JSON object");
        }
        return new JsonBody(root, "");
    }

    /**
     * A whole body as one JSON value: UTF-8 only, nothing after the value, no key given twice (the
     * mapper is configured so in {@link HttpServer}); 400 otherwise.
     */
    static JsonNode parse(byte[] body, ObjectMapper json) {
        String text;
        try {
            text = ClientInput.utf8(body, 0, body.length);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("the body " + e.getMessage());
        }
        try {
            JsonNode node = json.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw ApiError.invalid("the body is not valid JSON");
            }
            return node;
        } catch (IOException e) {
            throw ApiError.invalid("the body is not valid JSON (one value, each key once)");
        }
    }

    String requiredIdentifier(String field) {
        String value = optionalText(field, 128);
        if (value == null) {
            throw ApiError.invalid(path + field + " is required");
        }
        return identifier(path + field, value);
    }

    String optionalIdentifier(String field) {
        String value = optionalText(field, 128);
        return value == null ? null : identifier(path + field, value);
    }

    long requiredPositiveLong(String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() <= 0) {
            throw ApiError.invalid(path + field + " must be a positive integer");
        }
        return node.longValue();
    }

    /** The entries of an array of objects, each read as a body of its own whose errors name it. */
    List<JsonBody> objects(String field, int maxEntries) {
        JsonNode node = root.get(field);
        if (node == null || !node.isArray()) {
            throw ApiError.invalid(path + field + " must be an array");
        }
        if (node.size() > maxEntries) {
            throw ApiError.invalid(path + field + " holds at most " + maxEntries + " entries, not " + node.size());
        }
        List<JsonBody> entries = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String entryPath = path + field + "[" + i + "]";
            if (!node.get(i).isObject()) {
                throw ApiError.invalid(entryPath + " must be an object");
            }
            entries.add(new JsonBody(node.get(i), entryPath + "."));
        }
        return entries;
    }

    String optionalText(String field, int maxLength) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiError.invalid(path + field + " must be a string");
        }
        String problem = ClientInput.textProblem(node.textValue(), maxLength);
        if (problem != null) {
            throw ApiError.invalid(path + field + " " + problem);
        }
        return node.textValue();
    }

    Integer optionalInt(String field, int min, int max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isInt() || node.intValue() < min || node.intValue() > max) {
            throw ApiError.invalid(path + field + " must be an integer from " + min + " to " + max);
        }
        return node.intValue();
    }

    static String identifier(String what, String value) {
        if (!IDENTIFIER.matcher(value).matches()) {
            throw ApiError.invalid(what + " must be 1-128 letters, digits or ._:@-");
        }
        return value;
    }

}
