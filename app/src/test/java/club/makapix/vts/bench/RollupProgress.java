package club.makapix.vts.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the server's log during a rollup: echoes each "Rollup: <day> done (…)" line as a
 * progress line and keeps each day's time, as the server measured it.
 */
final class RollupProgress implements AutoCloseable {
    // Rollup: 2026-01-02 done (3 of 30 days, 333333 events, 12345 ms)
    private static final Pattern DAY_DONE = Pattern.compile("Rollup: (\\S+) done \\((\\d+) of (\\d+) days, (\\d+) events, (\\d+) ms\\)");

    private final Path log;
    private final Timings dayMillis = new Timings();
    private final Thread follower;
    private volatile boolean stopped;
    private long offset;

    RollupProgress(Path log) throws IOException {
        this.log = log;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            offset = f.length();
        }
        follower = new Thread(this::follow, "rollup-progress");
        follower.setDaemon(true);
        follower.start();
    }

    /** The days' times, in milliseconds: complete once closed. */
    Timings dayMillis() {
        return dayMillis;
    }

    private void follow() {
        try {
            while (!stopped) {
                readNewLines();
                Thread.sleep(200);
            }
            readNewLines();
        } catch (IOException e) {
            System.err.println("rollup: cannot follow the server log: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readNewLines() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            if (f.length() <= offset) {
                return;
            }
            byte[] added = new byte[(int) (f.length() - offset)];
            f.seek(offset);
            f.readFully(added);
            String text = new String(added, StandardCharsets.UTF_8);
            int complete = text.lastIndexOf('\n') + 1;  // a half-written line is read next time
            offset += text.substring(0, complete).getBytes(StandardCharsets.UTF_8).length;
            for (String line : text.substring(0, complete).split("\n")) {
                Matcher m = DAY_DONE.matcher(line);
                if (m.find()) {
                    dayMillis.add(Long.parseLong(m.group(5)));
                    System.out.printf("rollup: %s done (%s of %s days, %,d events, %,d ms)%n", m.group(1), m.group(2),
                            m.group(3), Long.parseLong(m.group(4)), Long.parseLong(m.group(5)));
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        follower.join(5_000);
    }
}
