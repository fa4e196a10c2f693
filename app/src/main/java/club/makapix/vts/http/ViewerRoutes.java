package club.makapix.vts.http;

import club.makapix.vts.pipeline.MeasureWatchReport;
import club.makapix.vts.store.Page;
import club.makapix.vts.store.ViewerData;
import club.makapix.vts.store.ViewerData.Progress;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A signed-in viewer's own watching (contract §5, {@code /v1/me/...}: a viewer token is required, and
 * names the viewer, so no one reads another's), and the admins' reads and erasure of any viewer (with
 * the admin token, as all of {@code /v1/admin}).
 */
final class ViewerRoutes {
    static final int MAX_POST_IDS = 100;
    static final int MAX_PER_PAGE = 100;

    private final ViewerData viewers;
    private final Access access;

    ViewerRoutes(ViewerData viewers, Access access) {
        this.viewers = viewers;
        this.access = access;
    }

    void register(Javalin app) {
        app.get("/v1/me/progress/{post_id}", this::oneProgress);
        app.get("/v1/me/progress", this::someProgress);
        app.get("/v1/me/continue-watching", this::continueWatching);
        app.get("/v1/me/recently-viewed", this::recentlyViewed);
        app.get("/v1/me/watch-time", this::watchTime);
        app.delete("/v1/me/history", this::forgetMe);
        app.get("/v1/admin/viewers/{viewer_id}/progress", this::viewerProgress);
        app.delete("/v1/admin/viewers/{viewer_id}", this::forgetViewer);
    }

    /** The viewer a token names; the admin token is no viewer. */
    private String me(Context ctx) {
        Access.Caller caller = access.caller(ctx);
        if (caller.subject() == null) {
            throw new ApiError(401, "unauthorized", "a viewer token (JWT) is required: /v1/me is about its sub");
        }
        return caller.subject();
    }

    private void oneProgress(Context ctx) {
        String viewer = me(ctx);
        long postId = PathParams.postId(ctx);
        Progress progress = viewers.progress(viewer, postId)
                .orElseThrow(() -> ApiError.notFound("not_found", "no progress for this post"));
        ctx.json(progressJson(progress));
    }

    /** A course's or playlist's progress in one call: the rows found, and a summary over every post asked for. */
    private void someProgress(Context ctx) {
        String viewer = me(ctx);
        List<Long> postIds = postIds(ctx.queryParam("post_ids"));
        List<Progress> found = viewers.progress(viewer, postIds);
        long completed = found.stream().filter(p -> p.completedAt() != null).count();
        double percentSum = 0;
        for (Progress p : found) {
            Double percent = percentOf(p);
            percentSum += p.completedAt() != null ? 100 : percent == null ? 0 : percent;
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("posts", postIds.size());
        summary.put("started", found.size());
        summary.put("completed", completed);
        // each post asked for weighs the same: a completed one is 100 %, one never started 0 %
        summary.put("progress_percent", Math.round(percentSum * 10 / postIds.size()) / 10.0);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", found.stream().map(ViewerRoutes::progressJson).toList());
        out.put("summary", summary);
        ctx.json(out);
    }

    private void continueWatching(Context ctx) {
        String viewer = me(ctx);
        int limit = StatsRoutes.intParam(ctx, "limit", 10, 1, MAX_PER_PAGE);
        ctx.json(Map.of("items", viewers.continueWatching(viewer, limit).stream().map(ViewerRoutes::progressJson).toList()));
    }

    private void recentlyViewed(Context ctx) {
        String viewer = me(ctx);
        int page = StatsRoutes.intParam(ctx, "page", 1, 1, StatsRoutes.MAX_PAGE);
        int perPage = StatsRoutes.intParam(ctx, "per_page", 20, 1, MAX_PER_PAGE);
        Page<ViewerData.Recent> found = viewers.recentlyViewed(viewer, (page - 1) * perPage, perPage);
        List<Map<String, Object>> items = new ArrayList<>();
        for (ViewerData.Recent r : found.items()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("post_id", r.postId());
            item.put("viewed_at", r.viewedAt().toString());
            item.put("watched_s", seconds(r.watchedMs()));
            items.add(item);
        }
        long pages = (found.total() + perPage - 1) / perPage;
        Map<String, Object> pagination = new LinkedHashMap<>();
        pagination.put("total", found.total());
        pagination.put("pages", pages);
        pagination.put("page", page);
        pagination.put("per_page", perPage);
        pagination.put("has_next", page < pages);
        pagination.put("has_prev", page > 1);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("pagination", pagination);
        ctx.json(out);
    }

    /** From and to are optional UTC days: without them, all time. */
    private void watchTime(Context ctx) {
        String viewer = me(ctx);
        LocalDate from = ctx.queryParam("from") == null ? null : StatsRoutes.date("from", ctx.queryParam("from"));
        LocalDate to = ctx.queryParam("to") == null ? null : StatsRoutes.date("to", ctx.queryParam("to"));
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiError.invalid("from must not be after to");
        }
        ViewerData.WatchTotals totals = viewers.watchTime(viewer, from, to);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("watched_s", seconds(totals.watchedMs()));
        out.put("posts", totals.posts());
        out.put("completed", totals.completed());
        ctx.json(out);
    }

    private void forgetMe(Context ctx) {
        viewers.erase(me(ctx));
        ctx.status(204);
    }

    private void viewerProgress(Context ctx) {
        String viewer = viewerOf(ctx);
        int page = StatsRoutes.intParam(ctx, "page", 1, 1, StatsRoutes.MAX_PAGE);
        int perPage = StatsRoutes.intParam(ctx, "per_page", 20, 1, MAX_PER_PAGE);
        Page<Progress> found = viewers.allProgress(viewer, (page - 1) * perPage, perPage);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("viewer_id", viewer);
        out.put("items", found.items().stream().map(ViewerRoutes::progressJson).toList());
        out.put("total", found.total());
        ctx.json(out);
    }

    private void forgetViewer(Context ctx) {
        viewers.erase(viewerOf(ctx));
        ctx.status(204);
    }

    /** The viewer an admin names (the admin token is checked for all of /v1/admin by {@link AdminRoutes}). */
    private static String viewerOf(Context ctx) {
        return JsonBody.identifier("viewer_id", ctx.pathParam("viewer_id"));
    }

    private static Map<String, Object> progressJson(Progress p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("post_id", p.postId());
        out.put("position_s", seconds(p.positionMs()));
        out.put("duration_s", seconds(p.durationMs()));
        out.put("progress_percent", percentOf(p));
        out.put("completed", p.completedAt() != null);
        out.put("completed_at", iso(p.completedAt()));
        out.put("played_s", seconds(p.playedMs()));
        out.put("last_watched_at", iso(p.lastWatchedAt()));
        return out;
    }

    private static Double percentOf(Progress p) {
        return MeasureWatchReport.progressPercent(p.positionMs(), p.durationMs());
    }

    /** {@code post_ids=1,2,3}: 1 to 100 canonical post ids, each once. */
    private static List<Long> postIds(String text) {
        if (text == null || text.isBlank()) {
            throw ApiError.invalid("post_ids is required: post_ids=1,2,3");
        }
        Set<Long> ids = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            ids.add(PathParams.postId(part.trim()));
        }
        if (ids.size() > MAX_POST_IDS) {
            throw ApiError.invalid("post_ids names at most " + MAX_POST_IDS + " posts");
        }
        return List.copyOf(ids);
    }

    /** Milliseconds as seconds to the millisecond; null stays null. */
    static Double seconds(Long ms) {
        return ms == null ? null : ms / 1000.0;
    }

    private static String iso(Instant at) {
        return at == null ? null : at.toString();
    }
}
