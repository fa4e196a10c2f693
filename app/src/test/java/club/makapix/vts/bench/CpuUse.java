package club.makapix.vts.bench;

/**
 * What one phase cost in CPU, per event (per row for batches), in µs of one core.
 *
 * @param busyShare  the share of all the machine's cores that was busy during the phase (1 = saturated)
 * @param server     the VTS server's JVM
 * @param database   its PostgreSQL (every backend, the WAL writer, checkpoints, autovacuum)
 * @param mosquitto  the reference broker
 * @param generator  this load generator
 * @param machine    everything busy on the machine, kernel work for loopback traffic included
 */
record CpuUse(double busyShare, double server, double database, double mosquitto, double generator, double machine) {
    /** The rate the machine could sustain at this cost with every core busy. */
    double ceilingPerSecond(int cores) {
        return machine <= 0 ? 0 : cores * 1e6 / machine;
    }
}
