package club.makapix.vts.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Short-lived state the pipeline shares across nodes when Redis is configured: recently stored event
 * keys (dedupe), rate-limit slots, and when something last happened (a player's last stored event of
 * a post, for screen time).
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

    /** Notes that {@code what} happened {@code at}, remembered for at least {@code keep}. */
    void mark(String what, Instant at, Duration keep);

    /** When {@code what} was last marked, or null when never, or forgotten. */
    Instant lastMark(String what);
}
