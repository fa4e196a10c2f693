package club.makapix.vts.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /**
     * Takes the folder for this server until {@code close}: a second server on the same folder would
     * take the first one's embedded PostgreSQL for an orphan and stop it. The operating system lets go
     * of the lock when a server dies, so a folder left by a killed server is taken over as before.
     */
    public AutoCloseable lock() {
        Path file = root.resolve("vts.lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new InvalidSettingException("VTS_DATA_DIR", root + " is in use by another VTS server"
                        + (holder.isEmpty() ? "" : " (process " + holder + ")") + "; give each server its own folder");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            FileChannel held = channel;
            return () -> {
                lock.release();
                held.close();
            };
        } catch (IOException e) {
            closeQuietly(channel);
            throw new InvalidSettingException("VTS_DATA_DIR", "cannot lock " + file + " (" + e.getMessage() + ")");
        }
    }

    /** The lock, or null when another process, or another server in this one, holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the lock failed already; that is what is reported
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
