package club.makapix.vts.http;

import io.javalin.Javalin;
import java.time.Duration;

/**
 * The browser tracker ({@code GET /vts.js}) and its demo page ({@code GET /demo}). The tracker is a
 * static file except for one marker, where the server writes its own defaults (the view dwell time),
 * so pages never hard-code them.
 */
final class TrackerRoutes {
    /** Where vts.js leaves room for the server's defaults: an empty object, valid JavaScript as it stands. */
    private static final String DEFAULTS_MARKER = "/*VTS_SERVER_DEFAULTS*/{}";
    /** Short, so a new tracker or a changed setting reaches pages within minutes. */
    private static final String SCRIPT_CACHE = "public, max-age=300";

    private final String script;
    private final String demo;

    TrackerRoutes(Duration viewDwell) {
        String source = WebResources.text("web/vts.js");
        if (!source.contains(DEFAULTS_MARKER)) {
            throw new IllegalStateException("web/vts.js has lost its " + DEFAULTS_MARKER + " marker");
        }
        this.script = source.replace(DEFAULTS_MARKER, "{\"dwellMs\": " + viewDwell.toMillis() + "}");
        this.demo = WebResources.text("web/demo.html");
    }

    void register(Javalin app) {
        app.get("/vts.js", ctx -> ctx.contentType("text/javascript; charset=utf-8")
                .header("Cache-Control", SCRIPT_CACHE).result(script));
        app.get("/demo", ctx -> ctx.contentType("text/html; charset=utf-8")
                .header("Cache-Control", "no-cache").result(demo));
    }
}
