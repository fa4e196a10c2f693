package club.makapix.vts.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Map;

/** A browser-like HTTP/1.1 client for the ingestion API. */
public final class WebClient {
    public static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    public static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    public static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    public static final String HEADLESS_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "HeadlessChrome/126.0.0.0 Safari/537.36";
    public static final String CURL = "curl/8.5.0";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public WebClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(b, headers);
    }

    public HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
        boolean userAgent = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            userAgent |= headers[i].equalsIgnoreCase("User-Agent");
        }
        if (!userAgent) {
            b.header("User-Agent", FIREFOX);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    /** An HS256 viewer token for {@code subject}, valid for an hour. */
    public static String token(String secret, String subject, String role) {
        return tokenWithClaims(secret, subject, role == null ? Map.of() : Map.of("role", role));
    }

    /** An HS256 viewer token for {@code subject} with more claims (such as a {@code roles} array), valid for an hour. */
    public static String tokenWithClaims(String secret, String subject, Map<String, Object> extraClaims) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000));
        extraClaims.forEach(claims::claim);
        return signedToken(JWSAlgorithm.HS256, secret, claims.build().toString());
    }

    /**
     * A token whose claims are exactly {@code claimsJson} (escapes kept, so a claim may hold what no
     * claims builder writes), signed with {@code algorithm} (an HMAC one) and {@code secret}.
     */
    public static String signedToken(JWSAlgorithm algorithm, String secret, String claimsJson) {
        try {
            JWSObject jws = new JWSObject(new JWSHeader(algorithm), new Payload(claimsJson));
            jws.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
