package club.makapix.vts.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the simulated players saw, recorded from many Paho threads at once: publishes, PUBACKs by
 * reason code, publishes lost with their connection, and the PUBACK latency in microseconds.
 */
final class LoadStats {
    /** Longer than any PUBACK the server would hold (its timeout is at most 10 minutes). */
    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(15);

    private final Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
    private final Histogram allLatencies = new Histogram(MAX_LATENCY_MICROS, 3);
    private final LongAdder published = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final Map<Integer, LongAdder> rejectedByCode = new ConcurrentHashMap<>();
    private final LongAdder lost = new LongAdder();

    void published() {
        published.increment();
    }

    /**
     * A PUBACK arrived (for a relay request, its response): reason code 0 is success (stored or a
     * duplicate; answered), anything else a rejection.
     */
    void answered(long latencyNanos, int reasonCode) {
        latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(latencyNanos))));
        if (reasonCode == 0) {
            acked.increment();
        } else {
            rejectedByCode.computeIfAbsent(reasonCode, c -> new LongAdder()).increment();
        }
    }

    /** The publish failed or its connection was lost before the PUBACK. */
    void lost() {
        lost.increment();
    }

    long acked() {
        return acked.sum();
    }

    long rejected() {
        return rejectedByCode.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long lostCount() {
        return lost.sum();
    }

    long inFlight() {
        return published.sum() - acked() - rejected() - lostCount();
    }

    /** Rejections by PUBACK reason code, in hex as MQTT 5 names them (0x97 rate limited…). */
    Map<String, Long> rejectedByCode() {
        Map<String, Long> byCode = new TreeMap<>();
        rejectedByCode.forEach((code, n) -> byCode.put(String.format("0x%02x", code), n.sum()));
        return byCode;
    }

    /** The latencies recorded since the last call; they are also added to {@link #allLatencies()}. */
    synchronized Histogram takeInterval() {
        Histogram interval = latency.getIntervalHistogram();
        allLatencies.add(interval);
        return interval;
    }

    /** Every latency recorded so far (call {@link #takeInterval()} first to include the latest). */
    synchronized Histogram allLatencies() {
        return allLatencies.copy();
    }
}
