package club.makapix.vts.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;

/**
 * Who is calling: the admin token, or a viewer token (JWT) whose {@code sub} is a user, an admin or
 * not as {@link ViewerTokens} decides. Artists read their own numbers; admins read all.
 */
final class Access {
    /** A verified caller. {@code subject} is null for the admin token. */
    record Caller(String subject, boolean admin) {
        boolean mayRead(String artistId) {
            return admin || artistId.equals(subject);
        }
    }

    private final byte[] adminToken;
    private final ViewerTokens tokens;

    Access(String adminToken, ViewerTokens tokens) {
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
        this.tokens = tokens;
    }

    /** The caller of a request that needs one: 401 without a valid token. */
    Caller caller(Context ctx) {
        String token = bearer(ctx);
        if (token == null) {
            throw new ApiError(401, "unauthorized", "a token is required (Authorization: Bearer <token>)");
        }
        if (isAdminToken(token)) {
            return new Caller(null, true);
        }
        ViewerTokens.Viewer viewer = tokens.verify(token);
        return new Caller(viewer.subject(), viewer.admin());
    }

    /** Administration takes the admin token only. */
    void requireAdminToken(Context ctx) {
        String token = bearer(ctx);
        if (token == null || !isAdminToken(token)) {
            throw new ApiError(401, "unauthorized", "an admin token is required (Authorization: Bearer <token>)");
        }
    }

    void requireReader(Caller caller, String artistId) {
        if (!caller.mayRead(artistId)) {
            throw new ApiError(403, "forbidden", "these numbers belong to another artist");
        }
    }

    private boolean isAdminToken(String token) {
        return MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The token of an {@code Authorization: Bearer <token>} header, exactly as sent, or null. Two
     * Authorization headers are refused: which one a proxy or a server believes would be a guess.
     */
    static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            return null;
        }
        if (Collections.list(ctx.req().getHeaders("Authorization")).size() > 1) {
            throw new ApiError(401, "invalid_token", "send one Authorization header, not several");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7);
        // compared exactly: a tab or space around a secret is not the secret
        if (token.isEmpty() || token.startsWith(" ") || token.endsWith(" ") || token.chars().anyMatch(Character::isISOControl)) {
            throw new ApiError(401, "invalid_token", "the bearer token has spaces around it or control characters in it");
        }
        return token;
    }
}
