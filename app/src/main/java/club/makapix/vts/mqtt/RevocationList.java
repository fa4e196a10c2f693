package club.makapix.vts.mqtt;

import club.makapix.vts.concurrent.DaemonThreads;
import club.makapix.vts.config.InvalidSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The players' CA's certificate revocation list ({@code VTS_MQTT_TLS_CRL}, PEM), as the site's
 * Mosquitto used it: every client certificate is checked against it at connect. The file is looked
 * at every second and re-read when it changed (the site rewrites it when it revokes a player, and
 * nightly to renew it); on each change {@code onChange} is told, so connections of newly revoked
 * certificates are cut at once. A list must be signed by a CA of the trust store; one that cannot be
 * read stops the start, and a later unreadable version is logged and the previous list kept.
 */
final class RevocationList implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RevocationList.class);
    static final String SETTING = "VTS_MQTT_TLS_CRL";

    private final Path file;
    private final List<X509Certificate> authorities;
    private volatile List<X509CRL> lists;
    private volatile Object stamp;
    private final ScheduledExecutorService watcher;

    private RevocationList(Path file, List<X509Certificate> authorities, Consumer<RevocationList> onChange) {
        this.file = file;
        this.authorities = authorities;
        if (file == null) {
            this.lists = List.of();
            this.watcher = null;
            return;
        }
        this.stamp = stampOf(file);
        try {
            this.lists = read(file, authorities);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidSettingException(SETTING, "cannot use " + file.toAbsolutePath() + " (" + e.getMessage() + ")");
        }
        LOG.info("Client certificates are checked against {} ({} revoked)", file, revokedCount());
        this.watcher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vts-crl-watch"));
        watcher.scheduleWithFixedDelay(() -> reloadIfChanged(onChange), 1, 1, TimeUnit.SECONDS);
    }

    /** No list: no certificate is revoked. */
    static RevocationList none() {
        return new RevocationList(null, List.of(), list -> {});
    }

    /** Reads the list, signed by a CA of {@code trustStore}, and watches the file. */
    static RevocationList watch(Path file, Path trustStore, String trustStorePassword, Consumer<RevocationList> onChange) {
        return new RevocationList(file, authorities(trustStore, trustStorePassword), onChange);
    }

    boolean isRevoked(X509Certificate certificate) {
        for (X509CRL list : lists) {
            if (list.getIssuerX500Principal().equals(certificate.getIssuerX500Principal()) && list.isRevoked(certificate)) {
                return true;
            }
        }
        return false;
    }

    private int revokedCount() {
        return lists.stream().mapToInt(l -> l.getRevokedCertificates() == null ? 0 : l.getRevokedCertificates().size()).sum();
    }

    private void reloadIfChanged(Consumer<RevocationList> onChange) {
        Object now = stampOf(file);
        if (now == null || now.equals(stamp)) {
            return;
        }
        try {
            lists = read(file, authorities);
            // only a list that was read counts as seen: one caught half-written is read again next time
            stamp = now;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            LOG.warn("Could not re-read {} ({}); still using the previous list", file, e.getMessage());
            return;
        }
        LOG.info("Re-read {} ({} revoked)", file, revokedCount());
        onChange.accept(this);
    }

    /** What tells a changed file: its identity (an atomic rename makes a new one), time and size. */
    private static Object stampOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return null;
        }
    }

    private static List<X509CRL> read(Path file, List<X509Certificate> authorities) throws IOException, GeneralSecurityException {
        List<X509CRL> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (CRL crl : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                X509CRL list = (X509CRL) crl;
                out.add(verified(list, authorities));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no CRL in the file");
        }
        return Collections.unmodifiableList(out);
    }

    private static X509CRL verified(X509CRL list, List<X509Certificate> authorities) throws GeneralSecurityException {
        for (X509Certificate ca : authorities) {
            if (ca.getSubjectX500Principal().equals(list.getIssuerX500Principal())) {
                list.verify(ca.getPublicKey());
                return list;
            }
        }
        throw new IllegalArgumentException("the CRL of " + list.getIssuerX500Principal() + " is not from a CA of the trust store");
    }

    private static List<X509Certificate> authorities(Path trustStore, String password) {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            List<X509Certificate> out = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                Certificate c = store.getCertificate(alias);
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidSettingException("VTS_MQTT_TLS_TRUSTSTORE", "cannot read it (" + e.getMessage() + ")");
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
