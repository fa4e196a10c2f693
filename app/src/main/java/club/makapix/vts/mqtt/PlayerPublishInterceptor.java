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
import java.time.Instant;

/**
 * The MQTT door. A view goes into the pipeline and its PUBACK is held until the outcome is durable.
 * A rejection is still PUBACKed (MQTT 3.1.1 cannot say no without disconnecting), with a reason code
 * for MQTT 5 and the reason on the ack topic when asked for. An event that could not be made durable
 * in time gets no PUBACK at all: the client is disconnected and sends it again after reconnecting.
 * Status messages update the player's row. Nothing a player publishes is relayed to other clients.
 */
final class PlayerPublishInterceptor implements PublishInboundInterceptor {
    private final Topics topics;
    private final Pipeline pipeline;
    private final StatusRecorder statuses;
    private final PublishService publisher;
    private final ClientService clients;
    private final Duration pubackTimeout;
    private final Clock clock;

    PlayerPublishInterceptor(Topics topics, Pipeline pipeline, StatusRecorder statuses, PublishService publisher,
                             ClientService clients, Duration pubackTimeout, Clock clock) {
        this.topics = topics;
        this.pipeline = pipeline;
        this.statuses = statuses;
        this.publisher = publisher;
        this.clients = clients;
        this.pubackTimeout = pubackTimeout;
        this.clock = clock;
    }

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        String player = input.getConnectionInformation().getConnectionAttributeStore()
                .getAsString(PlayerAuthenticator.PLAYER_ATTRIBUTE).orElse(null);
        Topics.Match match = topics.parse(input.getPublishPacket().getTopic());
        boolean mqtt5 = input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
        if (player == null || match == null || !player.equals(match.playerKey()) || match.kind() == Topics.Kind.ACK) {
            // the permissions already refuse these; never relay them in any case
            endHere(output, mqtt5, AckReasonCode.NOT_AUTHORIZED, "players may publish only on their own view and status topics");
            return;
        }
        byte[] payload = Payloads.bytes(input.getPublishPacket().getPayload().orElse(null));
        if (match.kind() == Topics.Kind.STATUS) {
            recordStatus(player, payload);
            output.preventPublishDelivery();
            return;
        }
        String clientId = input.getClientInformation().getClientId();
        // HiveMQ's own timeout is only a safety net: the writer gives up at the event's deadline first
        Async<PublishInboundOutput> async = output.async(pubackTimeout.plusSeconds(30), TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, "the event could not be stored in time");
        // the embedded broker sees the player's own address: players get a country too
        Origin origin = Origin.player(Door.MQTT, clock.instant(), input.getConnectionInformation().getInetAddress().orElse(null),
                player, pubackTimeout.toNanos());
        Event event = Event.fromPlayer(origin, match.playerKey(), payload);
        pipeline.submit(event).thenAccept(outcome -> {
            if (outcome.status() == Outcome.Status.UNAVAILABLE) {
                // withhold the PUBACK: without a session the client resends on reconnect. The publish
                // must still be released, or HiveMQ leaves the client's reconnect unanswered until the
                // safety-net timeout; release it only once the connection is closed, so no PUBACK can go out.
                clients.disconnectClient(clientId, false, DisconnectReasonCode.SERVER_BUSY, outcome.message())
                        .thenRun(() -> {
                            endHere(output, mqtt5, AckReasonCode.UNSPECIFIED_ERROR, outcome.message());
                            async.resume();
                        });
                return;
            }
            if (event.requestAck()) {
                sendAck(player, clientId, outcome);
            }
            AckReasonCode code = reasonCode(outcome);
            endHere(output, mqtt5, code, outcome.message());
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

    private void sendAck(String player, String clientId, Outcome outcome) {
        Ack ack = outcome.status() == Outcome.Status.STORED ? Ack.ok()
                : Ack.failure(outcome.reason().errorCode(), outcome.message());
        publisher.publishToClient(Builders.publish()
                .topic(topics.ack(player))
                .qos(Qos.AT_LEAST_ONCE)
                .payload(ByteBuffer.wrap(ack.encode()))
                .build(), clientId);
    }

    private void recordStatus(String player, byte[] payload) {
        try {
            StatusMessage status = StatusMessage.decode(payload);
            statuses.record(new Status(player, status.status(), Instant.now(), status.currentPostId(), status.firmwareVersion()));
        } catch (InvalidPayloadException e) {
            // a malformed heartbeat still says the player is alive
            statuses.record(new Status(player, "online", Instant.now(), null, null));
        }
    }
}
