package club.makapix.vts.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** {@link ClientInput#utf8} against the Unicode standard's own table of well-formed UTF-8 (Table 3-7). */
class ClientInputPropertyTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @Property(tries = 1000)
    void unicodeTextSurvivesUtf8(@ForAll("unicodeText") String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(text, ClientInput.utf8(bytes, 0, bytes.length));
    }

    @Property(tries = 1000)
    void bytesAreTakenExactlyWhenWellFormedAndRefusedOtherwise(@ForAll("nearlyUtf8") byte[] bytes) {
        boolean acceptable = wellFormed(bytes) && !startsWithBom(bytes);
        String text;
        try {
            text = ClientInput.utf8(bytes, 0, bytes.length);
        } catch (IllegalArgumentException refused) {
            assertFalse(acceptable, "refused well-formed UTF-8 without a byte order mark: " + refused.getMessage());
            return;
        }
        assertTrue(acceptable, "took bytes that are not well-formed UTF-8, or begin with a byte order mark");
        assertArrayEquals(bytes, text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void aSliceReadsAsTheSameBytesAlone(@ForAll("nearlyUtf8") byte[] bytes, @ForAll @IntRange(max = 8) int before,
                                        @ForAll @IntRange(max = 8) int after) {
        byte[] framed = new byte[before + bytes.length + after];
        Arrays.fill(framed, (byte) 0xFF);
        System.arraycopy(bytes, 0, framed, before, bytes.length);
        String alone;
        try {
            alone = ClientInput.utf8(bytes, 0, bytes.length);
        } catch (IllegalArgumentException refused) {
            try {
                ClientInput.utf8(framed, before, bytes.length);
            } catch (IllegalArgumentException alsoRefused) {
                return;
            }
            throw new AssertionError("the slice was taken, the same bytes alone refused");
        }
        assertEquals(alone, ClientInput.utf8(framed, before, bytes.length));
    }

    /** Any text a Java string can hold as Unicode: every code point but lone surrogates, no byte order mark first. */
    @Provide
    Arbitrary<String> unicodeText() {
        return Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .list().ofMaxSize(100)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString())
                .filter(s -> !s.startsWith("\uFEFF"));
    }

    /** Random bytes, and UTF-8 of random text with ill-formed sequences, flipped bits or a byte order mark put in. */
    @Provide
    Arbitrary<byte[]> nearlyUtf8() {
        Arbitrary<byte[]> encoded = unicodeText().map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                encoded,
                encoded.map(b -> HostileJson.concat(BOM, b)),
                encoded.flatMap(b -> Arbitraries.randomValue(random -> HostileJson.corrupt(random, b))));
    }

    /** Unicode's Table 3-7, the well-formed UTF-8 byte sequences, as written there. */
    static boolean wellFormed(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xFF;
            int trailing;
            int secondLow = 0x80;
            int secondHigh = 0xBF;
            if (lead <= 0x7F) {
                trailing = 0;
            } else if (lead >= 0xC2 && lead <= 0xDF) {
                trailing = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                trailing = 2;
                secondLow = lead == 0xE0 ? 0xA0 : 0x80;
                secondHigh = lead == 0xED ? 0x9F : 0xBF;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                trailing = 3;
                secondLow = lead == 0xF0 ? 0x90 : 0x80;
                secondHigh = lead == 0xF4 ? 0x8F : 0xBF;
            } else {
                return false;
            }
            if (i + trailing >= b.length) {
                return false;
            }
            for (int k = 1; k <= trailing; k++) {
                int c = b[i + k] & 0xFF;
                if (c < (k == 1 ? secondLow : 0x80) || c > (k == 1 ? secondHigh : 0xBF)) {
                    return false;
                }
            }
            i += trailing + 1;
        }
        return true;
    }

    private static boolean startsWithBom(byte[] bytes) {
        return bytes.length >= BOM.length && Arrays.equals(bytes, 0, BOM.length, BOM, 0, BOM.length);
    }
}
