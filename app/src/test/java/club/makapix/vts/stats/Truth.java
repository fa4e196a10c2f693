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
 * and robots' events never count.
 */
final class Truth {
    /** One event the test sent that the server must store and may count. */
    record Sent(Instant at, long postId, String artist, String viewer, boolean view, String country, String device,
                String source, String channel, String playOrder) {
        LocalDate day() {
            return LocalDate.ofInstant(at, ZoneOffset.UTC);
        }
    }

    private final List<Sent> counted = new ArrayList<>();
    private final Set<String> viewsSeen = new HashSet<>();

    /** Records an event that reached the server and is not the artist's own nor a robot's. */
    void sent(Sent e) {
        if (e.view() && !viewsSeen.add(e.day() + "|" + e.postId() + "|" + e.viewer())) {
            return; // a second view of the day by the same viewer: stored, not counted
        }
        counted.add(e);
    }

    /** The expected answer for the events that match, over [from, to]: the API's fields. */
    Map<String, Object> expected(Predicate<Sent> which, LocalDate from, LocalDate to) {
        List<Sent> in = counted.stream().filter(which)
                .filter(e -> !e.day().isBefore(from) && !e.day().isAfter(to)).toList();
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
        List<Map<String, Object>> daily = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            LocalDate day = d;
            List<Sent> of = in.stream().filter(e -> e.day().equals(day)).toList();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("date", day.toString());
            row.put("views", of.stream().filter(Sent::view).count());
            row.put("impressions", of.stream().filter(e -> !e.view()).count());
            row.put("unique_viewers", (long) of.stream().filter(Sent::view).map(Sent::viewer).distinct().count());
            daily.add(row);
        }
        out.put("daily", daily);
        out.put("first_view_at", in.stream().filter(Sent::view).map(Sent::at).min(Instant::compareTo).map(Instant::toString).orElse(null));
        out.put("last_view_at", in.stream().filter(Sent::view).map(Sent::at).max(Instant::compareTo).map(Instant::toString).orElse(null));
        return out;
    }

    /** Per post: views, impressions and unique viewers over [from, to]. */
    Map<Long, long[]> perPost(Predicate<Sent> which, LocalDate from, LocalDate to) {
        Map<Long, long[]> rows = new TreeMap<>();
        Map<Long, Set<String>> viewers = new TreeMap<>();
        counted.stream().filter(which).filter(e -> !e.day().isBefore(from) && !e.day().isAfter(to)).forEach(e -> {
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
