package club.makapix.vts.mqtt;

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
 * The embedded HiveMQ CE broker with VTS's one extension: player authentication and topic
 * permissions, the publish interceptor that feeds the pipeline, and connection tracking.
 */
public final class Broker implements AutoCloseable {
    private final EmbeddedHiveMQ hivemq;
    private final ExecutorService authWork;
    private volatile boolean running;

    private Broker(EmbeddedHiveMQ hivemq, ExecutorService authWork) {
        this.hivemq = hivemq;
        this.authWork = authWork;
    }

    public static Broker start(Settings settings, Path home, Pipeline pipeline, PlayerDirectory players,
                               ConnectedPlayers connected, StatusRecorder statuses, Clock clock) throws Exception {
        Path conf = folder(home.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), BrokerConfig.xml(settings));
        Topics topics = new Topics(settings.topicPrefix());
        ExecutorService authWork = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "vts-mqtt-auth");
            t.setDaemon(true);
            return t;
        });
        ExtensionMain main = new ExtensionMain() {
            @Override
            public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
                connected.attach(Services.clientService());
                PlayerAuthenticator authenticator = new PlayerAuthenticator(players, connected, topics, authWork);
                Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
                PlayerPublishInterceptor interceptor = new PlayerPublishInterceptor(topics, pipeline, statuses,
                        Services.publishService(), Services.clientService(), settings.pubackTimeout(), clock);
                Services.initializerRegistry().setClientInitializer((init, client) -> client.addPublishInboundInterceptor(interceptor));
                PlayerLifecycle lifecycle = new PlayerLifecycle(connected, statuses);
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
                        .withId("vts").withName("VTS players").withVersion("1").withAuthor("VTS")
                        .withPriority(1000).withStartPriority(1000)
                        .withExtensionMain(main).build())
                .withoutLoggingBootstrap()
                .build();
        Broker broker = new Broker(hivemq, authWork);
        hivemq.start().get(120, TimeUnit.SECONDS);
        broker.running = true;
        return broker;
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
        }
    }
}
