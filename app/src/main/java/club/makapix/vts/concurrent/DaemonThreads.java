package club.makapix.vts.concurrent;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for the server's own background work, named for logs and thread dumps, and daemons so a
 * forgotten one never keeps the JVM alive: every part stops its threads itself when it closes.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        };
    }
}
