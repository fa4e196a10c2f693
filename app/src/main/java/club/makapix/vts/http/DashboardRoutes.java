package club.makapix.vts.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * The artists' dashboard ({@code GET /dashboard}): a static page over the stats API, its own
 * scripts and stylesheet from {@code web/dashboard/}, and Chart.js from its WebJar, all read once at
 * start and served with their content type and a cache header. The page talks to this server only.
 */
final class DashboardRoutes {
    /** The page's own files: a new release reaches open browsers within minutes, as with vts.js. */
    private static final String OWN_CACHE = "public, max-age=300";
    /** The library changes only with its WebJar version; its URL carries none, so a day rather than forever. */
    private static final String LIBRARY_CACHE = "public, max-age=86400";
    /** Everything from this server, nothing inline: a token kept in sessionStorage is worth protecting. */
    private static final String PAGE_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String WEBJAR = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    /** The files under web/dashboard/ that the page loads, served at /assets/dashboard/{name}. */
    private static final List<String> OWN_FILES = List.of("dashboard.css", "main.js", "session.js", "api.js", "charts.js",
            "posts-table.js", "format.js");

    private final byte[] page = WebResources.bytes("web/dashboard.html");
    private final byte[] chartJs = WebResources.bytes("META-INF/resources/webjars/chart.js/" + chartJsVersion()
            + "/dist/chart.umd.js");

    void register(Javalin app) {
        app.get("/dashboard", ctx -> serve(ctx, page, "text/html; charset=utf-8", "no-cache")
                .header("Content-Security-Policy", PAGE_POLICY)
                .header("Referrer-Policy", "no-referrer"));
        app.get("/assets/chart.umd.js", ctx -> serve(ctx, chartJs, "text/javascript; charset=utf-8", LIBRARY_CACHE));
        for (String name : OWN_FILES) {
            byte[] body = WebResources.bytes("web/dashboard/" + name);
            String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            app.get("/assets/dashboard/" + name, ctx -> serve(ctx, body, type, OWN_CACHE));
        }
    }

    private static Context serve(Context ctx, byte[] body, String contentType, String cacheControl) {
        return ctx.contentType(contentType).header("Cache-Control", cacheControl)
                .header("X-Content-Type-Options", "nosniff").result(body);
    }

    /** The WebJar's own record of its version, so a version bump in the pom needs no change here. */
    private static String chartJsVersion() {
        Properties webjar = new Properties();
        try {
            webjar.load(new ByteArrayInputStream(WebResources.bytes(WEBJAR)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return webjar.getProperty("version");
    }
}
