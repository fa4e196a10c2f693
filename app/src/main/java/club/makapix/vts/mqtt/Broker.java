package club.makapix.vts.mqtt;

import club.makapix.vts.concurrent.DaemonThreads;
import club.makapix.vts.config.Settings;
import club.makapix.vts.pipeline.Pipeline;
import club.makapix.vts.store.PlayerDirectory;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The embedded HiveMQ CE broker with VTS's one extension: who may connect ({@link ClientAuthenticator}),
 * what each client may publish and subscribe ({@link DevicePlaneAuthorizer}), the interceptor that
 * feeds views to the pipeline and relays the rest of the device plane, and connection tracking.
 */
public final class Broker implements AutoCloseable {
    private final EmbeddedHiveMQ hivemq;
    private final ExecutorService authWork;
    private final RevocationList revocations;
    private volatile boolean running;

    private Broker(EmbeddedHiveMQ hivemq, ExecutorService authWork, RevocationList revocations) {
        this.hivemq = hivemq;
        this.authWork = authWork;
        this.revocations = revocations;
    }

    public static Broker start(Settings settings, Path home, Pipeline playerDoor, PlayerDirectory players,
                               ConnectedPlayers connected, StatusRecorder statuses, DevicePlaneMetrics metrics,
                               NodeLink nodes, Clock clock) throws Exception {
        Path conf = folder(home.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), BrokerConfig.xml(settings));
        RevocationList revocations = revocationList(settings.mqtt().tls(), connected);
        ExecutorService authWork = Executors.newFixedThreadPool(2, DaemonThreads.named("vts-mqtt-auth"));
        DevicePlaneExtension extension = new DevicePlaneExtension(settings, playerDoor, players, connected, statuses, metrics,
                revocations, authWork, nodes, clock);
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(folder(home.resolve("data")))
                .withExtensionsFolder(folder(home.resolve("extensions")))
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("vts").withName("VTS device plane").withVersion("1").withAuthor("VTS")
                        .withPriority(1000).withStartPriority(1000)
                        .withExtensionMain(extension).build())
                .withoutLoggingBootstrap()
                .build();
        Broker broker = new Broker(hivemq, authWork, revocations);
        try {
            hivemq.start().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            revocations.close();
            authWork.shutdownNow();
            throw e;
        }
        nodes.start();
        broker.running = true;
        return broker;
    }

    /** The CRL when one is configured; a change to it cuts the connections of newly revoked certificates. */
    private static RevocationList revocationList(Settings.MqttTls tls, ConnectedPlayers connected) {
        if (tls == null || tls.revocationList() == null) {
            return RevocationList.none();
        }
        return RevocationList.watch(tls.revocationList(), tls.trustStore(), tls.trustStorePassword(),
                list -> connected.disconnectCertificates(list::isRevoked));
    }

    private static Path folder(Path path) throws IOException {
        return Files.createDirectories(path);
    }

    public boolean isRunning() {
        return running;
    }

    @Override
    public void close() throws Exception {
        running = false;
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
        } finally {
            hivemq.close();
            authWork.shutdownNow();
            revocations.close();
        }
    }
}
