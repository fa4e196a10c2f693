package club.makapix.vts.pipeline;

import java.time.Duration;
import java.util.UUID;

/**
 * Short-lived state the pipeline shares across nodes when Redis is configured: recently stored event
 * keys (dedupe) and rate-limit slots.
 */
public interface WindowState {
    /** Whether an event with this key was stored recently. */
    boolean seen(UUID key);

    /** Notes that the event with this key is durably stored. */
    void remember(UUID key);

    /**
     * Takes the slot {@code bucket} for {@code holder} for {@code window}. Returns 0 when taken (or
     * already held by the same holder), else the milliseconds until it frees.
     */
    long acquire(String bucket, String holder, Duration window);

    /** Frees the slot if {@code holder} still has it (its event was not stored after all). */
    void release(String bucket, String holder);
}
