package club.makapix.vts.mqtt;

import club.makapix.vts.store.PlayerDirectory.Status;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import java.time.Clock;

/**
 * Marks players online when they connect and offline when a connection ends (with or without
 * DISCONNECT: the broker relays the last will itself), and counts the service account's connections.
 * With several nodes, it also tells the others of a player's connect (so an older connection of the
 * same client id elsewhere ends) and hands them the last will when the broker published it here.
 */
final class PlayerLifecycle implements ClientLifecycleEventListener {
    private final ConnectedPlayers connected;
    private final StatusRecorder statuses;
    private final RelayQuota quota;
    private final DevicePlaneMetrics metrics;
    private final NodeLink nodes;
    private final Clock clock;

    PlayerLifecycle(ConnectedPlayers connected, StatusRecorder statuses, RelayQuota quota, DevicePlaneMetrics metrics,
                    NodeLink nodes, Clock clock) {
        this.connected = connected;
        this.statuses = statuses;
        this.quota = quota;
        this.metrics = metrics;
        this.nodes = nodes;
        this.clock = clock;
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
        ClientIdentity who = ClientIdentity.of(input.getConnectionInformation());
        if (who == null) {
            return;
        }
        if (who.isService()) {
            metrics.serviceConnected();
        } else {
            statuses.record(new Status(who.playerKey(), "online", clock.instant(), null, null));
            nodes.playerConnected(input.getClientInformation().getClientId(),
                    input.getConnectionInformation().getConnectionAttributeStore());
        }
    }

    /*
     * When the broker publishes the will (HiveMQ CE's DisconnectHandler and MqttServerDisconnectorImpl):
     * a lost connection always; a client's DISCONNECT unless its reason is a normal disconnection
     * (always so in MQTT 3); a server's disconnect unless the session was taken over (VTS's own
     * disconnects with the will prevented are all takeovers).
     */

    @Override
    public void onConnectionLost(ConnectionLostInput input) {
        ended(input, true, false);
    }

    @Override
    public void onClientInitiatedDisconnect(ClientInitiatedDisconnectInput input) {
        ended(input, input.getReasonCode().map(code -> code != DisconnectedReasonCode.NORMAL_DISCONNECTION).orElse(false), false);
    }

    @Override
    public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput input) {
        boolean takenOver = input.getReasonCode().map(code -> code == DisconnectedReasonCode.SESSION_TAKEN_OVER).orElse(false);
        ended(input, !takenOver, takenOver);
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
        ended(input, false, false);
    }

    private void ended(DisconnectEventInput input, boolean willSent, boolean takenOver) {
        ClientIdentity who = ClientIdentity.of(input.getConnectionInformation());
        if (who == null) {
            return;
        }
        if (who.isService()) {
            metrics.serviceDisconnected();
            return;
        }
        String clientId = input.getClientInformation().getClientId();
        connected.disconnected(who.playerKey(), clientId);
        quota.forget(clientId);
        nodes.playerDisconnected(clientId, input.getConnectionInformation().getConnectionAttributeStore());
        if (willSent) {
            nodes.willSent(input.getConnectionInformation().getConnectionAttributeStore());
        }
        // a reconnect that took over the session is counted before the old connection's end arrives
        // (here, or on another node: the player is online there)
        if (!takenOver && !connected.isConnected(who.playerKey())) {
            statuses.record(new Status(who.playerKey(), "offline", clock.instant(), null, null));
        }
    }
}
