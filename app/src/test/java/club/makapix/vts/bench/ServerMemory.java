package club.makapix.vts.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The server process's memory: Java heap in use right after a full GC (what the live objects
 * take, not what garbage happens to be waiting), and the resident set of the whole JVM.
 *
 * @param heapMb heap used after {@code jcmd <pid> GC.run}, from the server's /metrics
 * @param rssMb  VmRSS of the server's JVM (its embedded PostgreSQL is a separate process, not included)
 */
record ServerMemory(double heapMb, double rssMb) {
    private static final double MB = 1024 * 1024;

    static ServerMemory measure(long pid, int httpPort) throws IOException, InterruptedException {
        Process gc = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            gc.destroyForcibly();
            throw new IllegalStateException("jcmd " + pid + " GC.run failed");
        }
        double heap = MetricsScrape.fetch(httpPort).startingWith("jvm_memory_used_bytes{").entrySet().stream()
                .filter(e -> e.getKey().contains("area=\"heap\"")).mapToDouble(e -> e.getValue()).sum();
        return new ServerMemory(heap / MB, rssKb(pid) * 1024 / MB);
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }
}
