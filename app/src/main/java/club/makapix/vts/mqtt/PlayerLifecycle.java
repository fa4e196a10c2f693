package club.makapix.vts.mqtt;

import club.makapix.vts.store.PlayerDirectory.Status;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import java.time.Clock;

/**
 * Marks players online when they connect and offline when a connection ends (with or without
 * DISCONNECT: the broker relays the last will itself), and counts the service account's connections.
 */
final class PlayerLifecycle implements ClientLifecycleEventListener {
    private final ConnectedPlayers connected;
    private final StatusRecorder statuses;
    private final RelayQuota quota;
    private final DevicePlaneMetrics metrics;
    private final Clock clock;

    PlayerLifecycle(ConnectedPlayers connected, StatusRecorder statuses, RelayQuota quota, DevicePlaneMetrics metrics,
                    Clock clock) {
        this.connected = connected;
        this.statuses = statuses;
        this.quota = quota;
        this.metrics = metrics;
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
        }
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
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
        // a reconnect that took over the session is counted before the old connection's end arrives
        if (!connected.isConnected(who.playerKey())) {
            statuses.record(new Status(who.playerKey(), "offline", clock.instant(), null, null));
        }
    }
}
