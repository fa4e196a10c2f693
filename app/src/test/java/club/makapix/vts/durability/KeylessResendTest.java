package club.makapix.vts.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TcpProxy;
import club.makapix.vts.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A player whose clock is not synced sends events with nothing to recognise a resend by. When such
 * an event cannot be stored in time (no PUBACK, the player is disconnected), the rate-limit slot it
 * took is given back: the resend that follows at once is stored, not refused as rate limited.
 */
class KeylessResendTest {
    @Test
    @Timeout(120)
    void resendOfAnEventThatWasNotStoredIsNotRateLimited() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (TcpProxy proxy = TcpProxy.start(db.host(), db.port());
             RunningServer vts = RunningServer.start(db, withRateLimit(DatabaseOutageTest.settings(proxy, db, 2000)))) {
            vts.admin.post(5, "artist-k");
            String key = UUID.randomUUID().toString();
            vts.admin.player(key, "owner-k", "secret-" + key);
            String neighbour = UUID.randomUUID().toString();
            vts.admin.player(neighbour, "owner-n", "secret-" + neighbour);
            try (Mqtt3Player n = Mqtt3Player.connect(vts.mqttUri(), neighbour, "secret-" + neighbour, null)) {
                // another player's view of the post, so the post is known without the database during the cut
                n.publishView(("{\"post_id\": 5, \"timestamp\": \"2026-11-21T10:00:00Z\", \"intent\": \"artwork\","
                        + " \"player_key\": \"" + neighbour + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            byte[] unsynced = ("{\"post_id\": 5, \"timestamp\": \"1970-01-01T00:00:00Z\", \"timezone\": \"\", \"intent\": \"channel\","
                    + " \"player_key\": \"" + key + "\", \"request_ack\": true}").getBytes(StandardCharsets.UTF_8);

            try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
                proxy.cut();
                assertThrows(MqttException.class, () -> p.publishView(unsynced), "no PUBACK: the player is disconnected");
            }
            proxy.restore();
            try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
                p.publishView(unsynced); // well within the rate limit's window
                Ack ack = p.nextAck(20);
                assertEquals(Ack.ok(), ack);
            }
            assertEquals(1, db.count("select count(*) from view_events where player_key = ? and client_time is null", key));
        }
    }

    /**
     * A player rate limit (the outage tests switch it off), with a window far longer than the
     * outage and reconnect take, so a slot the lost copy kept would surely refuse the resend.
     */
    static Map<String, String> withRateLimit(Map<String, String> settings) {
        Map<String, String> out = new HashMap<>(settings);
        out.put("VTS_PLAYER_RATE_LIMIT_MS", "60000");
        return out;
    }
}
