package club.makapix.vts.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bench reads write latencies from the server's histogram as Prometheus's histogram_quantile would. */
class MetricsScrapeTest {
    @Test
    void aQuantileIsInterpolatedWithinItsBucketOverWhatWasObservedBetweenTwoScrapes() {
        MetricsScrape before = MetricsScrape.parse("""
                t_bucket{le="0.01"} 10
                t_bucket{le="0.02"} 10
                t_bucket{le="+Inf"} 10
                """);
        MetricsScrape after = MetricsScrape.parse("""
                t_bucket{le="0.01"} 60
                t_bucket{le="0.02"} 100
                t_bucket{le="+Inf"} 110
                """);

        assertEquals(0.005, after.histogramQuantile(before, "t", 0.25), 1e-9, "25 of the 50 in [0, 0.01]");
        assertEquals(0.015, after.histogramQuantile(before, "t", 0.7), 1e-9, "70 of 100: halfway through (0.01, 0.02]");
        assertEquals(0.02, after.histogramQuantile(before, "t", 0.99), 1e-9, "past the last finite bucket: its bound");
        assertEquals(0, after.histogramQuantile(after, "t", 0.5), "nothing observed");
    }
}
