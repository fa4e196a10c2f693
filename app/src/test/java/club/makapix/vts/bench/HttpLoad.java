package club.makapix.vts.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends HTTP requests over {@code connections} keep-alive connections, one thread each (a blocking
 * socket per thread is the cheapest generator for a few dozen connections), until a deadline:
 * back to back ({@link #flatOut}) or at a fixed total rate ({@link #paced}). A 2xx is a success.
 */
final class HttpLoad {
    private final int port;
    private final int connections;

    HttpLoad(int port, int connections) {
        this.port = port;
        this.connections = connections;
    }

    void flatOut(Supplier<byte[]> requests, long endNanos, LoadStats stats) {
        for (int c = 0; c < connections; c++) {
            start("http-flat-" + c, () -> {
                try (HttpConnection connection = new HttpConnection(port)) {
                    while (System.nanoTime() - endNanos < 0) {
                        byte[] request = requests.get();
                        exchange(connection, request, System.nanoTime(), stats);
                    }
                }
            });
        }
    }

    /**
     * {@code perSecond} requests a second in all: connection c sends request n at
     * start + (c + n·connections) / perSecond, or as soon as its previous response is in; latency
     * counts from the intended time, so a server falling behind shows as latency.
     */
    void paced(Supplier<byte[]> requests, double perSecond, long endNanos, LoadStats stats) {
        long start = System.nanoTime();
        double nanosPerRequest = 1e9 / perSecond;
        for (int c = 0; c < connections; c++) {
            int first = c;
            start("http-paced-" + c, () -> {
                try (HttpConnection connection = new HttpConnection(port)) {
                    for (long n = first; ; n += connections) {
                        long intended = start + (long) (n * nanosPerRequest);
                        if (intended - endNanos >= 0) {
                            return;
                        }
                        byte[] request = requests.get();
                        long wait = intended - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        exchange(connection, request, intended, stats);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private static void exchange(HttpConnection connection, byte[] request, long since, LoadStats stats) {
        stats.published();
        try {
            int status = connection.exchange(request);
            stats.answered(System.nanoTime() - since, status / 100 == 2 ? 0 : status);
        } catch (IOException | RuntimeException e) {
            connection.close();
            stats.lost();
        }
    }

    private static void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
