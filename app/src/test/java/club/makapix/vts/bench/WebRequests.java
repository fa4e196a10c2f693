package club.makapix.vts.bench;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The HTTP requests of the load: single views, batches, and the hello-world reference, as a
 * browser behind the trusted proxy sends them. Each comes from one of many visitors (an address
 * from 198.18.0.0/15, the range set aside for benchmarks, in X-Forwarded-For; only a header, never
 * contacted) with a desktop browser's User-Agent: a scripted one would be dropped as a bot without
 * being stored, and then nothing durable would be measured.
 */
final class WebRequests {
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private static final int VISITORS = 100_000;

    private final int port;
    private final int posts;

    WebRequests(int port, int posts) {
        this.port = port;
        this.posts = posts;
    }

    /** {@code POST /v1/posts/{id}/views}: one view with its event_id. */
    byte[] single() {
        return HttpConnection.request("POST", "/v1/posts/" + randomPost() + "/views", port, headers(), singleBody());
    }

    /** {@code POST /bench/hello} with the same headers and body as {@link #single()}: the same request without the ingestion. */
    byte[] hello() {
        return HttpConnection.request("POST", "/bench/hello", port, headers(), singleBody());
    }

    /** {@code POST /v1/events} with {@code size} events from one visitor: views and impressions on random posts. */
    byte[] batch(int size) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder body = new StringBuilder(size * 110).append("{\"events\":[");
        for (int i = 0; i < size; i++) {
            body.append(i == 0 ? "" : ",").append("{\"post_id\":").append(randomPost())
                    .append(",\"event_id\":\"").append(UUID.randomUUID())
                    .append("\",\"intent\":\"").append(random.nextInt(4) == 0 ? "view" : "impression")
                    .append("\",\"channel\":\"all\"}");
        }
        return HttpConnection.request("POST", "/v1/events", port, headers(), body.append("]}").toString());
    }

    private String singleBody() {
        return "{\"event_id\":\"" + UUID.randomUUID() + "\",\"intent\":\"view\",\"channel\":\"artwork\"}";
    }

    private String headers() {
        int visitor = ThreadLocalRandom.current().nextInt(VISITORS);
        return "User-Agent: " + BROWSER + "\r\nX-Forwarded-For: 198.18." + (visitor >> 8) % 256 + "." + visitor % 256
                + "\r\nReferer: https://makapix.club/\r\n";
    }

    private int randomPost() {
        return 1 + ThreadLocalRandom.current().nextInt(posts);
    }
}
