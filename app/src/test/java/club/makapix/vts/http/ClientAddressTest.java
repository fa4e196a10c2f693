package club.makapix.vts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** X-Forwarded-For entries are address literals or nothing: a name is never looked up. */
class ClientAddressTest {
    @Test
    void literalsAreRead() throws Exception {
        assertEquals(InetAddress.getByName("203.0.113.7"), ClientAddress.literal(" 203.0.113.7 "));
        assertEquals(InetAddress.getByName("203.0.113.7"), ClientAddress.literal("203.0.113.7:4711"));
        assertEquals(InetAddress.getByName("2001:db8::1"), ClientAddress.literal("2001:db8::1"));
        assertEquals(InetAddress.getByName("2001:db8::1"), ClientAddress.literal("[2001:db8::1]:443"));
    }

    @Test
    void namesAndGarbageAreNotAddresses() {
        // names made of hex digits and dots passed the old check and went to DNS
        for (String text : new String[] {"cafe.be", "add.bad.face", "beef", "1.2.3", "1.2.3.4.5", "example.com", "unknown",
                "", "[", "[nope]", "1.2.3.4:5:6", "::g"}) {
            assertNull(ClientAddress.literal(text), text);
        }
    }
}
