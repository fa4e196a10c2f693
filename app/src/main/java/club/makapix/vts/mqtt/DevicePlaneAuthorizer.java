package club.makapix.vts.mqtt;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;

/**
 * HiveMQ's permission checks, answered by {@link DevicePlaneRules}: every subscription, and every
 * publish that reaches authorization (the last will at connect, and what the inbound interceptor let
 * through, which it already checked: ordinary publishes are refused there, where an MQTT 3 client can
 * be refused by a plain PUBACK rather than a disconnect).
 *
 * <p>MQTT 3.1 has no SUBACK failure code, so HiveMQ closes a 3.1 client whose subscription is refused;
 * the firmware subscribes only to topics of the table, which are never refused.
 */
final class DevicePlaneAuthorizer implements SubscriptionAuthorizer, PublishAuthorizer {
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

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        ClientIdentity who = ClientIdentity.of(input.getConnectionInformation());
        DevicePlaneRules.Refusal refusal = who == null ? DevicePlaneRules.Refusal.FOREIGN_TOPIC
                : rules.publish(who, input.getPublishPacket().getTopic());
        if (refusal == null) {
            output.authorizeSuccessfully();
            return;
        }
        metrics.refused(who, "publish", refusal);
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, refusal.label());
    }
}
