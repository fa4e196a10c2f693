package club.makapix.vts.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a broken, careless or hostile client sends where JSON is expected: mutations of a valid body
 * and objects of wrongly typed values. Driven by the caller's {@link Random}, so a seed replays a run;
 * shared by the property tests of both modules and the doors' fuzz test (this module's test jar).
 */
public final class HostileJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The cases of {@link #mutate}'s switch. */
    private static final int MUTATIONS = 13;

    /** JSON text for a value: wrong types, every range's edges and beyond, text a database cannot hold, non-JSON literals. */
    private static final List<String> ODD_VALUES = List.of(
            "null", "true", "false", "0", "-0", "-1", "1.5", "1.0", "1E2", "1e400", "-1e-400", "2147483647", "2147483648",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
            "NaN", "Infinity", "01", "+1", ".5", "0x10", "'single'", "undefined",
            "\"\"", "\" \"", "\"0\"", "\"1\"", "\"true\"", "\"null\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u001b[31m\"",
            "\"tab\\there\"", "\"\\u007f\"", "\"\\u0085\"", "\"\\ud800\"", "\"\\udfff\"", "\"\\udc00\\ud800\"", "\"\\ud83c\\udfa8\"",
            "\"\\ufeff\"", "\"\\u2028\"", "\"\\uffff\"", "\"<script>alert(1)</script>\"", "\"'; drop table view_events; --\"",
            "\"1970-01-01T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"", "\"+10000-01-01T00:00:00Z\"", "\"2026-02-30T10:00:00Z\"",
            "\"2026-11-21T16:24:60Z\"", "\"2026-11-21T16:24:15\"", "\"2026-11-21T16:24:15.123456789+14:00\"",
            "\"9999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00\"", "\"00000000-0000-0000-0000-000000000000\"",
            "\"550e8400-e29b-41d4-a716-44665544000g\"", "\"550e8400e29b41d4a716446655440000\"",
            "\"+50e8400-e29b-41d4-a716-446655440000\"", "\"view\"", "\"impression\"", "\"artwork\"", "\"channel\"",
            "\"Europe/Berlin\"", "\"Mars/Olympus_Mons\"", "\"../../etc/passwd\"", "[]", "{}", "[null]", "{\"\":{}}",
            "[1,[2,[3]]]", "{\"a\":1,\"a\":2}");

    /** Byte sequences UTF-8 decoders disagree about: overlong forms, surrogates, beyond U+10FFFF, stray bytes. */
    private static final List<byte[]> ODD_BYTES = List.of(
            bytes(0x00), bytes(0xFF), bytes(0xFE), bytes(0x80), bytes(0xC0, 0x80), bytes(0xC1, 0xBF), bytes(0xE0, 0x80, 0x80),
            bytes(0xED, 0xA0, 0x80), bytes(0xED, 0xBF, 0xBF), bytes(0xF0, 0x80, 0x80, 0x80), bytes(0xF4, 0x90, 0x80, 0x80),
            bytes(0xF8, 0x88, 0x80, 0x80, 0x80), bytes(0xE2, 0x82), bytes(0xEF, 0xBB, 0xBF), bytes(0x1B), bytes(0x7F));

    private HostileJson() {}

    /**
     * One random mutation of {@code valid} (a JSON object): bit flips, truncation, stray bytes, a value
     * of another type, a key given twice, trailing data, a byte order mark, UTF-16/32, deep nesting, a
     * string of up to {@code largestString} characters, text around length limits, a raw control
     * character, a missing field.
     */
    public static byte[] mutate(Random random, byte[] valid, int largestString) {
        return switch (random.nextInt(MUTATIONS)) {
            case 0 -> corrupt(random, valid);
            case 1 -> Arrays.copyOf(valid, random.nextInt(valid.length + 1));
            case 2 -> withFields(random, valid, (fields, i) -> fields.set(i, fields.get(i).with(value(random, 3))));
            case 3 -> withFields(random, valid, (fields, i) -> fields.add(fields.get(i).with(value(random, 1))));
            case 4 -> concat(valid, utf8(pick(random, List.of("{}", " x", "\u0000", ",", "]", "}", " null", "\n{\"a\":1}"))));
            case 5 -> concat(bytes(0xEF, 0xBB, 0xBF), valid);
            case 6 -> new String(valid, StandardCharsets.UTF_8).getBytes(pick(random,
                    List.of(StandardCharsets.UTF_16, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, Charset.forName("UTF-32"))));
            case 7 -> random.nextBoolean() ? utf8(nested(random.nextInt(2_000)))
                    : withFields(random, valid, (fields, i) -> fields.add(new Field("deep", nested(random.nextInt(2_000)))));
            case 8 -> withFields(random, valid,
                    (fields, i) -> fields.set(i, fields.get(i).with(quoted("x".repeat(random.nextInt(largestString + 1))))));
            case 9 -> withFields(random, valid, (fields, i) -> fields.set(i, fields.get(i).with(quoted(validText(random,
                    pick(random, List.of(16, 17, 35, 36, 37, 40, 41, 63, 64, 65, 127, 128, 129, 256)))))));
            case 10 -> withRawControlCharacter(random, valid);
            case 11 -> withFields(random, valid, List::remove);
            default -> withFields(random, valid, (fields, i) -> fields.set(i, fields.get(i).with(pick(random, ODD_VALUES))));
        };
    }

    /** A JSON object with some of {@code fields} (and an unknown one now and then), each of a random, mostly wrong, type. */
    public static byte[] object(Random random, List<String> fields) {
        List<Field> entries = new ArrayList<>();
        for (String field : fields) {
            if (random.nextInt(3) > 0) {
                entries.add(new Field(field, value(random, 3)));
            }
        }
        if (random.nextInt(4) == 0) {
            entries.add(random.nextInt(entries.size() + 1), new Field(text(random, 8), value(random, 2)));
        }
        return object(entries);
    }

    /** Flipped bits, stray or ill-formed UTF-8 bytes, or a cut: corruption below the JSON level. */
    public static byte[] corrupt(Random random, byte[] valid) {
        byte[] out = valid.clone();
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0 && out.length > 0; flips--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                int at = random.nextInt(out.length + 1);
                out = concat(concat(Arrays.copyOf(out, at), pick(random, ODD_BYTES)), Arrays.copyOfRange(valid, at, valid.length));
            }
            default -> out = Arrays.copyOfRange(out, random.nextInt(out.length + 1), out.length);
        }
        return out;
    }

    /** A JSON value of a random type, nested up to {@code depth}: odd literals, random text and numbers, arrays, objects. */
    static String value(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 6 : 4);
        return switch (kind) {
            case 0, 1 -> pick(random, ODD_VALUES);
            case 2 -> quoted(text(random, random.nextInt(40)));
            case 3 -> number(random);
            case 4 -> {
                List<String> items = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    items.add(value(random, depth - 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> {
                List<String> entries = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    entries.add(new Field(text(random, 6), value(random, depth - 1)).toString());
                }
                yield "{" + String.join(",", entries) + "}";
            }
        };
    }

    /** Text of any characters: controls, lone surrogates, quotes and backslashes, BMP and beyond. */
    static String text(Random random, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append((char) (0xD800 + random.nextInt(0x800)));
                case 2 -> s.append(pick(random, List.of("\"", "\\", "\u007f", "\u0085", "\ufeff", "\u2028")));
                case 3 -> s.appendCodePoint(0x10000 + random.nextInt(0x100000));
                case 4 -> s.append((char) (0xA0 + random.nextInt(0xD800 - 0xA0)));
                default -> s.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return s.toString();
    }

    /** Valid text (no control characters, surrogates only in pairs) of exactly {@code length} UTF-16 characters. */
    public static String validText(Random random, int length) {
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            if (s.length() + 2 <= length && random.nextInt(4) == 0) {
                s.appendCodePoint(0x1F300 + random.nextInt(0x300));
            } else {
                s.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : 0x4E00 + random.nextInt(0x5000)));
            }
        }
        return s.toString();
    }

    private static String number(Random random) {
        StringBuilder digits = new StringBuilder(random.nextBoolean() ? "-" : "");
        digits.append(1 + random.nextInt(9));
        for (int n = random.nextInt(random.nextBoolean() ? 20 : 1_200); n > 0; n--) {
            digits.append(random.nextInt(10));
        }
        return switch (random.nextInt(4)) {
            case 0 -> digits + "." + random.nextInt(1000);
            case 1 -> digits + "e" + (random.nextInt(800) - 400);
            default -> digits.toString();
        };
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /**
     * JSON text of a string holding {@code s} exactly: quotes, backslashes and control characters
     * escaped, and a lone surrogate too, as UTF-8 cannot carry one (the JSON escape can).
     */
    static String quoted(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (pairedSurrogate) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c) || c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** A field of an object: its key, and its value as JSON text (which need not be valid JSON). */
    private record Field(String key, String value) {
        Field with(String otherValue) {
            return new Field(key, otherValue);
        }

        @Override
        public String toString() {
            return quoted(key) + ":" + value;
        }
    }

    /** A change to an object's fields, in order, given one chosen at random. */
    private interface FieldChange {
        void apply(List<Field> fields, int chosen);
    }

    /** {@code valid}'s fields changed; a body that is no JSON object with fields is corrupted instead. */
    private static byte[] withFields(Random random, byte[] valid, FieldChange change) {
        JsonNode root;
        try {
            root = JSON.readTree(valid);
        } catch (IOException e) {
            return corrupt(random, valid);
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            return corrupt(random, valid);
        }
        List<Field> fields = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            fields.add(new Field(field.getKey(), field.getValue().toString()));
        }
        change.apply(fields, random.nextInt(fields.size()));
        return object(fields);
    }

    private static byte[] object(List<Field> fields) {
        return utf8("{" + String.join(",", fields.stream().map(Field::toString).toList()) + "}");
    }

    private static byte[] withRawControlCharacter(Random random, byte[] valid) {
        List<Integer> quotes = new ArrayList<>();
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] == '"') {
                quotes.add(i);
            }
        }
        if (quotes.isEmpty()) {
            return corrupt(random, valid);
        }
        int at = pick(random, quotes) + 1;
        return concat(concat(Arrays.copyOf(valid, at), bytes(random.nextInt(0x20))), Arrays.copyOfRange(valid, at, valid.length));
    }

    /** One of {@code choices}, at random. */
    public static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
