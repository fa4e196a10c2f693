package club.makapix.vts.mqtt;

import club.makapix.vts.concurrent.DaemonThreads;
import club.makapix.vts.store.PlayerDirectory;
import club.makapix.vts.store.PlayerDirectory.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each player's latest status and writes them all once a second: heartbeats from thousands
 * of players become one batch, and only the newest status of a player is written.
 */
public final class StatusRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusRecorder.class);
    private final PlayerDirectory players;
    private final Map<String, Status> latest = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("vts-status-writer"));

    public StatusRecorder(PlayerDirectory players) {
        this.players = players;
        timer.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
    }

    public void record(Status status) {
        latest.merge(status.playerKey(), status, (old, now) -> now.at().isBefore(old.at()) ? old : now);
    }

    void flush() {
        if (latest.isEmpty()) {
            return;
        }
        List<Status> batch = new ArrayList<>(latest.size());
        for (String key : List.copyOf(latest.keySet())) {
            Status s = latest.remove(key);
            if (s != null) {
                batch.add(s);
            }
        }
        try {
            players.recordStatuses(batch);
        } catch (RuntimeException e) {
            LOG.warn("Could not write {} player statuses ({}); will retry", batch.size(), e.getClass().getSimpleName());
            batch.forEach(this::record);
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        flush();
    }
}
