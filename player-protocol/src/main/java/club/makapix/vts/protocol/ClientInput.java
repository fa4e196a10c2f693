package club.makapix.vts.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What VTS accepts from clients, whichever door they use: text that PostgreSQL stores as sent (no
 * NUL or other control characters, no broken UTF-16 from escapes such as a lone {@code \ud800}) and
 * times it can hold. Checked where input enters, so nothing the database would refuse gets further.
 */
public final class ClientInput {
    /** The oldest and newest client time VTS stores (1970 is also the firmware's "clock not synced"). */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private ClientInput() {}

    /** Null when {@code s} is acceptable text of at most {@code max} characters, else what is wrong with it. */
    public static String textProblem(String s, int max) {
        if (s.length() > max) {
            return "is longer than " + max + " characters";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                return "contains a control character (U+" + String.format("%04X", (int) c) + ")";
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "is not valid Unicode (a lone surrogate)";
            }
        }
        return null;
    }

    /**
     * The text of a body or payload, which must be UTF-8 and nothing else: no byte order mark, no
     * UTF-16 or UTF-32 (a JSON parser would guess those), no malformed or overlong sequences.
     *
     * @throws IllegalArgumentException saying what is wrong, for the client's error message
     */
    public static String utf8(byte[] bytes, int offset, int length) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("is not valid UTF-8");
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            throw new IllegalArgumentException("begins with a byte order mark; send UTF-8 without one");
        }
        return text;
    }

    /** Null when {@code s}, a JSON number given where an id is expected, is a canonical one of at most {@code max} digits. */
    public static String numericIdProblem(String s, int max) {
        return s.matches("(0|[1-9][0-9]*)") && s.length() <= max ? null : "must be a whole number of at most " + max + " digits, or text";
    }

    /** Whether a client's time is one VTS stores. */
    public static boolean timeInRange(Instant t) {
        return !t.isBefore(EARLIEST) && !t.isAfter(LATEST);
    }
}
