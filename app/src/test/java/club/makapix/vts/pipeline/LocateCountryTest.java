package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import club.makapix.vts.support.GeoFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both doors: the client's country, looked up in the project's GeoIP fixture while the address is known. */
class LocateCountryTest {
    static CountryLookup countries;
    static LocateCountry stage;

    @BeforeAll
    static void open(@TempDir Path dir) throws IOException {
        countries = CountryLookup.open(GeoFixture.writeTo(dir));
        stage = new LocateCountry(countries);
    }

    @AfterAll
    static void close() throws IOException {
        countries.close();
    }

    @Test
    void webClientsAndPlayersGetTheCountryOfTheirAddress() {
        for (Event event : List.of(TestEvents.webView(7), TestEvents.playerView(Door.MQTT, "player-1", 7))) {
            assertEquals(Verdict.pass(), stage.apply(event), event.door().label());
            assertEquals(GeoFixture.COUNTRY_OF.get("203.0.113.7"), event.country(), event.door().label());
            assertEquals(TestEvents.CLIENT, event.address(), "the address stays for the hash");
        }
    }

    @Test
    void anIpv6ClientToo() throws IOException {
        Event event = TestEvents.webView(7, InetAddress.getByName("2001:db8::1"), TestEvents.RECEIVED_AT);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(GeoFixture.COUNTRY_OF.get("2001:db8::1"), event.country());
    }

    @Test
    void anAddressWithoutCountryOrNoAddressPassesWithNone() throws IOException {
        Event unknown = TestEvents.webView(7, InetAddress.getByName("8.8.8.8"), TestEvents.RECEIVED_AT);
        Event noAddress = TestEvents.webView(7, null, TestEvents.RECEIVED_AT);

        for (Event event : List.of(unknown, noAddress)) {
            assertEquals(Verdict.pass(), stage.apply(event));
            assertNull(event.country());
        }
    }

    @Test
    void withoutAGeoipDatabaseEveryCountryIsUnknown() {
        Event event = TestEvents.webView(7);

        assertEquals(Verdict.pass(), new LocateCountry(CountryLookup.none()).apply(event));
        assertNull(event.country());
    }
}
