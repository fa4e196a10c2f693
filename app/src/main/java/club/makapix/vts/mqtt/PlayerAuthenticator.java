package club.makapix.vts.mqtt;

import club.makapix.vts.protocol.Topics;
import club.makapix.vts.store.PlayerDirectory;
import club.makapix.vts.store.PlayerDirectory.Player;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets in registered, unrevoked players only: by client certificate (signed by the configured CA,
 * checked by the TLS listener; its CN must be the username) or by username + secret. Grants exactly
 * the contract's topics for that player, and nothing else.
 */
final class PlayerAuthenticator implements SimpleAuthenticator {
    static final String PLAYER_ATTRIBUTE = "vts.player";
    private static final Logger LOG = LoggerFactory.getLogger(PlayerAuthenticator.class);

    private final PlayerDirectory players;
    private final ConnectedPlayers connected;
    private final Topics topics;
    /** Checking a secret is slow by design; it runs here, never on a network thread. */
    private final Executor slowWork;

    PlayerAuthenticator(PlayerDirectory players, ConnectedPlayers connected, Topics topics, Executor slowWork) {
        this.players = players;
        this.connected = connected;
        this.topics = topics;
        this.slowWork = slowWork;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        Optional<String> user = input.getConnectPacket().getUserName();
        if (user.isEmpty() || user.get().isEmpty()) {
            output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "username must be the player_key");
            return;
        }
        String key = user.get();
        Optional<X509Certificate> certificate = input.getConnectionInformation().getClientTlsInformation()
                .flatMap(ClientTlsInformation::getClientCertificate);
        String secret = input.getConnectPacket().getPassword().map(password -> new String(Payloads.bytes(password), StandardCharsets.UTF_8)).orElse(null);
        String clientId = input.getClientInformation().getClientId();
        Async<SimpleAuthOutput> async = output.async(Duration.ofSeconds(10), TimeoutFallback.FAILURE,
                ConnackReasonCode.SERVER_UNAVAILABLE, "authentication took too long");
        slowWork.execute(() -> {
            try {
                decide(key, certificate.orElse(null), secret, clientId, input, output);
            } catch (RuntimeException e) {
                LOG.warn("Could not authenticate a player: {}", e.toString());
                output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "cannot check credentials now");
            } finally {
                async.resume();
            }
        });
    }

    private void decide(String key, X509Certificate certificate, String secret, String clientId,
                        SimpleAuthInput input, SimpleAuthOutput output) {
        Player player = players.findCurrent(key);
        if (player == null || player.revoked()) {
            output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "unknown or revoked player");
            return;
        }
        if (certificate != null) {
            if (!key.equals(commonName(certificate))) {
                output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                        "the certificate's CN must equal the username");
                return;
            }
        } else if (!players.checkSecret(player, secret)) {
            output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong player_key or secret");
            return;
        }
        grant(key, output);
        input.getConnectionInformation().getConnectionAttributeStore().putAsString(PLAYER_ATTRIBUTE, key);
        connected.connected(key, clientId);
        output.authenticateSuccessfully();
    }

    private void grant(String key, SimpleAuthOutput output) {
        output.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        output.getDefaultPermissions().add(permission(topics.view(key), TopicPermission.MqttActivity.PUBLISH));
        output.getDefaultPermissions().add(permission(topics.status(key), TopicPermission.MqttActivity.PUBLISH));
        output.getDefaultPermissions().add(permission(topics.ack(key), TopicPermission.MqttActivity.SUBSCRIBE));
    }

    private static TopicPermission permission(String topic, TopicPermission.MqttActivity activity) {
        return Builders.topicPermission()
                .topicFilter(topic)
                .type(TopicPermission.PermissionType.ALLOW)
                .activity(activity)
                .qos(TopicPermission.Qos.ZERO_ONE)
                .retain(TopicPermission.Retain.ALL)
                .sharedSubscription(TopicPermission.SharedSubscription.NOT_SHARED)
                .build();
    }

    static String commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
