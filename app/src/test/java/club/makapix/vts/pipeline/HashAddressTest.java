package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both doors: the address becomes its keyed hash and is forgotten; no later stage can see it. */
class HashAddressTest {
    final AddressHasher hasher = new AddressHasher("test-ip-hash-key-0123456789", false);
    final HashAddress stage = new HashAddress(hasher);

    @Test
    void theAddressIsReplacedByItsKeyedHash() {
        for (Event event : List.of(TestEvents.webView(7), TestEvents.playerView(Door.MQTT, "player-1", 7))) {
            assertEquals(Verdict.pass(), stage.apply(event), event.door().label());
            assertEquals(hasher.hash(TestEvents.CLIENT, TestEvents.RECEIVED_AT), event.ipHash(), event.door().label());
            assertNull(event.address(), event.door().label());
        }
    }

    @Test
    void withDailyKeysTheHashIsThatOfTheDayTheEventArrived() {
        AddressHasher dailyHasher = new AddressHasher("test-ip-hash-key-0123456789", true);
        HashAddress daily = new HashAddress(dailyHasher);
        Instant nextDay = TestEvents.RECEIVED_AT.plus(Duration.ofDays(1));
        Event today = TestEvents.webView(7);
        Event tomorrow = TestEvents.webView(7, TestEvents.CLIENT, nextDay);

        daily.apply(today);
        daily.apply(tomorrow);
        assertEquals(dailyHasher.hash(TestEvents.CLIENT, TestEvents.RECEIVED_AT), today.ipHash());
        assertEquals(dailyHasher.hash(TestEvents.CLIENT, nextDay), tomorrow.ipHash());
        assertNotEquals(today.ipHash(), tomorrow.ipHash(), "days cannot be linked");
    }

    @Test
    void noAddressNoHash() {
        Event event = TestEvents.webView(7, null, TestEvents.RECEIVED_AT);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertNull(event.ipHash());
    }
}
