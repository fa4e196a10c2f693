package club.makapix.vts.mqtt;

import club.makapix.vts.concurrent.DaemonThreads;
import club.makapix.vts.config.Settings;
import club.makapix.vts.pipeline.Pipeline;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.store.PlayerDirectory;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
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

    public static Broker start(Settings settings, Path home, Pipeline pipeline, PlayerDirectory players,
                               ConnectedPlayers connected, StatusRecorder statuses, DevicePlaneMetrics metrics,
                               Clock clock) throws Exception {
        Path conf = folder(home.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), BrokerConfig.xml(settings));
        Topics topics = new Topics(settings.topicPrefix());
        DevicePlaneRules rules = new DevicePlaneRules(topics);
        RevocationList revocations = revocationList(settings.mqttTls(), connected);
        RelayQuota quota = new RelayQuota(settings.mqttLimits().relayPerSecond());
        ExecutorService authWork = Executors.newFixedThreadPool(2, DaemonThreads.named("vts-mqtt-auth"));
        ExtensionMain main = new ExtensionMain() {
            @Override
            public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
                connected.attach(Services.clientService());
                ClientAuthenticator authenticator = new ClientAuthenticator(players, connected, settings.mqttService(),
                        revocations, rules, metrics, authWork);
                Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
                DevicePlaneAuthorizer authorizer = new DevicePlaneAuthorizer(rules, metrics);
                Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
                InboundPublishInterceptor interceptor = new InboundPublishInterceptor(rules, topics, pipeline, statuses,
                        quota, metrics, Services.publishService(), Services.clientService(), settings.pubackTimeout(), clock);
                Services.initializerRegistry().setClientInitializer((init, client) -> client.addPublishInboundInterceptor(interceptor));
                PlayerLifecycle lifecycle = new PlayerLifecycle(connected, statuses, quota, metrics);
                Services.eventRegistry().setClientLifecycleEventListener(in -> lifecycle);
            }

            @Override
            public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}
        };
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(folder(home.resolve("data")))
                .withExtensionsFolder(folder(home.resolve("extensions")))
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("vts").withName("VTS device plane").withVersion("1").withAuthor("VTS")
                        .withPriority(1000).withStartPriority(1000)
                        .withExtensionMain(main).build())
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
