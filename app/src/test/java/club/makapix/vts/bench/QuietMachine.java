package club.makapix.vts.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Waits for the machine to go quiet before a phase, so the work left over from the one before (a
 * broker still relaying, a database writing back) is not counted against the next. Reads the
 * kernel's CPU counters ({@code /proc/stat}); elsewhere it does not wait.
 */
final class QuietMachine {
    private static final Path STAT = Path.of("/proc/stat");
    /** Quiet: at least this share of all cores idle in each of {@link #QUIET_LOOKS} 200 ms looks in a row. */
    private static final double IDLE_SHARE = 0.8;
    /** One quiet look was not enough: Mosquitto, relaying the end of its load, paused for one and went on. */
    private static final int QUIET_LOOKS = 3;
    private static final long MAX_WAIT_MS = 10_000;

    private QuietMachine() {}

    static void await() throws InterruptedException {
        long start = System.nanoTime();
        long[] before = cpuTicks();
        if (before == null) {
            return;
        }
        int quietLooks = 0;
        while (quietLooks < QUIET_LOOKS && (System.nanoTime() - start) / 1_000_000 < MAX_WAIT_MS) {
            Thread.sleep(200);
            long[] after = cpuTicks();
            double idle = (double) (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
            quietLooks = idle >= IDLE_SHARE ? quietLooks + 1 : 0;
            before = after;
        }
        long waited = (System.nanoTime() - start) / 1_000_000;
        if (waited > 1_000) {
            System.out.printf(Locale.ROOT, "  (waited %.1f s for the machine to go quiet)%n", waited / 1000.0);
        }
    }

    /** {total, idle} jiffies over all cores, or null without /proc/stat. */
    private static long[] cpuTicks() {
        try {
            String[] fields = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);   // idle + iowait
            return new long[] {total, idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
