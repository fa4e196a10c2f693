package club.makapix.vts.bench;

import club.makapix.vts.durability.StreamingPlayer;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The players of one reliability phase, streaming p3a views to one server at QoS 1: half send an
 * {@code event_id}, half are keyless as p3a firmware is (the server knows their resends by player +
 * post + timestamp). Each reconnects after losing its connection and resends what was not
 * acknowledged, as a device does.
 */
final class StreamingPlayers implements AutoCloseable {
    private static final String OWNER = "bench-owner";

    private final List<StreamingPlayer> players;

    private StreamingPlayers(List<StreamingPlayer> players) {
        this.players = players;
    }

    /** Registers {@code count} players viewing {@code postIds}, each pausing {@code pauseMillis} after a publish; not started yet. */
    static StreamingPlayers register(Admin admin, String mqttUri, int count, List<Long> postIds, long pauseMillis) {
        List<StreamingPlayer> players = new ArrayList<>(StreamingPlayer.register(admin, mqttUri, count - count / 2, OWNER, postIds,
                pauseMillis, true));
        players.addAll(StreamingPlayer.register(admin, mqttUri, count / 2, OWNER, postIds, pauseMillis, false));
        return new StreamingPlayers(players);
    }

    void start() {
        players.forEach(StreamingPlayer::start);
    }

    List<StreamingPlayer> list() {
        return players;
    }

    long acknowledged() {
        return players.stream().mapToLong(StreamingPlayer::ackedCount).sum();
    }

    long awaitingPuback() {
        return players.stream().mapToLong(StreamingPlayer::unackedCount).sum();
    }

    /** Publishes whose connection was lost before their PUBACK (each is resent). */
    long cutBeforePuback() {
        return players.stream().mapToLong(StreamingPlayer::lostBeforePuback).sum();
    }

    /** PUBACKs with a failure reason code (none is expected: no rate limit, valid views of known posts). */
    long refused() {
        return players.stream().mapToLong(p -> p.refused().size()).sum();
    }

    /** Waits until every player has connected at least {@code times} times since it started. */
    void awaitConnections(int times, Duration timeout) throws InterruptedException {
        Eventually.until(timeout, () -> players.stream().allMatch(p -> p.connections() >= times),
                () -> "every player connected " + times + " times: " + players);
    }

    /** Waits until every player has had a successful PUBACK after this call. */
    void awaitEveryPlayerAcknowledged(Duration timeout) throws InterruptedException {
        int[] before = players.stream().mapToInt(StreamingPlayer::ackedCount).toArray();
        Eventually.until(timeout, () -> IntStream.range(0, players.size()).allMatch(i -> players.get(i).ackedCount() > before[i]),
                () -> "a successful PUBACK for every player: " + players);
    }

    /** Stops new events and waits (bounded) until every event sent is acknowledged; what is not stays counted as such. */
    void finish(Duration timeout) throws InterruptedException {
        players.forEach(StreamingPlayer::stopNewEvents);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (awaitingPuback() > 0 && System.nanoTime() - deadline < 0) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** Successful PUBACKs in [from, to) (System.nanoTime). */
    long acknowledgedBetween(long from, long to) {
        return players.stream().flatMap(p -> p.ackedAt().values().stream())
                .filter(t -> t - from >= 0 && t - to < 0).count();
    }

    /** Nanoseconds from {@code since} to the first successful PUBACK at or after it. */
    OptionalLong firstAcknowledgedAfter(long since) {
        return players.stream().map(p -> firstAcknowledgedAfter(p, since)).filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong).min();
    }

    /** Nanoseconds from {@code since} until every player had a successful PUBACK at or after it; empty if one had none. */
    OptionalLong everyPlayerAcknowledgedAfter(long since) {
        long latest = 0;
        for (StreamingPlayer p : players) {
            OptionalLong first = firstAcknowledgedAfter(p, since);
            if (first.isEmpty()) {
                return OptionalLong.empty();
            }
            latest = Math.max(latest, first.getAsLong());
        }
        return OptionalLong.of(latest);
    }

    private static OptionalLong firstAcknowledgedAfter(StreamingPlayer player, long since) {
        return player.ackedAt().values().stream().mapToLong(t -> t - since).filter(d -> d >= 0).min();
    }

    @Override
    public void close() throws InterruptedException {
        for (StreamingPlayer p : players) {
            p.close();
        }
    }
}
