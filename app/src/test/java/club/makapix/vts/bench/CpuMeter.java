package club.makapix.vts.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where the machine's CPU goes during a phase, from {@code /proc}: the server's JVM, its PostgreSQL,
 * Mosquitto, this load generator, and the machine as a whole (kernel work for loopback traffic
 * included). Divided by the events of the phase, this says what one event costs and who pays, the
 * figures that bound a rate on a machine whose cores the load and the server share.
 */
final class CpuMeter {
    /** CPU time so far, in clock ticks: each process tree, then the machine's (zero without /proc/stat). */
    record Reading(long server, long database, long mosquitto, long generator, MachineTicks machine) {}

    private final long serverPid;
    private final long databasePid;
    private final long mosquittoPid;
    private final long generatorPid = ProcessHandle.current().pid();
    private final double ticksPerSecond;

    /** @param databasePid the PostgreSQL postmaster (not a child of the server: it detaches on start) */
    CpuMeter(long serverPid, long databasePid, long mosquittoPid) {
        this.serverPid = serverPid;
        this.databasePid = databasePid;
        this.mosquittoPid = mosquittoPid;
        this.ticksPerSecond = clockTicksPerSecond();
    }

    Reading read() {
        MachineTicks machine = MachineTicks.read();
        return new Reading(treeTicks(serverPid), treeTicks(databasePid), treeTicks(mosquittoPid), treeTicks(generatorPid),
                machine == null ? new MachineTicks(0, 0) : machine);
    }

    /** CPU µs per event between two readings, and the share of all cores that was busy. */
    CpuUse use(Reading from, Reading to, double events) {
        double microsPerTick = 1e6 / ticksPerSecond;
        double perEvent = events <= 0 ? 0 : microsPerTick / events;
        return new CpuUse(to.machine().busyShareSince(from.machine()),
                (to.server() - from.server()) * perEvent, (to.database() - from.database()) * perEvent,
                (to.mosquitto() - from.mosquitto()) * perEvent, (to.generator() - from.generator()) * perEvent,
                (to.machine().busy() - from.machine().busy()) * perEvent);
    }

    /**
     * The process's user and system time, its reaped children's (PostgreSQL's autovacuum workers come
     * and go), and that of its live descendants (PostgreSQL's backends). 0 once it is gone.
     */
    static long treeTicks(long pid) {
        long ticks = ownTicks(pid, true);
        ProcessHandle root = ProcessHandle.of(pid).orElse(null);
        if (root != null) {
            ticks += root.descendants().mapToLong(p -> ownTicks(p.pid(), false)).sum();
        }
        return ticks;
    }

    private static long ownTicks(long pid, boolean withReapedChildren) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return 0;
        }
        // after "(comm)", which may hold spaces: state is field 3; utime, stime, cutime, cstime are 14 to 17
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withReapedChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
    }

    /** The kernel's USER_HZ, the unit of /proc's CPU times (100 on every common Linux, asked rather than assumed). */
    static double clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to Linux's fixed value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
