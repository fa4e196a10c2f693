package club.makapix.vts.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The admin HTTP API, as an operator's script would call it. */
public final class Admin {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int httpPort;
    private final String token;

    public Admin(int httpPort, String token) {
        this.httpPort = httpPort;
        this.token = token;
    }

    /** The admin token this client sends. */
    public String token() {
        return token;
    }

    public HttpResponse<String> send(String method, String path, String json) {
        return send(httpPort, method, path, token, json);
    }

    /** A request with a bearer {@code token} of the caller's choosing (null: none). */
    public static HttpResponse<String> send(int httpPort, String method, String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> get(int httpPort, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void post(long postId, String artistId) {
        expect(send("PUT", "/v1/admin/posts/" + postId, "{\"artist_id\":\"" + artistId + "\"}"), 200, 201);
    }

    /**
     * Posts {@code 1..count} in one catalogue load ({@code PUT /v1/admin/posts}, at most 1,000), post
     * {@code n} by {@code artistPrefix + n % artists}, each {@code durationSeconds} long (null: none).
     */
    public void posts(int count, String artistPrefix, int artists, Integer durationSeconds) {
        StringBuilder body = new StringBuilder("{\"posts\":[");
        for (int post = 1; post <= count; post++) {
            body.append(post == 1 ? "" : ",").append("{\"post_id\":").append(post).append(",\"artist_id\":\"")
                    .append(artistPrefix).append(post % artists).append('"')
                    .append(durationSeconds == null ? "" : ",\"duration_s\":" + durationSeconds).append('}');
        }
        expect(send("PUT", "/v1/admin/posts", body.append("]}").toString()), 200);
    }

    public void player(String key, String ownerId, String secret) {
        String owner = ownerId == null ? "null" : "\"" + ownerId + "\"";
        String body = secret == null ? "{\"owner_id\":" + owner + "}" : "{\"owner_id\":" + owner + ",\"secret\":\"" + secret + "\"}";
        expect(send("PUT", "/v1/admin/players/" + key, body), 200, 201);
    }

    public void revoke(String key) {
        expect(send("DELETE", "/v1/admin/players/" + key, null), 204);
    }

    private static void expect(HttpResponse<String> response, int... statuses) {
        for (int s : statuses) {
            if (response.statusCode() == s) {
                return;
            }
        }
        throw new AssertionError("unexpected " + response.statusCode() + ": " + response.body());
    }
}
