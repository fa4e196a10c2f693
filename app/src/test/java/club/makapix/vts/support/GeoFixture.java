package club.makapix.vts.support;

import club.makapix.vts.support.MmdbWriter.Uint32;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The project's own GeoLite2-Country-shaped database for tests: the documentation ranges and
 * loopback, with made-up countries. Loopback has a country so tests against a local server see one.
 */
public final class GeoFixture {
    /** Addresses and the country the fixture gives each. */
    public static final Map<String, String> COUNTRY_OF = Map.of(
            "127.0.0.1", "NL",
            "::1", "NL",
            "192.0.2.10", "US",
            "198.51.100.7", "CA",
            "203.0.113.7", "DE",
            "203.0.113.201", "FR", // 203.0.113.200/29 inside DE's /24: the narrower network wins
            "2001:db8::1", "JP",
            "2001:db8:ffff:ffff::2", "JP");

    /** Addresses the fixture has no country for. */
    public static final Set<String> UNKNOWN = Set.of("10.0.0.1", "8.8.8.8", "198.18.0.1", "2001:db9::1", "fe80::1");

    private static final Map<String, Long> CONTINENT_GEONAME_IDS = Map.of("EU", 6255148L, "NA", 6255149L, "AS", 6255147L);
    private static final Map<String, String> CONTINENT_NAMES = Map.of("EU", "Europe", "NA", "North America", "AS", "Asia");

    private GeoFixture() {}

    /** Writes the fixture into {@code directory} (e.g. a JUnit temp dir) and returns its path. */
    public static Path writeTo(Path directory) throws IOException {
        return new MmdbWriter("GeoLite2-Country")
                .add("127.0.0.0/8", country("NL", 2750405, "Netherlands", "EU", true))
                .add("::1/128", country("NL", 2750405, "Netherlands", "EU", true))
                .add("192.0.2.0/24", country("US", 6252001, "United States", "NA", false))
                .add("198.51.100.0/24", country("CA", 6251999, "Canada", "NA", false))
                .add("203.0.113.0/24", country("DE", 2921044, "Germany", "EU", true))
                .add("203.0.113.200/29", country("FR", 3017382, "France", "EU", true))
                .add("2001:db8::/32", country("JP", 1861060, "Japan", "AS", false))
                .write(directory.resolve("vts-test-country.mmdb"));
    }

    /** A record laid out as in GeoLite2-Country (registered_country left out: VTS reads country). */
    private static Map<String, Object> country(
            String isoCode, long geonameId, String englishName, String continentCode, boolean inEuropeanUnion) {
        return Map.of(
                "continent", Map.of(
                        "code", continentCode,
                        "geoname_id", new Uint32(CONTINENT_GEONAME_IDS.get(continentCode)),
                        "names", Map.of("en", CONTINENT_NAMES.get(continentCode))),
                "country", Map.of(
                        "iso_code", isoCode,
                        "geoname_id", new Uint32(geonameId),
                        "is_in_european_union", inEuropeanUnion,
                        "names", Map.of("en", englishName)));
    }
}
