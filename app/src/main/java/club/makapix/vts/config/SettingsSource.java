package club.makapix.vts.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where raw settings come from: the environment, over an optional properties file named by
 * {@code VTS_CONFIG_FILE} (same keys; the environment wins).
 */
public final class SettingsSource {
    private SettingsSource() {}

    public static Map<String, String> fromEnvironment() {
        return merge(System.getenv());
    }

    static Map<String, String> merge(Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        String file = env.get("VTS_CONFIG_FILE");
        if (file != null && !file.isBlank()) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(file))) {
                props.load(reader);
            } catch (IOException | RuntimeException e) {
                throw new InvalidSettingException("VTS_CONFIG_FILE", "cannot read " + file + " (" + e.getMessage() + ")");
            }
            props.forEach((k, v) -> values.put(k.toString().trim(), v.toString().trim()));
        }
        env.forEach((k, v) -> {
            if (k.startsWith("VTS_")) {
                values.put(k, v);
            }
        });
        return values;
    }
}
