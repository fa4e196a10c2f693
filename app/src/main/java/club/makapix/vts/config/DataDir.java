package club.makapix.vts.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server's own folder ({@code VTS_DATA_DIR}): the embedded database and the secrets made once
 * at first start and kept (admin token, IP-hash key).
 */
public final class DataDir {
    private final Path root;

    public DataDir(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new InvalidSettingException("VTS_DATA_DIR", "cannot create " + root + " (" + e.getMessage() + ")");
        }
        if (!Files.isWritable(root)) {
            throw new InvalidSettingException("VTS_DATA_DIR", root + " is not writable");
        }
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /** A secret kept in a file readable only by its owner. */
    public record Secret(String value, boolean created) {}

    /** Reads the named secret, or makes a random one and keeps it. */
    public Secret secret(String fileName) {
        Path file = root.resolve(fileName);
        try {
            if (Files.exists(file)) {
                return new Secret(Files.readString(file, StandardCharsets.UTF_8).trim(), false);
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path tmp = Files.createTempFile(root, fileName, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file);
            } catch (FileAlreadyExistsException raced) {
                Files.delete(tmp);
                return secret(fileName);
            }
            return new Secret(value, true);
        } catch (IOException e) {
            throw new InvalidSettingException("VTS_DATA_DIR", "cannot keep " + file + " (" + e.getMessage() + ")");
        }
    }
}
