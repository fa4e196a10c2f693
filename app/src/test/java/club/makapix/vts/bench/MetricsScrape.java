package club.makapix.vts.bench;

import club.makapix.vts.support.Admin;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One read of the server's {@code GET /metrics} (Prometheus text), by series as written there:
 * the name with its labels, e.g. {@code vts_write_batch_size{quantile="0.5"}}.
 */
record MetricsScrape(Map<String, Double> series) {

    static MetricsScrape fetch(int httpPort) {
        HttpResponse<String> response = Admin.get(httpPort, "/metrics");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics answered " + response.statusCode());
        }
        return parse(response.body());
    }

    static MetricsScrape parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (line.isBlank() || line.startsWith("#") || space < 0) {
                continue;
            }
            try {
                series.put(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException e) {
                // not a sample line; nothing the benchmark reads
            }
        }
        return new MetricsScrape(series);
    }

    /** The series' value, or 0 when the server has not registered it yet (counters appear on first use). */
    double value(String series) {
        return this.series.getOrDefault(series, 0.0);
    }

    /** The sum over every series of a name, whatever its labels. */
    double sum(String name) {
        return series.entrySet().stream()
                .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /**
     * The {@code q}-quantile of what a label-less histogram ({@code name_bucket{le="…"}}) observed between
     * {@code before} and this scrape, interpolated linearly within its bucket as Prometheus's
     * {@code histogram_quantile} does; 0 when nothing was observed.
     */
    double histogramQuantile(MetricsScrape before, String name, double q) {
        java.util.TreeMap<Double, Double> cumulative = new java.util.TreeMap<>();
        startingWith(name + "_bucket{le=\"").forEach((series, count) -> {
            String le = series.substring(series.indexOf('"') + 1, series.lastIndexOf('"'));
            double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
            cumulative.put(bound, count - before.value(series));
        });
        double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        if (total <= 0) {
            return 0;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lower; // past the last finite bucket: its bound is all we know
                }
                double inBucket = bucket.getValue() - below;
                return lower + (bucket.getKey() - lower) * (inBucket == 0 ? 1 : (rank - below) / inBucket);
            }
            lower = bucket.getKey();
            below = bucket.getValue();
        }
        return lower;
    }

    /** The series whose name starts with {@code prefix}, e.g. every {@code vts_events_total{…}}. */
    Map<String, Double> startingWith(String prefix) {
        Map<String, Double> matching = new LinkedHashMap<>();
        series.forEach((name, v) -> {
            if (name.startsWith(prefix)) {
                matching.put(name, v);
            }
        });
        return matching;
    }
}
