package club.makapix.vts.bench;

import club.makapix.vts.support.WebClient;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signed-in viewers' watch reports, {@code POST /v1/posts/{id}/watch}, as a browser behind the
 * trusted proxy sends them (a desktop User-Agent: a scripted one is taken for a bot and answered
 * without being stored), each with its viewer's bearer token, an {@code event_id} and a
 * {@code session_id}. One set of viewers ({@code bench-<set>-<n>}, tokens made once) and a counter
 * that numbers the set's reports across every phase that uses it, so no viewer and post pair comes
 * back within the server's 5 s limit:
 *
 * <ul>
 *   <li>{@link #newPostEachTime()}: report k is viewer k mod V's next post, a pair that comes back
 *       only after V × posts reports. Flat out this is the heavier case: every report starts a post
 *       (a progress row, a history row and a day row inserted, and at the cap one history row trimmed).
 *   <li>{@link #watching()}: each viewer plays a 60 s post, reporting every 10 s of it (position
 *       10, 20, … 60: the last completes it), then the next post. Paced at V / 10 reports a second,
 *       each viewer reports every 10 s; one report in six starts a post, the others update its rows.
 * </ul>
 */
final class WatchReports {
    static final int POST_SECONDS = 60;
    static final int REPORT_EVERY_S = 10;
    private static final int REPORTS_PER_POST = POST_SECONDS / REPORT_EVERY_S;
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    private final int port;
    private final int posts;
    private final String[] headers;
    private final AtomicLong next = new AtomicLong();

    /** @param set the viewers' name, e.g. "capped": {@code bench-capped-0} … */
    WatchReports(int port, int posts, String set, int viewers, String jwtSecret) {
        this.port = port;
        this.posts = posts;
        this.headers = new String[viewers];
        for (int v = 0; v < viewers; v++) {
            // each viewer behind one address of 198.18.0.0/15 (benchmark range, never contacted)
            headers[v] = "User-Agent: " + BROWSER + "\r\nX-Forwarded-For: 198.19." + (v >> 8) % 256 + "." + v % 256
                    + "\r\nAuthorization: Bearer " + WebClient.token(jwtSecret, viewerId(set, v), null) + "\r\n";
        }
    }

    static String viewerId(String set, int n) {
        return "bench-" + set + "-" + n;
    }

    int viewers() {
        return headers.length;
    }

    byte[] newPostEachTime() {
        long k = next.getAndIncrement();
        int v = (int) (k % headers.length);
        long round = k / headers.length;
        long post = 1 + (round + v * 37L) % posts;
        return request(v, post, REPORT_EVERY_S, "r" + round);
    }

    byte[] watching() {
        long k = next.getAndIncrement();
        int v = (int) (k % headers.length);
        // viewers start at different points of their post, so starts are spread over the reports
        long report = k / headers.length + v % REPORTS_PER_POST;
        long film = report / REPORTS_PER_POST;
        long post = 1 + (film + v * 37L) % posts;
        return request(v, post, (int) (report % REPORTS_PER_POST + 1) * REPORT_EVERY_S, "f" + film);
    }

    private byte[] request(int viewer, long post, int positionS, String session) {
        String body = "{\"position_s\":" + positionS + ",\"duration_s\":" + POST_SECONDS + ",\"played_s\":" + REPORT_EVERY_S
                + ",\"session_id\":\"" + session + "\",\"event_id\":\"" + UUID.randomUUID() + "\"}";
        return HttpConnection.request("POST", "/v1/posts/" + post + "/watch", port, headers[viewer], body);
    }
}
