package club.makapix.vts.pipeline;

import club.makapix.vts.config.InvalidSettingException;
import com.maxmind.db.CHMCache;
import com.maxmind.db.InvalidNetworkException;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CountryResponse;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The country of a client address, from a GeoIP2-format country database (GeoLite2-Country,
 * GeoIP2-Country, DB-IP country lite; a City database works too). Looked up before the address is
 * reduced to a hash, since a hash has no country.
 */
public final class CountryLookup implements Closeable {
    private static final String SETTING = "VTS_GEOIP_DB";
    private static final Logger log = LoggerFactory.getLogger(CountryLookup.class);

    private final DatabaseReader reader;
    private volatile boolean lookupFailureLogged;

    private CountryLookup(DatabaseReader reader) {
        this.reader = reader;
    }

    /** No database configured: every country is unknown. */
    public static CountryLookup none() {
        return new CountryLookup(null);
    }

    /**
     * Opens and checks the whole database now, so a bad file stops the start instead of failing
     * lookups later.
     *
     * @throws InvalidSettingException naming {@code VTS_GEOIP_DB} when the file is missing,
     *     unreadable, corrupt or not a database with countries
     */
    public static CountryLookup open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidSettingException(SETTING, "no .mmdb file at " + file);
        }
        if (!Files.isReadable(file)) {
            throw new InvalidSettingException(SETTING, "cannot read " + file);
        }
        DatabaseReader reader;
        try {
            reader = new DatabaseReader.Builder(file.toFile()).withCache(new CHMCache()).build();
        } catch (IllegalArgumentException e) {
            // geoip2 knows no model for the file's database type
            throw new InvalidSettingException(SETTING, file + " is not a country database (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException(SETTING, "not a MaxMind DB (.mmdb) file: " + file + " (" + e.getMessage() + ")");
        }
        try {
            requireCountries(reader, file);
            verifySearchTree(file);
        } catch (RuntimeException e) {
            closeQuietly(reader);
            throw e;
        }
        return new CountryLookup(reader);
    }

    /** The ISO 3166 code (e.g. {@code DE}), or null when the database has no country for it. */
    public String countryOf(InetAddress address) {
        if (reader == null) {
            return null;
        }
        try {
            Optional<CountryResponse> found = reader.tryCountry(address);
            return found.map(response -> response.country().isoCode()).orElse(null);
        } catch (IOException | GeoIp2Exception e) {
            // Checked at open, so this is not expected; an unknown country beats a lost event.
            if (!lookupFailureLogged) {
                lookupFailureLogged = true;
                log.warn("GeoIP lookup failed, country left unknown: {}", e.getMessage());
            }
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
    }

    /** geoip2 refuses country lookups on ASN, ISP, … databases; it tells by the database type. */
    private static void requireCountries(DatabaseReader reader, Path file) {
        String type = reader.metadata().databaseType();
        try {
            reader.tryCountry(InetAddress.getLoopbackAddress());
        } catch (UnsupportedOperationException e) {
            throw new InvalidSettingException(SETTING, file + " is not a country database (it is " + type + ")");
        } catch (IOException | GeoIp2Exception e) {
            throw new InvalidSettingException(SETTING, "corrupt database " + file + " (" + e.getMessage() + ")");
        }
    }

    /**
     * A broken search tree only shows on the lookups that pass through the broken node, so walk
     * every network once (IPv4 aliases skipped: they share the IPv4 subtree).
     */
    private static void verifySearchTree(Path file) {
        try (Reader walker = new Reader(file.toFile(), new CHMCache())) {
            Networks<Object> networks = walker.networks(false, Object.class);
            while (networks.hasNext()) {
                networks.next();
            }
        } catch (IOException | InvalidNetworkException | RuntimeException e) {
            throw new InvalidSettingException(SETTING, "corrupt database " + file + " (" + e.getMessage() + ")");
        }
    }

    private static void closeQuietly(DatabaseReader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // already failing with a clearer reason
        }
    }
}
