package club.makapix.vts.mqtt;

import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;

/**
 * HiveMQ's subscription checks, answered by {@link DevicePlaneRules}. Publishes need no authorizer:
 * the inbound interceptor refuses and counts what the table does not allow (a plain PUBACK for MQTT 3,
 * which cannot say no without a disconnect), and the broker checks the rest, the last will included,
 * against the permissions {@link ClientAuthenticator} grants from the same table.
 *
 * <p>MQTT 3.1 has no SUBACK failure code, so HiveMQ closes a 3.1 client whose subscription is refused;
 * the firmware subscribes only to topics of the table, which are never refused.
 */
final class DevicePlaneAuthorizer implements SubscriptionAuthorizer {
    private final DevicePlaneRules rules;
    private final DevicePlaneMetrics metrics;

    DevicePlaneAuthorizer(DevicePlaneRules rules, DevicePlaneMetrics metrics) {
        this.rules = rules;
        this.metrics = metrics;
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        ClientIdentity who = ClientIdentity.of(input.getConnectionInformation());
        DevicePlaneRules.Refusal refusal = who == null ? DevicePlaneRules.Refusal.FOREIGN_TOPIC
                : rules.subscribe(who, input.getSubscription().getTopicFilter());
        if (refusal == null) {
            output.authorizeSuccessfully();
            return;
        }
        metrics.refused(who, "subscribe", refusal);
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, refusal.label());
    }
}
