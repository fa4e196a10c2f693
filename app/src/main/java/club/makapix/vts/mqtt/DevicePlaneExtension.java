package club.makapix.vts.mqtt;

import club.makapix.vts.config.Settings;
import club.makapix.vts.pipeline.Pipeline;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.store.PlayerDirectory;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.interceptor.puback.PubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.time.Clock;
import java.util.concurrent.Executor;

/**
 * VTS's one extension of the embedded broker, wired when HiveMQ starts it (its services exist only
 * then): who connects, who may use which topic, the interceptor of every publish, and the lifecycle
 * of connections.
 */
final class DevicePlaneExtension implements ExtensionMain {
    private final Settings settings;
    private final Pipeline playerDoor;
    private final PlayerDirectory players;
    private final ConnectedPlayers connected;
    private final StatusRecorder statuses;
    private final DevicePlaneMetrics metrics;
    private final RevocationList revocations;
    private final Executor authWork;
    private final NodeLink nodes;
    private final Clock clock;

    DevicePlaneExtension(Settings settings, Pipeline playerDoor, PlayerDirectory players, ConnectedPlayers connected,
                         StatusRecorder statuses, DevicePlaneMetrics metrics, RevocationList revocations, Executor authWork,
                         NodeLink nodes, Clock clock) {
        this.settings = settings;
        this.playerDoor = playerDoor;
        this.players = players;
        this.connected = connected;
        this.statuses = statuses;
        this.metrics = metrics;
        this.revocations = revocations;
        this.authWork = authWork;
        this.nodes = nodes;
        this.clock = clock;
    }

    /**
     * With several nodes, "no matching subscribers" (MQTT 5's PUBACK 0x10) is only this node's view:
     * the subscriber may be on another node, so the PUBACK says success as one broker would.
     */
    private static final PubackOutboundInterceptor SUBSCRIBERS_ELSEWHERE = (input, output) -> {
        if (output.getPubackPacket().getReasonCode() == AckReasonCode.NO_MATCHING_SUBSCRIBERS) {
            output.getPubackPacket().setReasonCode(AckReasonCode.SUCCESS);
        }
    };

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Topics topics = new Topics(settings.mqtt().topicPrefix());
        DevicePlaneRules rules = new DevicePlaneRules(topics);
        RelayQuota quota = new RelayQuota(settings.mqtt().limits().relayPerSecond());
        connected.attach(Services.clientService());
        nodes.attach(Services.publishService(), Services.clientService(), connected, players, metrics::serviceClients);
        ClientAuthenticator authenticator = new ClientAuthenticator(players, connected, settings.mqtt().service(), revocations,
                rules, metrics, nodes, authWork);
        Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
        DevicePlaneAuthorizer authorizer = new DevicePlaneAuthorizer(rules, metrics);
        Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
        InboundPublishInterceptor interceptor = new InboundPublishInterceptor(rules, topics, playerDoor, statuses, quota,
                metrics, Services.publishService(), Services.clientService(), nodes, settings.mqtt().pubackTimeout(), clock);
        Services.initializerRegistry().setClientInitializer((init, client) -> {
            client.addPublishInboundInterceptor(interceptor);
            if (nodes.isShared()) {
                client.addPubackOutboundInterceptor(SUBSCRIBERS_ELSEWHERE);
            }
        });
        PlayerLifecycle lifecycle = new PlayerLifecycle(connected, statuses, quota, metrics, nodes, clock);
        Services.eventRegistry().setClientLifecycleEventListener(in -> lifecycle);
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}
}
