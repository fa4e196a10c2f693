package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import club.makapix.vts.config.InvalidSettingException;
import club.makapix.vts.support.GeoFixture;
import club.makapix.vts.support.MmdbWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CountryResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class CountryLookupTest {
    @TempDir
    Path dir;

    @Test
    void fixtureGivesItsCountriesForIpv4AndIpv6() throws IOException {
        try (CountryLookup lookup = CountryLookup.open(GeoFixture.writeTo(dir))) {
            GeoFixture.COUNTRY_OF.forEach((address, country) ->
                    assertEquals(country, lookup.countryOf(ip(address)), address));
            GeoFixture.UNKNOWN.forEach(address -> assertNull(lookup.countryOf(ip(address)), address));
        }
    }

    @Test
    void geoip2ReadsTheWholeFixtureRecord() throws Exception {
        try (DatabaseReader reader = new DatabaseReader.Builder(GeoFixture.writeTo(dir).toFile()).build()) {
            assertEquals("GeoLite2-Country", reader.metadata().databaseType());
            assertEquals(6, reader.metadata().ipVersion());
            CountryResponse germany = reader.country(ip("203.0.113.7"));
            assertEquals("DE", germany.country().isoCode());
            assertEquals(2921044L, germany.country().geonameId());
            assertEquals("Germany", germany.country().name());
            assertTrue(germany.country().isInEuropeanUnion());
            assertEquals("EU", germany.continent().code());
            assertEquals("Europe", germany.continent().name());
            assertEquals("Japan", reader.country(ip("2001:db8:1234::5")).country().name());
        }
    }

    @Test
    void writerHandlesNetworksInAnyOrder() throws IOException {
        Path file = new MmdbWriter("GeoIP2-Country")
                .add("10.1.2.0/24", "SE")
                .add("10.0.0.0/8", "NO")
                .add("10.1.2.128/32", "FI")
                .write(dir.resolve("any-order.mmdb"));
        try (CountryLookup lookup = CountryLookup.open(file)) {
            assertEquals("SE", lookup.countryOf(ip("10.1.2.3")));
            assertEquals("NO", lookup.countryOf(ip("10.1.3.3")));
            assertEquals("FI", lookup.countryOf(ip("10.1.2.128")));
            assertEquals("SE", lookup.countryOf(ip("10.1.2.129")));
            assertNull(lookup.countryOf(ip("11.0.0.1")));
        }
    }

    @Test
    void writerEncodesEverySizeForm() throws Exception {
        // Sizes below 29 fit the control byte; 29+, 285+ and 65,821+ take 1, 2 and 3 more bytes.
        Map<String, String> nameOf = Map.of("192.0.2.1", "a".repeat(28), "192.0.2.2", "b".repeat(284),
                "192.0.2.3", "c".repeat(65_820), "192.0.2.4", "d".repeat(70_000));
        MmdbWriter writer = new MmdbWriter("GeoLite2-Country");
        nameOf.forEach((address, name) -> writer.add(address + "/32",
                Map.of("country", Map.of("iso_code", "SE", "names", Map.of("en", name)))));
        try (DatabaseReader reader = new DatabaseReader.Builder(writer.write(dir.resolve("sizes.mmdb")).toFile()).build()) {
            for (Map.Entry<String, String> entry : nameOf.entrySet()) {
                CountryResponse found = reader.country(ip(entry.getKey()));
                assertEquals(entry.getValue(), found.country().name(), entry.getKey());
                assertEquals("SE", found.country().isoCode(), entry.getKey());
            }
        }
    }

    @Test
    void noDatabaseKnowsNoCountry() {
        assertNull(CountryLookup.none().countryOf(ip("203.0.113.7")));
    }

    @Test
    void missingFileOrDirectoryIsRefused() {
        assertRefused(dir.resolve("nowhere.mmdb"), "no .mmdb file");
        assertRefused(dir, "no .mmdb file");
    }

    @Test
    void fileThatIsNotAMaxMindDbIsRefused() throws IOException {
        assertRefused(Files.writeString(dir.resolve("notes.mmdb"), "just some text\n"), "not a MaxMind DB");
        assertRefused(Files.write(dir.resolve("empty.mmdb"), new byte[0]), "not a MaxMind DB");

        byte[] fixture = Files.readAllBytes(GeoFixture.writeTo(dir));
        // Cut off inside the search tree: the metadata at the end is gone.
        Path truncated = Files.write(dir.resolve("truncated.mmdb"), Arrays.copyOf(fixture, 40));
        assertRefused(truncated, "not a MaxMind DB");
    }

    @Test
    void brokenSearchTreeIsRefusedAtOpenNotAtSomeLaterLookup() throws IOException {
        byte[] bytes = Files.readAllBytes(GeoFixture.writeTo(dir));
        // Node 0's right record (addresses starting with a 1 bit, none in the fixture) now points
        // far past the end of the file; lookups of the fixture's own addresses never pass there.
        bytes[3] = (byte) 0xFF;
        bytes[4] = (byte) 0xFF;
        bytes[5] = (byte) 0xFF;
        assertRefused(Files.write(dir.resolve("broken-tree.mmdb"), bytes), "corrupt");
    }

    @Test
    void databaseWithoutCountriesIsRefused() throws IOException {
        Path asn = new MmdbWriter("GeoLite2-ASN")
                .add("203.0.113.0/24", Map.of("autonomous_system_number", new MmdbWriter.Uint32(64496)))
                .write(dir.resolve("asn.mmdb"));
        assertRefused(asn, "is not a country database (it is GeoLite2-ASN)");
    }

    @Test
    void maxMindsCorruptTestDatabaseIsRefused() {
        Path corrupt = sharedGeoipFile("corrupt-search-tree.mmdb");
        assumeTrue(Files.isRegularFile(corrupt), "no " + corrupt + " here (a clone without ../shared)");
        // Its database type ("Test") already tells it is no country database, before its tree is read.
        assertRefused(corrupt, "is not a country database");
    }

    /** Every network of MaxMind's own test database, checked against the JSON it was built from. */
    @Test
    void readsMaxMindsGeoLite2CountryTestDatabase() throws IOException {
        Path database = sharedGeoipFile("GeoLite2-Country-Test.mmdb");
        Path source = sharedGeoipFile("GeoLite2-Country-Test.json");
        assumeTrue(Files.isRegularFile(database) && Files.isRegularFile(source),
                "no " + database + " here (a clone without ../shared)");

        List<Executable> checks = new ArrayList<>();
        try (CountryLookup lookup = CountryLookup.open(database)) {
            for (JsonNode entry : new ObjectMapper().readTree(source.toFile())) {
                entry.fields().forEachRemaining(network -> {
                    String firstAddress = network.getKey().split("/")[0];
                    String expected = network.getValue().path("country").path("iso_code").textValue();
                    String actual = lookup.countryOf(ip(firstAddress));
                    checks.add(() -> assertEquals(expected, actual, network.getKey()));
                });
            }
            assertTrue(checks.size() > 200, "networks in the JSON: " + checks.size());
            assertAll(checks);
            // Its README's examples; 2.125.160.216 is registered in FR but located in GB.
            assertEquals("GB", lookup.countryOf(ip("2.125.160.216")));
            assertEquals("US", lookup.countryOf(ip("216.160.83.56")));
            assertEquals("JP", lookup.countryOf(ip("2001:218::1")));
            assertNull(lookup.countryOf(ip("8.8.8.8")));
            assertNull(lookup.countryOf(ip("127.0.0.1")));
        }
    }

    private static void assertRefused(Path file, String reason) {
        InvalidSettingException refused = assertThrows(InvalidSettingException.class, () -> CountryLookup.open(file));
        assertTrue(refused.getMessage().startsWith("VTS_GEOIP_DB: "), refused.getMessage());
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
    }

    /**
     * {@code ../shared/geoip/} beside the repository; the repository root is the highest folder
     * with a pom.xml above where the test runs (the module folder under Maven).
     */
    private static Path sharedGeoipFile(String name) {
        Path root = Path.of("").toAbsolutePath();
        while (root.getParent() != null && Files.isRegularFile(root.getParent().resolve("pom.xml"))) {
            root = root.getParent();
        }
        return root.resolve("../shared/geoip").resolve(name).normalize();
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
