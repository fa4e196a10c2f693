package club.makapix.vts.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers the tests start, taken below the kernel's ephemeral range, where
 * nothing else gets one by asking for "any port": the embedded PostgreSQL (which asks so at each
 * start) and outgoing connections then never take a port a test server was given but has not bound
 * yet. Under a benchmark holding most ephemeral ports, both happened: a server's PostgreSQL took its
 * MQTT port. A port given once in this JVM is not given again; the range is split by process id, so
 * two test JVMs (two worktrees) rarely meet.
 */
public final class Ports {
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();
    private static final int LOWEST = 10_000;
    private static final int EPHEMERAL_START = ephemeralStart();

    private Ports() {}

    public static int free() {
        int span = EPHEMERAL_START - LOWEST;
        int start = LOWEST + (int) (ProcessHandle.current().pid() * 7919 % span);
        for (int attempt = 0; attempt < 2_000; attempt++) {
            int port = LOWEST + (start - LOWEST + attempt * 37 + ThreadLocalRandom.current().nextInt(37)) % span;
            if (!GIVEN.contains(port) && bindable(port) && GIVEN.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + EPHEMERAL_START);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port the kernel hands out for "any port" (Linux: ip_local_port_range), 32768 if unknown. */
    private static int ephemeralStart() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
