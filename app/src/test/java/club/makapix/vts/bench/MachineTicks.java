package club.makapix.vts.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU time so far, all cores together, in clock ticks: the first line of
 * {@code /proc/stat}. Busy is everything but idle and I/O wait.
 */
record MachineTicks(long busy, long total) {
    private static final Path STAT = Path.of("/proc/stat");

    /** Now; null where there is no {@code /proc/stat}. */
    static MachineTicks read() {
        try {
            String[] f = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            // user nice system idle iowait irq softirq steal; guest time, after them, is already inside user
            for (int i = 1; i <= 8 && i < f.length; i++) {
                long ticks = Long.parseLong(f[i]);
                total += ticks;
                idle += i == 4 || i == 5 ? ticks : 0;
            }
            return new MachineTicks(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The share of all cores that was busy since {@code earlier}. */
    double busyShareSince(MachineTicks earlier) {
        long total = this.total - earlier.total;
        return total <= 0 ? 0 : (double) (busy - earlier.busy) / total;
    }
}
