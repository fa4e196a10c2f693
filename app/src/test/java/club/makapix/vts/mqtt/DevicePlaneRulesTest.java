package club.makapix.vts.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import club.makapix.vts.mqtt.DevicePlaneRules.Refusal;
import club.makapix.vts.protocol.Topics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract's table, row by row, for a player and for the service account; one case per refusal reason. */
class DevicePlaneRulesTest {
    static final String P = "makapix/player/";
    static final ClientIdentity PLAYER = ClientIdentity.player("k1");
    static final ClientIdentity SERVICE = ClientIdentity.SERVICE;
    final DevicePlaneRules rules = new DevicePlaneRules(new Topics(Topics.DEFAULT_PREFIX));

    @Test
    void aPlayerPublishesWhatTheSiteAclLetsItWriteOnItsOwnKey() {
        for (String suffix : new String[] {"view", "status", "command/ack", "request/17", "capabilities", "state"}) {
            assertNull(rules.publish(PLAYER, P + "k1/" + suffix), suffix);
        }
        for (String suffix : new String[] {"view/ack", "command", "response/17"}) {
            assertEquals(Refusal.NOT_PERMITTED, rules.publish(PLAYER, P + "k1/" + suffix), suffix);
        }
    }

    @Test
    void aPlayerSubscribesToWhatTheSiteAclLetsItReadOnItsOwnKey() {
        for (String suffix : new String[] {"view/ack", "command", "response/#", "response/+", "response/17"}) {
            assertNull(rules.subscribe(PLAYER, P + "k1/" + suffix), suffix);
        }
        for (String suffix : new String[] {"view", "status", "request/+", "capabilities", "state", "command/ack"}) {
            assertEquals(Refusal.NOT_PERMITTED, rules.subscribe(PLAYER, P + "k1/" + suffix), suffix);
        }
    }

    @Test
    void anotherPlayersTopicsAreRefused() {
        assertEquals(Refusal.OTHER_PLAYER, rules.publish(PLAYER, P + "k2/status"));
        assertEquals(Refusal.OTHER_PLAYER, rules.subscribe(PLAYER, P + "k2/command"));
        assertEquals(Refusal.OTHER_PLAYER, rules.publish(PLAYER, P + "k10/view"), "a key that merely begins with its own");
    }

    @Test
    void wildcardsWhereTheTableHasNoneAreRefused() {
        assertEquals(Refusal.WILDCARD, rules.subscribe(PLAYER, P + "+/command"));
        assertEquals(Refusal.WILDCARD, rules.publish(SERVICE, P + "+/command"));
        assertEquals(Refusal.WILDCARD, rules.publish(SERVICE, P + "k1/response/+"));
    }

    @Test
    void topicsOutsideTheTableAreForeign() {
        for (String topic : new String[] {"#", "$SYS/#", "makapix/#", P + "#", P + "k1/#", P + "k1/other", "other/k1/view",
                P + "k1/request/a/b"}) {
            assertEquals(Refusal.FOREIGN_TOPIC, rules.subscribe(SERVICE, topic), topic);
            assertEquals(Refusal.FOREIGN_TOPIC, rules.subscribe(PLAYER, topic), topic);
        }
    }

    @Test
    void theServiceAccountHasTheOtherSideWithPlusForTheKey() {
        for (String suffix : new String[] {"status", "command/ack", "request/+", "request/#", "capabilities", "state"}) {
            assertNull(rules.subscribe(SERVICE, P + "+/" + suffix), suffix);
            assertNull(rules.subscribe(SERVICE, P + "k1/" + suffix), suffix);
        }
        for (String suffix : new String[] {"view", "view/ack", "command", "response/#"}) {
            assertEquals(Refusal.NOT_PERMITTED, rules.subscribe(SERVICE, P + "+/" + suffix), suffix);
        }
        for (String suffix : new String[] {"view/ack", "command", "response/17"}) {
            assertNull(rules.publish(SERVICE, P + "k1/" + suffix), suffix);
        }
        for (String suffix : new String[] {"view", "status", "request/1", "capabilities", "state", "command/ack"}) {
            assertEquals(Refusal.NOT_PERMITTED, rules.publish(SERVICE, P + "k1/" + suffix), suffix);
        }
    }

    @Test
    void thePublishPermissionsTheBrokerChecksAreTheTableToo() {
        assertEquals(List.of(P + "k1/view", P + "k1/status", P + "k1/command/ack", P + "k1/request/+", P + "k1/capabilities",
                P + "k1/state"), rules.publishFilters(PLAYER));
        assertEquals(List.of(P + "+/view/ack", P + "+/command", P + "+/response/+"), rules.publishFilters(SERVICE));
        for (ClientIdentity who : List.of(PLAYER, SERVICE)) {
            for (String filter : rules.publishFilters(who)) {
                String topic = filter.replace("+/", "k1/").replace("/+", "/17");
                assertNull(rules.publish(who, topic), who.label() + " " + topic);
            }
        }
    }
}
