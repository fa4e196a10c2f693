package club.makapix.vts.bench;

/**
 * The phases of one run, measured back to back so each ratio compares loads of the same minute.
 *
 * @param mqttVts        players publishing to VTS as fast as PUBACKs return (PUBACK after commit)
 * @param mqttMosquitto  the same players and load against bare Mosquitto
 * @param mosquittoRelayedPerSecond what Mosquitto's subscriber received, per second of that load
 * @param mqttVtsHalf    VTS paced at half of {@code mqttVts}'s rate
 * @param mqttMosquittoHalf Mosquitto paced at the same rate: the latency the generator and machine
 *                       alone give at that rate
 * @param httpHello      single POSTs to the hello-world route of the same server
 * @param httpSingle     single views, {@code POST /v1/posts/{id}/views}
 * @param httpSingleHalf single views paced at half of {@code httpSingle}'s rate
 * @param httpBatch      batches of 100 events, {@code POST /v1/events} (rate in events/s)
 * @param copyRowsPerSecond the same rows as the batch load stored, by plain COPY
 * @param relayVts       players' requests relayed by VTS to the backend and its responses back, each player
 *                       with one round trip awaiting its response (rate in relayed messages/s, both ways)
 * @param relayMosquitto the same round trips through bare Mosquitto
 * @param relayVtsHalf   VTS paced at half of {@code relayVts}'s rate
 * @param relayMosquittoHalf Mosquitto paced at the same rate
 */
record TargetsRun(PhaseResult mqttVts, PhaseResult mqttMosquitto, double mosquittoRelayedPerSecond, PhaseResult mqttVtsHalf,
                  PhaseResult mqttMosquittoHalf, PhaseResult httpHello, PhaseResult httpSingle, PhaseResult httpSingleHalf, PhaseResult httpBatch,
                  double copyRowsPerSecond, PhaseResult relayVts, PhaseResult relayMosquitto, PhaseResult relayVtsHalf,
                  PhaseResult relayMosquittoHalf) {

    double mqttRatio() {
        return ratio(mqttVts.perSecond(), mqttMosquitto.perSecond());
    }

    double singleRatio() {
        return ratio(httpSingle.perSecond(), httpHello.perSecond());
    }

    double batchRatio() {
        return ratio(httpBatch.perSecond(), copyRowsPerSecond);
    }

    double relayRatio() {
        return ratio(relayVts.perSecond(), relayMosquitto.perSecond());
    }

    long errors() {
        return mqttVts.errors() + mqttMosquitto.errors() + mqttVtsHalf.errors() + mqttMosquittoHalf.errors() + httpHello.errors() + httpSingle.errors()
                + httpSingleHalf.errors() + httpBatch.errors() + relayVts.errors() + relayMosquitto.errors() + relayVtsHalf.errors()
                + relayMosquittoHalf.errors();
    }

    private static double ratio(double measured, double reference) {
        return reference == 0 ? 0 : measured / reference;
    }
}
