package club.makapix.vts.pipeline;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reduces an address to a keyed hash (HMAC-SHA256 with {@code VTS_IP_HASH_KEY}): stable enough to
 * recognise a visitor, impossible to reverse by trying all addresses without the key. With a daily
 * key (derived from the key and the UTC date), hashes of different days cannot be linked.
 */
public final class AddressHasher {
    private final byte[] key;
    private final boolean daily;
    /** Each thread's Mac, initialised with the key it was last used with (init costs two hashes). */
    private final ThreadLocal<KeyedMac> macs = ThreadLocal.withInitial(() -> new KeyedMac(newMac()));
    private volatile DayKey dayKey;

    private record DayKey(LocalDate day, SecretKeySpec key) {}

    private static final class KeyedMac {
        final Mac mac;
        SecretKeySpec key;

        KeyedMac(Mac mac) {
            this.mac = mac;
        }
    }

    public AddressHasher(String key, boolean daily) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.daily = daily;
        this.dayKey = new DayKey(null, new SecretKeySpec(this.key, "HmacSHA256"));
    }

    /** 22 characters of base64url: 128 bits of the HMAC. */
    public String hash(InetAddress address, java.time.Instant at) {
        KeyedMac keyed = macs.get();
        SecretKeySpec wanted = keyFor(at);
        if (keyed.key != wanted) {
            try {
                keyed.mac.init(wanted);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            keyed.key = wanted;
        }
        byte[] digest = keyed.mac.doFinal(address.getAddress());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
    }

    /** The key itself, or the day's key derived from it; the same object while the day lasts. */
    private SecretKeySpec keyFor(java.time.Instant at) {
        DayKey current = dayKey;
        if (!daily) {
            return current.key;
        }
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        if (!day.equals(current.day)) {
            Mac mac = newMac();
            try {
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            current = new DayKey(day, new SecretKeySpec(mac.doFinal(("day:" + day).getBytes(StandardCharsets.UTF_8)), "HmacSHA256"));
            dayKey = current;
        }
        return current.key;
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }
}
