package club.makapix.vts.bench;

import java.util.Locale;

/**
 * The load after one more second: totals so far and what the last second added.
 *
 * @param second           seconds since the load started
 * @param acked            successful PUBACKs so far
 * @param ackedLastSecond  successful PUBACKs in the last second
 * @param errors           rejected plus lost publishes so far
 * @param inFlight         publishes awaiting their PUBACK now
 * @param p99LastSecondMs  PUBACK latency p99 over the last second
 * @param connectedPlayers players whose connection is up
 */
record ProgressSample(int second, long acked, long ackedLastSecond, long errors, long inFlight,
                      double p99LastSecondMs, int connectedPlayers) {

    static final String CSV_HEADER = "second,acked,acked_last_second,errors,in_flight,p99_last_second_ms,connected_players";

    String line() {
        return String.format(Locale.ROOT, "[%3ds] acked %,d (%,.0f/s so far, %,d/s last 1s)  errors %,d  in flight %,d  p99 %.1f ms  connected %d",
                second, acked, (double) acked / second, ackedLastSecond, errors, inFlight, p99LastSecondMs, connectedPlayers);
    }

    String csv() {
        return String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%.3f,%d",
                second, acked, ackedLastSecond, errors, inFlight, p99LastSecondMs, connectedPlayers);
    }
}
