package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AddressHasherTest {
    static final Instant MONDAY = Instant.parse("2026-11-23T10:00:00Z");
    static final Instant MONDAY_NIGHT = Instant.parse("2026-11-23T23:59:59Z");
    static final Instant TUESDAY = Instant.parse("2026-11-24T00:00:01Z");

    @Test
    void sameAddressSameKeySameHashAndTheKeyMatters() throws Exception {
        InetAddress a = InetAddress.getByName("203.0.113.9");
        AddressHasher hasher = new AddressHasher("key-one-0123456789", false);
        assertEquals(hasher.hash(a, MONDAY), hasher.hash(a, TUESDAY));
        assertEquals(22, hasher.hash(a, MONDAY).length());
        assertNotEquals(hasher.hash(a, MONDAY), new AddressHasher("key-two-0123456789", false).hash(a, MONDAY));
        assertNotEquals(hasher.hash(a, MONDAY), hasher.hash(InetAddress.getByName("203.0.113.10"), MONDAY));
    }

    @Test
    void dailyKeysMakeDaysUnlinkable() throws Exception {
        InetAddress a = InetAddress.getByName("2001:db8::7");
        AddressHasher daily = new AddressHasher("key-one-0123456789", true);
        assertEquals(daily.hash(a, MONDAY), daily.hash(a, MONDAY_NIGHT));
        assertNotEquals(daily.hash(a, MONDAY_NIGHT), daily.hash(a, TUESDAY));
        String monday = daily.hash(a, MONDAY);
        daily.hash(a, TUESDAY);
        assertEquals(monday, daily.hash(a, MONDAY), "a late event of the day before still gets that day's hash");
    }
}
