package club.makapix.vts.bench;

/**
 * What one phase of load achieved.
 *
 * @param phase     its name, e.g. "mqtt-vts"
 * @param perSecond successful events (or rows) per second over the load window
 * @param completed successful requests or publishes during the window
 * @param errors    rejected, failed or lost ones (during the window and its drain)
 * @param p50Ms     latency median (from the intended send time when the load was paced)
 * @param p99Ms     latency p99
 * @param maxMs     latency maximum
 * @param cpu       CPU per event over the window, by process
 */
record PhaseResult(String phase, double perSecond, long completed, long errors, double p50Ms, double p99Ms, double maxMs, CpuUse cpu) {}
