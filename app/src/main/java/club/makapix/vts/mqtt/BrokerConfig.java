package club.makapix.vts.mqtt;

import club.makapix.vts.config.Settings;

/**
 * HiveMQ's {@code config.xml}, written from the settings. Limits are chosen for players, not left
 * at HiveMQ's defaults: small packets, a bounded in-flight window per client (receive maximum),
 * QoS at most 1, no shared subscriptions, and sessions kept in memory only. Retained messages and
 * wildcard subscriptions are on for the device plane (capabilities and state are retained; the
 * service account subscribes with {@code +}); which client may use them is the authorizer's to decide.
 */
final class BrokerConfig {
    private BrokerConfig() {}

    static String xml(Settings s) {
        Settings.MqttLimits limits = s.mqtt().limits();
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\"?>\n<hivemq>\n  <listeners>\n");
        x.append("    <tcp-listener><port>").append(s.listen().mqttPort()).append("</port><bind-address>")
                .append(escape(s.listen().bindAddress())).append("</bind-address><name>mqtt</name></tcp-listener>\n");
        if (s.mqtt().tls() != null) {
            Settings.MqttTls tls = s.mqtt().tls();
            x.append("    <tls-tcp-listener><port>").append(s.listen().mqttsPort()).append("</port><bind-address>")
                    .append(escape(s.listen().bindAddress())).append("</bind-address><name>mqtts</name>\n      <tls>\n")
                    .append("        <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>\n")
                    .append("        <keystore><path>").append(escape(tls.keyStore().toAbsolutePath().toString()))
                    .append("</path><password>").append(escape(tls.keyStorePassword()))
                    .append("</password><private-key-password>").append(escape(tls.keyStorePassword()))
                    .append("</private-key-password></keystore>\n");
            if (tls.trustStore() != null) {
                // a client certificate is optional: players with a secret may use TLS without one
                x.append("        <truststore><path>").append(escape(tls.trustStore().toAbsolutePath().toString()))
                        .append("</path><password>").append(escape(tls.trustStorePassword())).append("</password></truststore>\n")
                        .append("        <client-authentication-mode>OPTIONAL</client-authentication-mode>\n");
            }
            x.append("        <handshake-timeout>10000</handshake-timeout>\n      </tls>\n    </tls-tcp-listener>\n");
        }
        x.append("  </listeners>\n  <mqtt>\n")
                // a player's queue (commands, responses, acks); the service account gets a longer one
                .append("    <queued-messages><max-queue-size>1000</max-queue-size><strategy>discard-oldest</strategy></queued-messages>\n")
                .append("    <retained-messages><enabled>true</enabled></retained-messages>\n")
                .append("    <wildcard-subscriptions><enabled>true</enabled></wildcard-subscriptions>\n")
                .append("    <shared-subscriptions><enabled>false</enabled></shared-subscriptions>\n")
                .append("    <quality-of-service><max-qos>1</max-qos></quality-of-service>\n")
                .append("    <session-expiry><max-interval>3600</max-interval></session-expiry>\n")
                .append("    <message-expiry><max-interval>3600</max-interval></message-expiry>\n")
                .append("    <keep-alive><max-keep-alive>").append(limits.maxKeepAliveSeconds())
                .append("</max-keep-alive><allow-unlimited>false</allow-unlimited></keep-alive>\n")
                .append("    <packets><max-packet-size>").append(limits.maxPacketBytes()).append("</max-packet-size></packets>\n")
                .append("    <receive-maximum><server-receive-maximum>").append(limits.receiveMaximum())
                .append("</server-receive-maximum></receive-maximum>\n")
                .append("  </mqtt>\n  <restrictions>\n")
                .append("    <max-connections>").append(limits.maxConnections()).append("</max-connections>\n")
                .append("    <max-client-id-length>128</max-client-id-length>\n")
                .append("    <max-topic-length>256</max-topic-length>\n")
                .append("    <no-connect-idle-timeout>10000</no-connect-idle-timeout>\n")
                .append("  </restrictions>\n")
                .append("  <persistence><mode>in-memory</mode></persistence>\n")
                .append("  <security>\n")
                .append("    <allow-empty-client-id><enabled>false</enabled></allow-empty-client-id>\n")
                .append("    <allow-request-problem-information><enabled>true</enabled></allow-request-problem-information>\n")
                .append("  </security>\n")
                .append("  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>\n")
                .append("</hivemq>\n");
        return x.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
