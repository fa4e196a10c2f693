package club.makapix.vts.mqtt;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;

/**
 * Who an MQTT connection belongs to, as its authentication decided: a player (by key) or the site's
 * service account. Kept in the connection's attributes, so every later decision reads the same answer.
 */
record ClientIdentity(String playerKey) {
    private static final String ATTRIBUTE = "vts.identity";
    /** Player keys are never empty, so the empty string cannot name a player. */
    private static final String SERVICE_VALUE = "";
    static final ClientIdentity SERVICE = new ClientIdentity(null);

    static ClientIdentity player(String key) {
        return new ClientIdentity(key);
    }

    boolean isService() {
        return playerKey == null;
    }

    /** The identity of a connection, or null if it was never authenticated. */
    static ClientIdentity of(ConnectionInformation connection) {
        return connection.getConnectionAttributeStore().getAsString(ATTRIBUTE)
                .map(v -> v.equals(SERVICE_VALUE) ? SERVICE : player(v))
                .orElse(null);
    }

    void attachTo(ConnectionAttributeStore attributes) {
        attributes.putAsString(ATTRIBUTE, isService() ? SERVICE_VALUE : playerKey);
    }

    /** For metrics: {@code player} or {@code service}. */
    String label() {
        return isService() ? "service" : "player";
    }
}
