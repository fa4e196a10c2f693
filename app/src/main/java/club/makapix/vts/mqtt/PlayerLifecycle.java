package club.makapix.vts.mqtt;

import club.makapix.vts.store.PlayerDirectory.Status;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import java.time.Instant;

/** Marks players online when they connect and offline when their last connection ends. */
final class PlayerLifecycle implements ClientLifecycleEventListener {
    private final ConnectedPlayers connected;
    private final StatusRecorder statuses;

    PlayerLifecycle(ConnectedPlayers connected, StatusRecorder statuses) {
        this.connected = connected;
        this.statuses = statuses;
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
        input.getConnectionInformation().getConnectionAttributeStore().getAsString(PlayerAuthenticator.PLAYER_ATTRIBUTE)
                .ifPresent(player -> statuses.record(new Status(player, "online", Instant.now(), null, null)));
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
        input.getConnectionInformation().getConnectionAttributeStore().getAsString(PlayerAuthenticator.PLAYER_ATTRIBUTE)
                .ifPresent(player -> {
                    connected.disconnected(player, input.getClientInformation().getClientId());
                    statuses.record(new Status(player, "offline", Instant.now(), null, null));
                });
    }
}
