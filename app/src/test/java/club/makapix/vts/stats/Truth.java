package club.makapix.vts.stats;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
 * not count, averaged over the appearances that carried it (contract §5).
 */
final class Truth {
    /**
     * One event the test sent that the server must store and may count; {@code watchMs} is what it adds
     * to watch time (null: nothing), {@code continuesAppearance} whether a player's appearance goes on.
     */
    record Sent(Instant at, long postId, String artist, String viewer, boolean view, String country, String device,
                String source, String channel, String playOrder, Long watchMs, boolean continuesAppearance) {
        LocalDate day() {
            return LocalDate.ofInstant(at, ZoneOffset.UTC);
        }
    }

    private final List<Sent> counted = new ArrayList<>();
    private final List<Sent> watched = new ArrayList<>();
    private final Set<String> viewsSeen = new HashSet<>();

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
        List<Sent> watchedIn = inRange(watched, which, from, to);
        putWatchTime(out, watchedIn);
        Map<String, Double> bySource = new TreeMap<>();
        watchedIn.stream().collect(java.util.stream.Collectors.groupingBy(Sent::source))
                .forEach((source, events) -> bySource.put(source, watchMs(events) / 1000.0));
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
            putWatchTime(row, watchedIn.stream().filter(e -> e.day().equals(day)).toList());
            daily.add(row);
        }
        out.put("daily", daily);
        out.put("first_view_at", in.stream().filter(Sent::view).map(Sent::at).min(Instant::compareTo).map(Instant::toString).orElse(null));
        out.put("last_view_at", in.stream().filter(Sent::view).map(Sent::at).max(Instant::compareTo).map(Instant::toString).orElse(null));
        return out;
    }

    /** Per post: watch time in ms and its watched appearances over [from, to]. */
    Map<Long, long[]> perPostWatchTime(Predicate<Sent> which, LocalDate from, LocalDate to) {
        Map<Long, long[]> rows = new TreeMap<>();
        inRange(watched, which, from, to).forEach(e -> {
            long[] r = rows.computeIfAbsent(e.postId(), id -> new long[2]);
            r[0] += e.watchMs();
            r[1] += e.continuesAppearance() ? 0 : 1;
        });
        return rows;
    }

    /** {@code watch_time_s} and {@code avg_watch_time_s} of the events. */
    private static void putWatchTime(Map<String, Object> out, List<Sent> watchedEvents) {
        putWatchTime(out, watchMs(watchedEvents), watchedEvents.stream().filter(e -> !e.continuesAppearance()).count());
    }

    /** {@code watch_time_s}, and {@code avg_watch_time_s} per watched appearance to the ms (null: none). */
    static void putWatchTime(Map<String, Object> out, long ms, long appearances) {
        out.put("watch_time_s", ms / 1000.0);
        out.put("avg_watch_time_s", appearances == 0 ? null : Math.round((double) ms / appearances) / 1000.0);
        out.put("completions", 0L); // no watch reports in this history
        out.put("completion_rate", null);
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
