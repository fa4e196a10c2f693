package club.makapix.vts.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjLongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Runs one phase of load for a fixed time: waits for a quiet machine, starts it, prints and
 * records one progress line a second, then waits (bounded) for what is still in flight so the next
 * phase starts on a quiet server. Latencies are recorded in microseconds in a fresh {@link LoadStats};
 * the CPU each process spent over the window is measured with it.
 */
final class PhaseWindow {
    private static final long DRAIN_SECONDS = 15;

    private final Timeline timeline;
    private final CpuMeter cpu;

    PhaseWindow(Timeline timeline, CpuMeter cpu) {
        this.timeline = timeline;
        this.cpu = cpu;
    }

    /**
     * @param eventsPerSuccess events one successful request carries (100 for a batch), for the rate
     * @param start            starts the load, recording into the given stats; it must stop sending at the
     *                         given System.nanoTime
     */
    PhaseResult run(String phase, int seconds, int eventsPerSuccess, ObjLongConsumer<LoadStats> start) throws InterruptedException {
        QuietMachine.await();
        LoadStats stats = new LoadStats();
        CpuMeter.Reading cpuBefore = cpu.read();
        long begin = System.nanoTime();
        long end = begin + TimeUnit.SECONDS.toNanos(seconds);
        start.accept(stats, end);
        long ackedBefore = 0;
        for (int second = 1; second <= seconds; second++) {
            sleepUntil(begin + TimeUnit.SECONDS.toNanos(second));
            Histogram lastSecond = stats.takeInterval();
            long acked = stats.acked();
            double p99 = lastSecond.getValueAtPercentile(99) / 1000.0;
            timeline.add(phase, (acked - ackedBefore) * eventsPerSuccess, p99);
            System.out.printf(Locale.ROOT, "  [%s %2ds] %,d/s  p99 %.1f ms  in flight %,d  errors %,d%n", phase, second,
                    (acked - ackedBefore) * eventsPerSuccess, p99, stats.inFlight(), stats.rejected() + stats.lostCount());
            ackedBefore = acked;
        }
        long ackedInWindow = stats.acked();
        CpuUse cpuUse = cpu.use(cpuBefore, cpu.read(), (double) ackedInWindow * eventsPerSuccess);
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        while (stats.inFlight() > 0 && System.nanoTime() - drainUntil < 0) {
            Thread.sleep(20);
        }
        stats.takeInterval();
        Histogram all = stats.allLatencies();
        return new PhaseResult(phase, (double) ackedInWindow * eventsPerSuccess / seconds, ackedInWindow,
                stats.rejected() + stats.lostCount() + stats.inFlight(), all.getValueAtPercentile(50) / 1000.0,
                all.getValueAtPercentile(99) / 1000.0, all.getMaxValue() / 1000.0, cpuUse);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
