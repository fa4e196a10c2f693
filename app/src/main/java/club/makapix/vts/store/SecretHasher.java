package club.makapix.vts.store;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Player secrets are stored only as PBKDF2-HMAC-SHA256 with a random salt, in the form
 * {@code pbkdf2-sha256$iterations$salt$hash}. The iteration count travels with each hash, so it can
 * be raised later without breaking stored secrets.
 */
public final class SecretHasher {
    private static final String SCHEME = "pbkdf2-sha256";
    private final int iterations;
    private final SecureRandom random = new SecureRandom();

    public SecretHasher(int iterations) {
        this.iterations = iterations;
    }

    public String hash(String secret) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(secret, salt, iterations));
    }

    public boolean verify(String secret, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        return MessageDigest.isEqual(expected, derive(secret, salt, Integer.parseInt(parts[1])));
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
        }
    }
}
