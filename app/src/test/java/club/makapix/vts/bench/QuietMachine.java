package club.makapix.vts.bench;

import java.util.Locale;

/**
 * Waits for the machine to go quiet before a phase, so the work left over from the one before (a
 * broker still relaying, a database writing back) is not counted against the next. Reads the
 * kernel's CPU counters ({@code /proc/stat}); elsewhere it does not wait.
 */
final class QuietMachine {
    /** Quiet: at least this share of all cores idle in each of {@link #QUIET_LOOKS} 200 ms looks in a row. */
    private static final double IDLE_SHARE = 0.8;
    /** One quiet look was not enough: Mosquitto, relaying the end of its load, paused for one and went on. */
    private static final int QUIET_LOOKS = 3;
    private static final long MAX_WAIT_MS = 10_000;

    private QuietMachine() {}

    static void await() throws InterruptedException {
        long start = System.nanoTime();
        MachineTicks before = MachineTicks.read();
        if (before == null) {
            return;
        }
        int quietLooks = 0;
        while (quietLooks < QUIET_LOOKS && (System.nanoTime() - start) / 1_000_000 < MAX_WAIT_MS) {
            Thread.sleep(200);
            MachineTicks after = MachineTicks.read();
            quietLooks = 1 - after.busyShareSince(before) >= IDLE_SHARE ? quietLooks + 1 : 0;
            before = after;
        }
        long waited = (System.nanoTime() - start) / 1_000_000;
        if (waited > 1_000) {
            System.out.printf(Locale.ROOT, "  (waited %.1f s for the machine to go quiet)%n", waited / 1000.0);
        }
    }
}
