package club.makapix.vts.http;

import io.javalin.Javalin;

/** {@code GET /}: a small page that says what this server is and where to go (dashboard, API, health, tracker). */
final class HomePage {
    private final byte[] page = WebResources.bytes("web/index.html");

    void register(Javalin app) {
        app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
                .header("X-Content-Type-Options", "nosniff").result(page));
    }
}
