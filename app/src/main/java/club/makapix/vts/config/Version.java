package club.makapix.vts.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** This build's version, as Maven wrote it into {@code vts-version.properties}. */
public final class Version {
    private Version() {}

    public static String current() {
        try (InputStream in = Version.class.getClassLoader().getResourceAsStream("vts-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("vts-version.properties is missing from the build");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
