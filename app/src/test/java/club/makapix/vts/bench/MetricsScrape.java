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
