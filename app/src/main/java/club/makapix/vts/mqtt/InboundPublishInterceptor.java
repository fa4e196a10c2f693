package club.makapix.vts.mqtt;

import club.makapix.vts.pipeline.Door;
import club.makapix.vts.pipeline.Event;
import club.makapix.vts.pipeline.Origin;
import club.makapix.vts.pipeline.Outcome;
import club.makapix.vts.pipeline.Pipeline;
import club.makapix.vts.pipeline.Reason;
import club.makapix.vts.protocol.Ack;
import club.makapix.vts.protocol.InvalidPayloadException;
import club.makapix.vts.protocol.StatusMessage;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.store.PlayerDirectory.Status;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;

/**
 * Every publish a client makes, before it is routed. Anything the contract's table does not allow
 * the client is refused here ({@link DevicePlaneRules}): dropped with a plain PUBACK for MQTT 3 (which
 * cannot say no without a disconnect), with "not authorized" for MQTT 5. What the service account
 * publishes, and what a player publishes other than a view, is relayed by ordinary routing: PUBACKed on
 * receipt, within the player's relay share ({@link RelayQuota}), the retain flag kept only where the
 * table keeps retained messages, a status recorded on the way.
 *
 * <p>A view is the MQTT door of the pipeline and is never relayed: its PUBACK is held until the
 * outcome is durable. A rejection is still PUBACKed, with a reason code for MQTT 5 and the reason on
 * the ack topic when asked for. An event that could not be made durable in time gets no PUBACK at all:
 * the client is disconnected and sends it again after reconnecting.
 */
final class InboundPublishInterceptor implements PublishInboundInterceptor {
    private final DevicePlaneRules rules;
    private final Topics topics;
    private final Pipeline pipeline;
    private final StatusRecorder statuses;
    private final RelayQuota quota;
    private final DevicePlaneMetrics metrics;
    private final PublishService publisher;
    private final ClientService clients;
    private final NodeLink nodes;
    private final Duration pubackTimeout;
    private final Clock clock;

    InboundPublishInterceptor(DevicePlaneRules rules, Topics topics, Pipeline pipeline, StatusRecorder statuses,
                              RelayQuota quota, DevicePlaneMetrics metrics, PublishService publisher,
                              ClientService clients, NodeLink nodes, Duration pubackTimeout, Clock clock) {
        this.rules = rules;
        this.topics = topics;
        this.pipeline = pipeline;
        this.statuses = statuses;
        this.quota = quota;
        this.metrics = metrics;
        this.publisher = publisher;
        this.clients = clients;
        this.nodes = nodes;
        this.pubackTimeout = pubackTimeout;
        this.clock = clock;
    }

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        ClientIdentity who = ClientIdentity.of(input.getConnectionInformation());
        String topic = input.getPublishPacket().getTopic();
        boolean mqtt5 = input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
        if (input.getPublishPacket().getQos() == Qos.EXACTLY_ONCE) {
            // the CONNACK announced QoS 1 at most; a PUBREC would acknowledge what is never handled
            metrics.refused(who, "publish", DevicePlaneRules.Refusal.QOS_2);
            disconnectUnacknowledged(input.getClientInformation().getClientId(), DisconnectReasonCode.QOS_NOT_SUPPORTED,
                    "QoS 2 is not supported", output, mqtt5, output.async(Duration.ofSeconds(10)));
            return;
        }
        DevicePlaneRules.Refusal refusal = who == null ? DevicePlaneRules.Refusal.FOREIGN_TOPIC : rules.publish(who, topic);
        if (refusal != null) {
            metrics.refused(who, "publish", refusal);
            endHere(output, mqtt5, AckReasonCode.NOT_AUTHORIZED, "not allowed on this topic: " + refusal.label());
            return;
        }
        Topics.Match match = rules.parse(topic);
        Topics.Kind kind = match.kind();
        if (kind == Topics.Kind.VIEW) {
            submitView(who.playerKey(), input, output, mqtt5);
        } else if (who.isService()) {
            metrics.relayed(kind);
            if (nodes.isShared()) {
                // the player may be connected to another node
                nodes.toPlayer(match.playerKey(), topic, input.getPublishPacket().getQos().getQosNumber(),
                        Payloads.bytes(input.getPublishPacket().getPayload().orElse(null)));
            }
        } else {
            relayFromPlayer(who.playerKey(), kind, input, output, mqtt5);
        }
    }

    private void relayFromPlayer(String player, Topics.Kind kind, PublishInboundInput input, PublishInboundOutput output,
                                 boolean mqtt5) {
        if (!quota.take(input.getClientInformation().getClientId(), System.nanoTime())) {
            metrics.overQuota(kind);
            endHere(output, mqtt5, AckReasonCode.QUOTA_EXCEEDED, "more messages than this player's share of the relay");
            return;
        }
        if (!kind.retained()) {
            // the table keeps retained messages for capabilities and state only; elsewhere the flag is
            // ignored, never a reason to disconnect
            output.getPublishPacket().setRetain(false);
        }
        if (kind == Topics.Kind.STATUS) {
            recordStatus(player, Payloads.bytes(input.getPublishPacket().getPayload().orElse(null)));
        }
        metrics.relayed(kind);
        if (nodes.isShared()) {
            // service clients may be connected to other nodes; a retained message is kept for later ones there too
            nodes.fromPlayer(player, input.getPublishPacket().getTopic(), input.getPublishPacket().getQos().getQosNumber(),
                    kind.retained() && input.getPublishPacket().getRetain(),
                    Payloads.bytes(input.getPublishPacket().getPayload().orElse(null)));
        }
    }

    private void submitView(String player, PublishInboundInput input, PublishInboundOutput output, boolean mqtt5) {
        byte[] payload = Payloads.bytes(input.getPublishPacket().getPayload().orElse(null));
        String clientId = input.getClientInformation().getClientId();
        // HiveMQ's own timeout is only a safety net: the writer gives up at the event's deadline first
        Async<PublishInboundOutput> async = output.async(pubackTimeout.plusSeconds(30), TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, "the event could not be stored in time");
        // the embedded broker sees the player's own address: players get a country too
        Origin origin = Origin.player(Door.MQTT, clock.instant(), input.getConnectionInformation().getInetAddress().orElse(null),
                player, pubackTimeout.toNanos());
        Event event = Event.fromPlayer(origin, player, payload);
        pipeline.submit(event).thenAccept(outcome -> {
            if (outcome.status() == Outcome.Status.UNAVAILABLE) {
                // withhold the PUBACK: without a session the client resends on reconnect
                disconnectUnacknowledged(clientId, DisconnectReasonCode.SERVER_BUSY, outcome.message(), output, mqtt5, async);
                return;
            }
            if (event.requestAck()) {
                sendAck(player, outcome);
            }
            AckReasonCode code = reasonCode(outcome);
            endHere(output, mqtt5, code, outcome.message());
            async.resume();
        });
    }

    /**
     * Closes the connection without acknowledging the publish. The publish must still be released, or
     * HiveMQ leaves the client's reconnect unanswered until its timeout; it is released only once the
     * connection is closed, so no PUBACK can go out.
     */
    private void disconnectUnacknowledged(String clientId, DisconnectReasonCode code, String message,
                                          PublishInboundOutput output, boolean mqtt5, Async<PublishInboundOutput> async) {
        clients.disconnectClient(clientId, false, code, message).thenRun(() -> {
            endHere(output, mqtt5, AckReasonCode.UNSPECIFIED_ERROR, message);
            async.resume();
        });
    }

    /** Ends the publish here: PUBACK with a reason code for MQTT 5, a plain PUBACK for MQTT 3. */
    private static void endHere(PublishInboundOutput output, boolean mqtt5, AckReasonCode code, String message) {
        if (mqtt5 && code != AckReasonCode.SUCCESS) {
            output.preventPublishDelivery(code, message);
        } else {
            output.preventPublishDelivery();
        }
    }

    static AckReasonCode reasonCode(Outcome outcome) {
        if (outcome.status() == Outcome.Status.STORED || outcome.reason() == Reason.DUPLICATE) {
            return AckReasonCode.SUCCESS;
        }
        return switch (outcome.reason()) {
            case RATE_LIMITED -> AckReasonCode.QUOTA_EXCEEDED;
            case INVALID_PAYLOAD -> AckReasonCode.PAYLOAD_FORMAT_INVALID;
            case PLAYER_KEY_MISMATCH, PLAYER_NOT_REGISTERED, PLAYER_NO_OWNER -> AckReasonCode.NOT_AUTHORIZED;
            case POST_NOT_FOUND -> AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
            default -> AckReasonCode.UNSPECIFIED_ERROR;
        };
    }

    /** Published by ordinary routing: every subscriber of the ack topic gets it, as from the site's backend. */
    private void sendAck(String player, Outcome outcome) {
        Ack ack = outcome.status() == Outcome.Status.STORED ? Ack.ok()
                : Ack.failure(outcome.reason().errorCode(), outcome.message());
        publisher.publish(Builders.publish()
                .topic(topics.ack(player))
                .qos(Qos.AT_LEAST_ONCE)
                .payload(ByteBuffer.wrap(ack.encode()))
                .build());
    }

    private void recordStatus(String player, byte[] payload) {
        try {
            StatusMessage status = StatusMessage.decode(payload);
            statuses.record(new Status(player, status.status(), clock.instant(), status.currentPostId(), status.firmwareVersion()));
        } catch (InvalidPayloadException e) {
            // a malformed heartbeat still says the player is alive
            statuses.record(new Status(player, "online", clock.instant(), null, null));
        }
    }
}
