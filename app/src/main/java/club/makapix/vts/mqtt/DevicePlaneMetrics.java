package club.makapix.vts.mqtt;

import club.makapix.vts.protocol.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** What the device plane does, for {@code /metrics}: relayed messages, refusals, drops, service clients. */
public final class DevicePlaneMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger serviceClients = new AtomicInteger();
    /** Looked up once: relaying is the hot path (every heartbeat, request and response). */
    private final Map<Topics.Kind, Counter> relayedByKind = new EnumMap<>(Topics.Kind.class);

    public DevicePlaneMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Topics.Kind kind : Topics.Kind.values()) {
            if (kind.flow() != Topics.Flow.CONSUMED) {
                relayedByKind.put(kind, Counter.builder("vts_mqtt_relayed_total")
                        .description("Messages relayed between players and the service account, by topic kind and direction")
                        .tag("kind", kind.label())
                        .tag("direction", kind.flow() == Topics.Flow.TO_PLAYER ? "to_player" : "from_player")
                        .register(registry));
            }
        }
        Gauge.builder("vts_mqtt_service_clients", serviceClients, AtomicInteger::get)
                .description("Connections of the site's service account").register(registry);
    }

    /** A message that goes on to its subscribers by ordinary routing. */
    void relayed(Topics.Kind kind) {
        relayedByKind.get(kind).increment();
    }

    /** A publish or subscription refused by the contract's table. */
    void refused(ClientIdentity who, String action, DevicePlaneRules.Refusal reason) {
        Counter.builder("vts_mqtt_refused_total")
                .description("Publishes and subscriptions refused by the device plane's permissions, by client, action and reason")
                .tag("client", who == null ? "unknown" : who.label()).tag("action", action).tag("reason", reason.label())
                .register(registry).increment();
    }

    /** A player's relayed message dropped because it publishes faster than its share. */
    void overQuota(Topics.Kind kind) {
        Counter.builder("vts_mqtt_relay_dropped_total")
                .description("Player messages not relayed because the player exceeded VTS_MQTT_PLAYER_RELAY_PER_S, by topic kind")
                .tag("kind", kind.label()).register(registry).increment();
    }

    /** A connection refused at CONNECT, by reason (bad credentials, revoked certificate, foreign client id…). */
    void connectRefused(String reason) {
        Counter.builder("vts_mqtt_connect_refused_total")
                .description("MQTT connections refused at CONNECT, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    /** Connections of the service account to this node now. */
    int serviceClients() {
        return serviceClients.get();
    }

    void serviceConnected() {
        serviceClients.incrementAndGet();
    }

    void serviceDisconnected() {
        serviceClients.decrementAndGet();
    }
}
