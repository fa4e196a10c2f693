package club.makapix.vts.support;

/** Reads one series from a node's {@code /metrics} (Prometheus text), as a scraper would. */
public final class Metrics {
    private Metrics() {}

    /**
     * The value of the series written exactly as {@code series} (name, and labels as the server
     * writes them, e.g. {@code vts_dropped_total{reason="duplicate",stage="dedupe"}}); 0 if absent.
     */
    public static double value(int httpPort, String series) {
        String text = Admin.get(httpPort, "/metrics").body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return 0;
    }
}
