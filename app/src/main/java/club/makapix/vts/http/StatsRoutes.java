package club.makapix.vts.http;

import club.makapix.vts.config.WholeNumber;
import club.makapix.vts.stats.StatsCache;
import club.makapix.vts.stats.StatsReader;
import club.makapix.vts.stats.StatsReader.ArtistStats;
import club.makapix.vts.stats.StatsReader.PostPage;
import club.makapix.vts.stats.StatsReader.PostRow;
import club.makapix.vts.stats.StatsReader.Sort;
import club.makapix.vts.stats.StatsReader.Summary;
import club.makapix.vts.stats.StatsReader.WatchTime;
import club.makapix.vts.store.PostDirectory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The stats API (contract §2): a post's numbers, an artist's over all their posts (one query, a
 * page of per-post rows), the per-post rows as CSV, and the public lifetime counter. Artists read
 * their own, admins all; answers are cached briefly and forgotten when a rollup finishes.
 */
final class StatsRoutes {
    static final int MAX_RANGE_DAYS = 400;
    static final int MAX_PER_PAGE = 500;
    static final int MAX_PAGE = 1_000_000;

    private final StatsReader stats;
    private final StatsCache cache;
    private final PostDirectory posts;
    private final Access access;
    private final ObjectMapper json;
    private final Clock clock;
    /** The last lifetime count served per post: the public counter never goes down. */
    private final Cache<Long, Long> servedCounts = Caffeine.newBuilder().maximumSize(100_000).build();

    StatsRoutes(StatsReader stats, StatsCache cache, PostDirectory posts, Access access, ObjectMapper json, Clock clock) {
        this.stats = stats;
        this.cache = cache;
        this.posts = posts;
        this.access = access;
        this.json = json;
        this.clock = clock;
    }

    void register(Javalin app) {
        app.get("/v1/posts/{post_id}/stats", this::postStats);
        app.get("/v1/artists/{artist_id}/stats", this::artistStats);
        app.get("/v1/artists/{artist_id}/stats.csv", this::artistCsv);
        app.get("/v1/posts/{post_id}/counter", this::counter);
    }

    private record Range(LocalDate from, LocalDate to) {}

    private void postStats(Context ctx) {
        long postId = PathParams.postId(ctx);
        // who is asking comes first: without a token, an unknown post and a known one answer alike
        Access.Caller caller = access.caller(ctx);
        String artist = posts.artistOf(postId);
        if (artist == null) {
            throw ApiError.notFound("post_not_found", "no such post");
        }
        access.requireReader(caller, artist);
        Range range = range(ctx);
        String body = cache.get("post|" + postId + "|" + range.from + "|" + range.to, () -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("post_id", postId);
            putSummary(out, range, stats.post(postId, artist, range.from, range.to));
            return write(out);
        });
        ctx.contentType("application/json").result(body);
    }

    private void artistStats(Context ctx) {
        String artist = artistOf(ctx);
        Range range = range(ctx);
        int page = intParam(ctx, "page", 1, 1, MAX_PAGE);
        int perPage = intParam(ctx, "per_page", 50, 1, MAX_PER_PAGE);
        String sort = ctx.queryParamAsClass("sort", String.class).getOrDefault("-views");
        Sort order = sort(sort);
        String body = cache.get("artist|" + artist + "|" + range.from + "|" + range.to + "|" + page + "|" + perPage + "|" + sort, () -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("artist_id", artist);
            ArtistStats found = stats.artist(artist, range.from, range.to, page, perPage, order, sort.startsWith("-"));
            putSummary(out, range, found.summary());
            PostPage rows = found.posts();
            out.put("posts", rows.rows().stream().map(StatsRoutes::row).toList());
            out.put("page", page);
            out.put("per_page", perPage);
            out.put("total_posts", rows.totalPosts());
            out.put("sort", sort);
            return write(out);
        });
        ctx.contentType("application/json").result(body);
    }

    private void artistCsv(Context ctx) {
        String artist = artistOf(ctx);
        Range range = range(ctx);
        String sort = ctx.queryParamAsClass("sort", String.class).getOrDefault("-views");
        Sort order = sort(sort);
        String body = cache.get("csv|" + artist + "|" + range.from + "|" + range.to + "|" + sort, () -> {
            StringWriter out = new StringWriter();
            try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
                    .setHeader("post_id", "title", "views", "impressions", "unique_viewers", "watch_time_s", "avg_watch_time_s",
                            "completions", "completion_rate")
                    .get())) {
                for (PostRow r : stats.allArtistPosts(artist, range.from, range.to, order, sort.startsWith("-"))) {
                    csv.printRecord(r.postId(), safeCell(r.title()), r.views(), r.impressions(), r.uniqueViewers(),
                            seconds(r.watchTime().ms()), averageSeconds(r.watchTime()), r.watchTime().completions(),
                            completionRate(r.watchTime()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString();
        });
        ctx.contentType("text/csv; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"" + artist + "-" + range.from + "-" + range.to + ".csv\"")
                .result(body);
    }

    private void counter(Context ctx) {
        long postId = PathParams.postId(ctx);
        String artist = posts.artistOf(postId);
        if (artist == null) {
            throw ApiError.notFound("post_not_found", "no such post");
        }
        long views = Long.parseLong(cache.get("counter|" + postId, () -> Long.toString(stats.lifetimeViews(postId, artist))));
        long served = servedCounts.asMap().merge(postId, views, Math::max);
        ctx.header("Cache-Control", "public, max-age=10").json(Map.of("post_id", postId, "views", served));
    }

    private String artistOf(Context ctx) {
        String artist = JsonBody.identifier("artist_id", ctx.pathParam("artist_id"));
        access.requireReader(access.caller(ctx), artist);
        return artist;
    }

    private void putSummary(Map<String, Object> out, Range range, Summary s) {
        out.put("from", range.from.toString());
        out.put("to", range.to.toString());
        out.put("views", s.views());
        out.put("impressions", s.impressions());
        out.put("unique_viewers", s.uniqueViewers());
        out.putAll(s.breakdowns());
        putWatchTime(out, s.watchTime());
        Map<String, Double> bySource = new TreeMap<>();
        s.watchTimeBySourceMs().forEach((source, ms) -> bySource.put(source, seconds(ms)));
        out.put("watch_time_by_source", bySource);
        out.put("daily", s.daily().stream().map(d -> {
            Map<String, Object> day = new LinkedHashMap<>();
            day.put("date", d.date().toString());
            day.put("views", d.views());
            day.put("impressions", d.impressions());
            day.put("unique_viewers", d.uniqueViewers());
            putWatchTime(day, d.watchTime());
            return day;
        }).toList());
        out.put("first_view_at", s.firstViewAt() == null ? null : s.firstViewAt().toString());
        out.put("last_view_at", s.lastViewAt() == null ? null : s.lastViewAt().toString());
        out.put("computed_at", clock.instant().toString());
    }

    private static Map<String, Object> row(PostRow r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("post_id", r.postId());
        row.put("title", r.title());
        row.put("views", r.views());
        row.put("impressions", r.impressions());
        row.put("unique_viewers", r.uniqueViewers());
        putWatchTime(row, r.watchTime());
        return row;
    }

    /**
     * {@code watch_time_s} and {@code avg_watch_time_s}, in seconds to the millisecond; {@code completions}
     * and {@code completion_rate} (to 0.001).
     */
    private static void putWatchTime(Map<String, Object> out, WatchTime w) {
        out.put("watch_time_s", seconds(w.ms()));
        out.put("avg_watch_time_s", averageSeconds(w));
        out.put("completions", w.completions());
        out.put("completion_rate", completionRate(w));
    }

    /** Null when no signed-in viewer started watching. */
    private static Double completionRate(WatchTime w) {
        return w.completionRate() == null ? null : Math.round(w.completionRate() * 1000) / 1000.0;
    }

    /** Null when nothing was watched. */
    private static Double averageSeconds(WatchTime w) {
        return w.averageMs() == null ? null : seconds(w.averageMs());
    }

    private static double seconds(long ms) {
        return ms / 1000.0;
    }

    /** A title a spreadsheet would run as a formula gets a leading quote. */
    private static String safeCell(String s) {
        return s != null && !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    }

    /** {@code from}/{@code to} (inclusive, UTC days); the last 30 days by default. */
    private Range range(Context ctx) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        String toText = ctx.queryParam("to");
        String fromText = ctx.queryParam("from");
        LocalDate to = toText == null ? today : date("to", toText);
        LocalDate from = fromText == null ? to.minusDays(29) : date("from", fromText);
        if (from.isAfter(to)) {
            throw ApiError.invalid("from must not be after to");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_RANGE_DAYS) {
            throw ApiError.invalid("a range spans at most " + MAX_RANGE_DAYS + " days");
        }
        return new Range(from, to);
    }

    static LocalDate date(String name, String text) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiError.invalid(name + " must be a date such as 2026-11-21");
        }
    }

    /** A whole-number query parameter within bounds, {@code fallback} when absent; 400 otherwise. */
    static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return fallback;
        }
        Integer n = WholeNumber.parse(v, min, max);
        if (n == null) {
            throw ApiError.invalid(name + " must be an integer from " + min + " to " + max);
        }
        return n;
    }

    private static Sort sort(String sort) {
        String column = sort.startsWith("-") ? sort.substring(1) : sort;
        for (Sort s : Sort.values()) {
            if (s.column().equals(column)) {
                return s;
            }
        }
        throw ApiError.invalid("sort must be one of views, impressions, post_id (prefix - for descending)");
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
