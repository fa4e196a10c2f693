package club.makapix.vts.mqtt;

import club.makapix.vts.config.Settings.MqttServiceAccount;
import club.makapix.vts.protocol.ClientInput;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.store.PlayerDirectory;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 * Who may connect, and as whom. The site's service account by its username and password. Registered,
 * unrevoked players by client certificate (signed by the configured CA, checked by the TLS listener,
 * not on the revocation list; its CN must be the username) or by username + secret, with a client id
 * of their own only ({@code p3a-{key}}, or beginning with the key), so no one takes over another's
 * session. What each may then publish and subscribe is {@link DevicePlaneRules}' to decide.
 */
final class ClientAuthenticator implements SimpleAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(ClientAuthenticator.class);
    /**
     * Messages queued for the service account before the oldest are dropped: it receives every
     * player's statuses, requests and states, so a slow moment of the backend with a large fleet
     * (20,000 players' heartbeats every 30 s, say) must fit.
     */
    private static final long SERVICE_QUEUE = 100_000;

    private final PlayerDirectory players;
    private final ConnectedPlayers connected;
    private final MqttServiceAccount service;
    private final RevocationList revocations;
    private final DevicePlaneRules rules;
    private final DevicePlaneMetrics metrics;
    private final NodeLink nodes;
    /** Checking a secret is slow by design; it runs here, never on a network thread. */
    private final Executor slowWork;

    ClientAuthenticator(PlayerDirectory players, ConnectedPlayers connected, MqttServiceAccount service,
                        RevocationList revocations, DevicePlaneRules rules, DevicePlaneMetrics metrics, NodeLink nodes,
                        Executor slowWork) {
        this.players = players;
        this.connected = connected;
        this.service = service;
        this.revocations = revocations;
        this.rules = rules;
        this.metrics = metrics;
        this.nodes = nodes;
        this.slowWork = slowWork;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        Optional<String> user = input.getConnectPacket().getUserName();
        if (user.isEmpty() || user.get().isEmpty()) {
            refuse(output, "no_username", ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "username must be the player_key");
            return;
        }
        String name = user.get();
        if (ClientInput.textProblem(name, 256) != null) {
            refuse(output, "invalid_username", ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "the username is not valid text");
            return;
        }
        byte[] password = input.getConnectPacket().getPassword().map(Payloads::bytes).orElse(null);
        String clientId = input.getClientInformation().getClientId();
        if (service != null && service.user().equals(name)) {
            authenticateService(password, clientId, input, output);
            return;
        }
        if (!clientId.equals("p3a-" + name) && !clientId.startsWith(name)) {
            refuse(output, "foreign_client_id", ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "a player's client id is p3a-{player_key}, or begins with its player_key");
            return;
        }
        Optional<X509Certificate> certificate = input.getConnectionInformation().getClientTlsInformation()
                .flatMap(ClientTlsInformation::getClientCertificate);
        String secret = password == null ? null : new String(password, StandardCharsets.UTF_8);
        Async<SimpleAuthOutput> async = output.async(Duration.ofSeconds(10), TimeoutFallback.FAILURE,
                ConnackReasonCode.SERVER_UNAVAILABLE, "authentication took too long");
        slowWork.execute(() -> {
            try {
                authenticatePlayer(name, certificate.orElse(null), secret, clientId, input, output);
            } catch (RuntimeException e) {
                LOG.warn("Could not authenticate a player: {}", e.toString());
                output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "cannot check credentials now");
            } finally {
                async.resume();
            }
        });
    }

    private void authenticateService(byte[] password, String clientId, SimpleAuthInput input, SimpleAuthOutput output) {
        byte[] expected = service.password().getBytes(StandardCharsets.UTF_8);
        if (password == null || !MessageDigest.isEqual(expected, password)) {
            refuse(output, "wrong_password", ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong username or password");
            return;
        }
        if (clientId.startsWith("p3a-")) {
            refuse(output, "foreign_client_id", ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "p3a-… client ids are players'");
            return;
        }
        output.getClientSettings().setClientQueueSizeMaximum(SERVICE_QUEUE);
        admit(ClientIdentity.SERVICE, input, output);
    }

    private void authenticatePlayer(String key, X509Certificate certificate, String secret, String clientId,
                                    SimpleAuthInput input, SimpleAuthOutput output) {
        PlayerDirectory.Admission admission = players.admit(key, secret, certificate != null);
        if (admission.refusal() == PlayerDirectory.Refusal.UNKNOWN_OR_REVOKED) {
            refuse(output, "unknown_player", ConnackReasonCode.NOT_AUTHORIZED, "unknown or revoked player");
            return;
        }
        if (admission.refusal() == PlayerDirectory.Refusal.WRONG_SECRET) {
            refuse(output, "wrong_password", ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong player_key or secret");
            return;
        }
        if (certificate != null) {
            if (!key.equals(commonName(certificate))) {
                refuse(output, "certificate_mismatch", ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                        "the certificate's CN must equal the username");
                return;
            }
            if (revocations.isRevoked(certificate)) {
                refuse(output, "certificate_revoked", ConnackReasonCode.NOT_AUTHORIZED, "the certificate is revoked");
                return;
            }
        }
        connected.connected(key, clientId, certificate);
        ClientIdentity player = ClientIdentity.player(key);
        if (nodes.isShared()) {
            keepWill(player, input);
        }
        admit(player, input, output);
    }

    /**
     * The broker publishes a last will on its own, past the interceptor: kept with the connection for
     * the other nodes, when it is one the table lets the player publish (a view never is relayed).
     * A will with a delay (MQTT 5) stays on this node.
     */
    private void keepWill(ClientIdentity player, SimpleAuthInput input) {
        input.getConnectPacket().getWillPublish().ifPresent(will -> {
            if (will.getWillDelay() > 0 || rules.publish(player, will.getTopic()) != null) {
                return;
            }
            Topics.Kind kind = rules.parse(will.getTopic()).kind();
            if (kind == Topics.Kind.VIEW) {
                return;
            }
            nodes.keepWill(input.getConnectionInformation().getConnectionAttributeStore(), player.playerKey(), will.getTopic(),
                    will.getQos().getQosNumber(), kind.retained() && will.getRetain(),
                    Payloads.bytes(will.getPayload().orElse(null)));
        });
    }

    /**
     * Lets the client in with the publish permissions of its side of the table (HiveMQ checks them in
     * line, the last will included; the inbound interceptor has already refused and counted anything
     * else); its subscriptions are {@link DevicePlaneAuthorizer}'s to decide.
     */
    private void admit(ClientIdentity identity, SimpleAuthInput input, SimpleAuthOutput output) {
        identity.attachTo(input.getConnectionInformation().getConnectionAttributeStore());
        ModifiableDefaultPermissions permissions = output.getDefaultPermissions();
        permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        for (String filter : rules.publishFilters(identity)) {
            permissions.add(Builders.topicPermission()
                    .topicFilter(filter)
                    .type(TopicPermission.PermissionType.ALLOW)
                    .activity(TopicPermission.MqttActivity.PUBLISH)
                    .qos(TopicPermission.Qos.ZERO_ONE)
                    .retain(TopicPermission.Retain.ALL)
                    .build());
        }
        output.authenticateSuccessfully();
    }

    private void refuse(SimpleAuthOutput output, String reason, ConnackReasonCode code, String message) {
        metrics.connectRefused(reason);
        output.failAuthentication(code, message);
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
