package club.makapix.vts.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits: poll a condition until it holds or a deadline passes. */
public final class Eventually {
    private Eventually() {}

    /** Waits until {@code condition} holds; fails with {@code what} (evaluated then) after {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what.get());
            }
            Thread.sleep(50);
        }
    }
}
