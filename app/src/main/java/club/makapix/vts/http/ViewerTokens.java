package club.makapix.vts.http;

import club.makapix.vts.protocol.ClientInput;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Viewer tokens: {@code Authorization: Bearer <JWT>}, HS256 with {@code VTS_JWT_SECRET}; {@code sub}
 * is the user. Expired, not-yet-valid, unsigned or otherwise signed tokens are refused. (RS256 with
 * a JWKS would be a second verifier here.) This is the one place that decides whether a token's
 * bearer is an admin: its {@code role} claim, or any entry of its {@code roles} array, is one of
 * {@code VTS_JWT_ADMIN_ROLES}.
 */
final class ViewerTokens {
    /** A verified token's user and whether it is an admin. */
    record Viewer(String subject, boolean admin) {}

    private static final long CLOCK_SKEW_MS = 60_000;
    private final MACVerifier verifier;
    private final Set<String> adminRoles;

    ViewerTokens(String secret, Set<String> adminRoles) {
        this.adminRoles = adminRoles;
        try {
            this.verifier = secret == null ? null : new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("VTS_JWT_SECRET is not usable for HS256", e);
        }
    }

    /** The viewer of a bearer JWT; throws a 401 {@link ApiError} for anything not valid. */
    Viewer verify(String token) {
        if (verifier == null) {
            throw new ApiError(401, "invalid_token", "viewer tokens are not enabled on this server (VTS_JWT_SECRET)");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                throw invalid("the token's signature is not valid");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            long now = System.currentTimeMillis();
            Date exp = claims.getExpirationTime();
            Date nbf = claims.getNotBeforeTime();
            if (exp == null) {
                throw invalid("the token has no exp: a token without an expiry could never be withdrawn");
            }
            if (exp.getTime() + CLOCK_SKEW_MS < now) {
                throw invalid("the token has expired");
            }
            if (nbf != null && nbf.getTime() - CLOCK_SKEW_MS > now) {
                throw invalid("the token is not valid yet");
            }
            String subject = claims.getSubject();
            // the viewer id stored with the event: text VTS stores as sent, like any other client text
            if (subject == null || subject.isBlank() || ClientInput.textProblem(subject, 128) != null) {
                throw invalid("the token has no usable sub");
            }
            return new Viewer(subject, isAdmin(claims));
        } catch (ParseException | JOSEException e) {
            throw invalid("the token is not a JWT");
        }
    }

    /** Only strings count: a {@code role} of another type, a {@code roles} that is no array, or its other entries, are ignored. */
    private boolean isAdmin(JWTClaimsSet claims) {
        if (claims.getClaim("role") instanceof String role && adminRoles.contains(role)) {
            return true;
        }
        return claims.getClaim("roles") instanceof List<?> roles
                && roles.stream().anyMatch(role -> role instanceof String name && adminRoles.contains(name));
    }

    private static ApiError invalid(String message) {
        return new ApiError(401, "invalid_token", message);
    }
}
