package club.makapix.vts.stats;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the numbers must be, computed by the test from what it sent and the contract's rules alone:
 * a view counts once per viewer, post and UTC day; impressions are never deduped; the artist's own
 * and robots' events never count. Watch time is every such event's credit, also of views that did
 * not count, averaged over the appearances that carried it (contract §5); watch reports add their
 * played time (within the media's length, or 24 h without one, and within the time since the
 * session's previous stored report plus 2 s) to watch time under "web", but are not appearances;
 * signed-in viewers start a post on the day of their first report with a known length and complete
 * it on the day of their first report at 80 % of it or more.
 */
final class Truth {
    /** What the contract calls complete: a position at this share of the media's length or beyond. */
    static final int COMPLETE_AT_PERCENT = 80;
    /** How much a watch report's played time may exceed the wall-clock time since its session's previous one. */
    static final long REPORT_SLACK_MS = 2_000;
    /** The most a played time counts for media without a length. */
    static final long PLAYED_CAP_WITHOUT_LENGTH_MS = 24 * 3_600_000L;

    /**
     * One event the test sent that the server must store and may count; {@code watchMs} is what it adds
     * to watch time (null: nothing), {@code continuesAppearance} whether a player's appearance goes on.
     * Also what a watch report adds (its credit, a start or a completion): then only the time, post,
     * artist and viewer mean anything.
     */
    record Sent(Instant at, long postId, String artist, String viewer, boolean view, String country, String device,
                String source, String channel, String playOrder, Long watchMs, boolean continuesAppearance) {
        LocalDate day() {
            return LocalDate.ofInstant(at, ZoneOffset.UTC);
        }

        static Sent ofReport(Instant at, long postId, String artist, String viewer, Long watchMs) {
            return new Sent(at, postId, artist, viewer, false, null, null, "web", null, null, watchMs, false);
        }
    }

    /** A stored watch report as the rules measure it, and which rules applied (for the history's coverage). */
    record Measured(long playedMs, boolean self, boolean hasLength, boolean positionClamped, boolean playedPastLength,
                    boolean playedPast24h, boolean playedPastWallClock, boolean playedAtWallClockLimit,
                    boolean reportLengthLost, boolean starts, boolean completes, boolean completesAfterStartDay) {}

    private final List<Sent> counted = new ArrayList<>();
    private final List<Sent> watched = new ArrayList<>();
    private final Set<String> viewsSeen = new HashSet<>();
    /** Watch reports' credit to the artists (not the artist's own); never appearances. */
    private final List<Sent> reported = new ArrayList<>();
    private final List<Sent> starts = new ArrayList<>();
    private final List<Sent> completions = new ArrayList<>();
    /** When each session's previous stored report was received (session: viewer, post and session id). */
    private final Map<String, Instant> sessions = new HashMap<>();
    /** Signed-in viewers' (viewer, post) pairs already started, and already completed. */
    private final Map<String, LocalDate> started = new HashMap<>();
    private final Set<String> completed = new HashSet<>();

    /** Records an event that reached the server and is not the artist's own nor a robot's. */
    void sent(Sent e) {
        if (e.watchMs() != null) {
            watched.add(e);
        }
        if (e.view() && !viewsSeen.add(e.day() + "|" + e.postId() + "|" + e.viewer())) {
            return; // a second view of the day by the same viewer: stored, not counted
        }
        counted.add(e);
    }

    /**
     * Records a watch report the server stores (not a resend, not a robot's), in the order the server
     * stores them, and measures it by the contract's rules (§5): the media's length is the post's
     * registered one, else the report's; the position is clamped to it; the played time counts up to the
     * length (24 h without one) and, after the session's first report, up to the time since its previous
     * stored report plus 2 s. The artist's own report adds nothing to their figures. A signed-in viewer
     * starts a post with their first report that has a length, and completes it with their first whose
     * position reaches 80 % of the length.
     *
     * @param viewer    who the server knows the reporter as (the token's sub, or the address for anyone)
     * @param sessionId the report's session_id (null: none, which is a session of its own)
     */
    Measured report(Instant at, long postId, String artist, String viewer, boolean signedIn, String sessionId,
                    Long registeredLengthMs, long positionMs, Long reportedLengthMs, Long playedMs) {
        Long length = registeredLengthMs != null ? registeredLengthMs : reportedLengthMs;
        boolean positionClamped = length != null && positionMs > length;
        long position = positionClamped ? length : positionMs;
        long played = playedMs == null ? 0 : playedMs;
        long lengthCap = length != null ? length : PLAYED_CAP_WITHOUT_LENGTH_MS;
        boolean pastLength = played > lengthCap;
        played = Math.min(played, lengthCap);
        Instant previous = sessions.put(viewer + "|" + postId + "|" + (sessionId == null ? "" : sessionId), at);
        boolean pastWallClock = false;
        boolean atLimit = false;
        if (previous != null) {
            long limit = Math.max(0, Duration.between(previous, at).toMillis()) + REPORT_SLACK_MS;
            pastWallClock = played > limit;
            atLimit = played == limit;
            played = Math.min(played, limit);
        }
        boolean self = artist.equals(viewer);
        if (!self) {
            reported.add(Sent.ofReport(at, postId, artist, viewer, played));
        }
        String pair = viewer + "|" + postId;
        boolean starts = signedIn && !self && length != null && started.putIfAbsent(pair, LocalDate.ofInstant(at, ZoneOffset.UTC)) == null;
        boolean completes = signedIn && !self && length != null && position * 100 >= COMPLETE_AT_PERCENT * length
                && completed.add(pair);
        if (starts) {
            this.starts.add(Sent.ofReport(at, postId, artist, viewer, null));
        }
        if (completes) {
            completions.add(Sent.ofReport(at, postId, artist, viewer, null));
        }
        return new Measured(played, self, length != null, positionClamped, pastLength && length != null,
                pastLength && length == null, pastWallClock, atLimit && playedMs != null,
                registeredLengthMs != null && reportedLengthMs != null && !reportedLengthMs.equals(registeredLengthMs),
                starts, completes, completes && started.get(pair).isBefore(LocalDate.ofInstant(at, ZoneOffset.UTC)));
    }

    /** The expected answer for the events that match, over [from, to]: the API's fields. */
    Map<String, Object> expected(Predicate<Sent> which, LocalDate from, LocalDate to) {
        List<Sent> in = inRange(counted, which, from, to);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("views", in.stream().filter(Sent::view).count());
        out.put("impressions", in.stream().filter(e -> !e.view()).count());
        out.put("unique_viewers", (long) in.stream().filter(Sent::view).map(Sent::viewer).distinct().count());
        out.put("views_by_country", tally(in, true, Sent::country));
        out.put("views_by_device", tally(in, true, Sent::device));
        out.put("views_by_source", tally(in, true, Sent::source));
        out.put("views_by_channel", tally(in, true, Sent::channel));
        out.put("impressions_by_channel", tally(in, false, Sent::channel));
        out.put("views_by_play_order", tally(in, true, Sent::playOrder));
        out.put("impressions_by_play_order", tally(in, false, Sent::playOrder));
        putWatchTime(out, watching(which, from, to));
        Map<String, Long> bySourceMs = new TreeMap<>();
        inRange(watched, which, from, to).forEach(e -> bySourceMs.merge(e.source(), e.watchMs(), Long::sum));
        long reportedMs = watchMs(inRange(reported, which, from, to));
        if (reportedMs > 0) { // reports come from browsers and apps: the web
            bySourceMs.merge("web", reportedMs, Long::sum);
        }
        Map<String, Double> bySource = new TreeMap<>();
        bySourceMs.forEach((source, ms) -> bySource.put(source, ms / 1000.0));
        out.put("watch_time_by_source", bySource);
        List<Map<String, Object>> daily = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            LocalDate day = d;
            List<Sent> of = in.stream().filter(e -> e.day().equals(day)).toList();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("date", day.toString());
            row.put("views", of.stream().filter(Sent::view).count());
            row.put("impressions", of.stream().filter(e -> !e.view()).count());
            row.put("unique_viewers", (long) of.stream().filter(Sent::view).map(Sent::viewer).distinct().count());
            putWatchTime(row, watching(which, day, day));
            daily.add(row);
        }
        out.put("daily", daily);
        out.put("first_view_at", in.stream().filter(Sent::view).map(Sent::at).min(Instant::compareTo).map(Instant::toString).orElse(null));
        out.put("last_view_at", in.stream().filter(Sent::view).map(Sent::at).max(Instant::compareTo).map(Instant::toString).orElse(null));
        return out;
    }

    /** Index of each watching figure in the arrays {@link #watching} and {@link #perPostWatchTime} give. */
    static final int WATCH_MS = 0;
    static final int APPEARANCE_MS = 1;
    static final int APPEARANCES = 2;
    static final int STARTS = 3;
    static final int COMPLETIONS = 4;

    /**
     * The watching figures of what matches over [from, to]: all watch time in ms (appearances' and
     * reports'), the appearances' own, their number, starts and completions.
     */
    long[] watching(Predicate<Sent> which, LocalDate from, LocalDate to) {
        List<Sent> appearances = inRange(watched, which, from, to);
        long appearanceMs = watchMs(appearances);
        return new long[] {appearanceMs + watchMs(inRange(reported, which, from, to)), appearanceMs,
                appearances.stream().filter(e -> !e.continuesAppearance()).count(),
                inRange(starts, which, from, to).size(), inRange(completions, which, from, to).size()};
    }

    /** Per post: the {@link #watching} figures over [from, to], for the posts with any. */
    Map<Long, long[]> perPostWatchTime(Predicate<Sent> which, LocalDate from, LocalDate to) {
        Map<Long, long[]> rows = new TreeMap<>();
        for (List<Sent> events : List.of(watched, reported, starts, completions)) {
            inRange(events, which, from, to).forEach(e -> rows.computeIfAbsent(e.postId(),
                    id -> watching(which.and(x -> x.postId() == id), from, to)));
        }
        return rows;
    }

    /**
     * {@code watch_time_s}; {@code avg_watch_time_s} per watched appearance, to the ms (null: none);
     * {@code completions}; {@code completion_rate}, completions ÷ starts to 0.001 (null: no starts).
     */
    static void putWatchTime(Map<String, Object> out, long[] w) {
        out.put("watch_time_s", w[WATCH_MS] / 1000.0);
        out.put("avg_watch_time_s", w[APPEARANCES] == 0 ? null : Math.round((double) w[APPEARANCE_MS] / w[APPEARANCES]) / 1000.0);
        out.put("completions", w[COMPLETIONS]);
        out.put("completion_rate", w[STARTS] == 0 ? null : Math.round((double) w[COMPLETIONS] / w[STARTS] * 1000) / 1000.0);
    }

    private static long watchMs(List<Sent> events) {
        return events.stream().mapToLong(Sent::watchMs).sum();
    }

    private static List<Sent> inRange(List<Sent> events, Predicate<Sent> which, LocalDate from, LocalDate to) {
        return events.stream().filter(which).filter(e -> !e.day().isBefore(from) && !e.day().isAfter(to)).toList();
    }

    /** Per post: views, impressions and unique viewers over [from, to]. */
    Map<Long, long[]> perPost(Predicate<Sent> which, LocalDate from, LocalDate to) {
        Map<Long, long[]> rows = new TreeMap<>();
        Map<Long, Set<String>> viewers = new TreeMap<>();
        inRange(counted, which, from, to).forEach(e -> {
            long[] r = rows.computeIfAbsent(e.postId(), id -> new long[3]);
            if (e.view()) {
                r[0]++;
                viewers.computeIfAbsent(e.postId(), id -> new HashSet<>()).add(e.viewer());
            } else {
                r[1]++;
            }
        });
        viewers.forEach((id, v) -> rows.get(id)[2] = v.size());
        return rows;
    }

    private static Map<String, Long> tally(List<Sent> events, boolean views, java.util.function.Function<Sent, String> key) {
        Map<String, Long> counts = new TreeMap<>();
        events.stream().filter(e -> e.view() == views).forEach(e -> counts.merge(key.apply(e), 1L, Long::sum));
        return counts;
    }
}
