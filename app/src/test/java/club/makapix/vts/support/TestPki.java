package club.makapix.vts.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for TLS tests, made in memory (EC P-256): the CA the server trusts,
 * a server certificate for 127.0.0.1 / localhost, player certificates with a chosen CN, and a second
 * CA the server does not know. The server's key store and trust store are PKCS12 files in a temp
 * directory, as an operator would configure them.
 */
public final class TestPki {
    /** One password for the stores and the server's key, as the settings expect. */
    public static final String PASSWORD = "vts-test-pki";
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final Authority trusted = new Authority("VTS Test Player CA");
    private final Authority untrusted = new Authority("Some Other CA");
    public final Path serverKeyStore;
    public final Path trustStore;

    public TestPki() {
        try {
            Path dir = Files.createTempDirectory("vts-test-pki");
            serverKeyStore = dir.resolve("server.p12");
            trustStore = dir.resolve("players-ca.p12");
            KeyPair serverKeys = newKeyPair();
            X509Certificate server = trusted.sign("localhost", serverKeys, KeyPurposeId.id_kp_serverAuth, new GeneralNames(
                    new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            KeyStore keys = emptyStore();
            keys.setKeyEntry("server", serverKeys.getPrivate(), PASSWORD.toCharArray(), new X509Certificate[] {server, trusted.certificate});
            write(keys, serverKeyStore);
            write(trustStoreOf(trusted.certificate), trustStore);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The settings of a server whose TLS listener on {@code mqttsPort} uses these stores. */
    public Map<String, String> serverSettings(int mqttsPort) {
        return Map.of(
                "VTS_MQTTS_PORT", Integer.toString(mqttsPort),
                "VTS_MQTT_TLS_KEYSTORE", serverKeyStore.toString(),
                "VTS_MQTT_TLS_KEYSTORE_PASSWORD", PASSWORD,
                "VTS_MQTT_TLS_TRUSTSTORE", trustStore.toString(),
                "VTS_MQTT_TLS_TRUSTSTORE_PASSWORD", PASSWORD);
    }

    /** TLS as a p3a does it: presents a certificate with subject CN {@code commonName}, signed by the trusted CA. */
    public SSLSocketFactory playerSockets(String commonName) {
        return sockets(trusted.clientCertificate(commonName));
    }

    /** A player's certificate signed by the trusted CA, kept so it can be revoked later, and TLS that presents it. */
    public record PlayerCertificate(X509Certificate certificate, SSLSocketFactory sockets) {}

    /** As p3a's mbedTLS is built: TLS 1.2 only (1.3 is off in the firmware). */
    public PlayerCertificate issuePlayer(String commonName) {
        ClientIdentity identity = trusted.clientCertificate(commonName);
        return new PlayerCertificate(identity.chain[0], sockets(identity, "TLSv1.2"));
    }

    /**
     * Writes the trusted CA's revocation list listing {@code revoked}, as PEM, the way the site's CA
     * rewrites it: to a temporary file renamed over the old one.
     */
    public void writeRevocationList(Path file, X509Certificate... revoked) {
        try {
            Date now = new Date();
            X509v2CRLBuilder builder = new X509v2CRLBuilder(trusted.name, now);
            builder.setNextUpdate(Date.from(Instant.now().plus(Duration.ofDays(30))));
            for (X509Certificate certificate : revoked) {
                builder.addCRLEntry(certificate.getSerialNumber(), now, CRLReason.keyCompromise);
            }
            X509CRL crl = new JcaX509CRLConverter().getCRL(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(trusted.keys.getPrivate())));
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "crl", ".tmp");
            try (JcaPEMWriter pem = new JcaPEMWriter(Files.newBufferedWriter(temporary))) {
                pem.writeObject(crl);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Presents a certificate with subject CN {@code commonName}, signed by a CA the server does not trust. */
    public SSLSocketFactory untrustedPlayerSockets(String commonName) {
        return sockets(untrusted.clientCertificate(commonName));
    }

    /** TLS that trusts the server but presents no client certificate. */
    public SSLSocketFactory socketsWithoutCertificate() {
        return sockets(null);
    }

    private SSLSocketFactory sockets(ClientIdentity identity) {
        return sockets(identity, "TLS");
    }

    /** {@code protocol}: "TLS" for the newest both sides know, "TLSv1.2" for at most 1.2. */
    private SSLSocketFactory sockets(ClientIdentity identity, String protocol) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStoreOf(trusted.certificate));
            SSLContext context = SSLContext.getInstance(protocol);
            KeyManager[] keyManagers = identity == null ? new KeyManager[0] : new KeyManager[] {identity};
            context.init(keyManagers, trust.getTrustManagers(), new SecureRandom());
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore trustStoreOf(X509Certificate ca) throws GeneralSecurityException, IOException {
        KeyStore store = emptyStore();
        store.setCertificateEntry("ca", ca);
        return store;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static void write(KeyStore store, Path file) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA that issues certificates. */
    private static final class Authority {
        final KeyPair keys = newKeyPair();
        final X500Name name;
        final X509Certificate certificate;

        Authority(String commonName) {
            name = new X500Name("CN=" + commonName + ",O=VTS tests");
            try {
                X509v3CertificateBuilder builder = builder(name, keys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                certificate = build(builder);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ClientIdentity clientCertificate(String commonName) {
            KeyPair player = newKeyPair();
            return new ClientIdentity(player.getPrivate(),
                    new X509Certificate[] {sign(commonName, player, KeyPurposeId.id_kp_clientAuth, null), certificate});
        }

        X509Certificate sign(String commonName, KeyPair subject, KeyPurposeId purpose, GeneralNames alternativeNames) {
            try {
                X509v3CertificateBuilder builder = builder(new X500Name("CN=" + commonName), subject.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                if (alternativeNames != null) {
                    builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
                }
                return build(builder);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A certificate for {@code key} issued by this CA (the CA's own, when {@code subject} is its name). */
        private X509v3CertificateBuilder builder(X500Name subject, PublicKey key) {
            return new JcaX509v3CertificateBuilder(name, serial(), notBefore(), notAfter(), subject, key);
        }

        private X509Certificate build(X509v3CertificateBuilder builder) {
            try {
                return new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            } catch (OperatorCreationException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static BigInteger serial() {
            return BigInteger.valueOf(SERIALS.incrementAndGet());
        }

        private static Date notBefore() {
            return Date.from(Instant.now().minus(Duration.ofHours(1)));
        }

        private static Date notAfter() {
            return Date.from(Instant.now().plus(Duration.ofDays(1)));
        }
    }

    /**
     * A client key manager that always presents its one certificate, whatever CAs the server names,
     * as an embedded client with a single configured certificate does (the JDK's default would
     * silently send none when the issuer is not on the server's list).
     */
    private static final class ClientIdentity extends X509ExtendedKeyManager {
        private static final String ALIAS = "player";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        ClientIdentity(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }
}
