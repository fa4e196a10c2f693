package club.makapix.vts.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG of a run: throughput (top) and p99 latency (bottom) second by second, one colour per
 * phase; both on log scales, as the phases differ by orders of magnitude.
 */
final class TimelinePlot {
    private TimelinePlot() {}

    static void write(Timeline timeline, Path png, String title) throws IOException {
        XYChart throughput = chart(title + ": throughput", "events (or rows) / s, log");
        XYChart latency = chart("latency p99 over each second", "ms, log");
        for (Map.Entry<String, List<Timeline.Point>> phase : byPhase(timeline).entrySet()) {
            add(throughput, phase.getKey(), phase.getValue(), Timeline.Point::perSecond);
            add(latency, phase.getKey(), phase.getValue(), Timeline.Point::p99Ms);
        }
        String file = png.toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(List.of(throughput, latency), 2, 1, file, BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(1400).height(450).title(title).xAxisTitle("seconds since start")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setYAxisLogarithmic(true);
        return chart;
    }

    /** Phases keep their names across runs: each phase is one colour, its runs apart on the time axis. */
    private static Map<String, List<Timeline.Point>> byPhase(Timeline timeline) {
        Map<String, List<Timeline.Point>> phases = new LinkedHashMap<>();
        timeline.points().forEach(p -> phases.computeIfAbsent(p.phase(), k -> new ArrayList<>()).add(p));
        return phases;
    }

    /** Only positive values: a log scale has no place for 0 (a second with nothing done, or no latency measured). */
    private static void add(XYChart chart, String name, List<Timeline.Point> points, ToDoubleFunction<Timeline.Point> y) {
        List<Timeline.Point> shown = points.stream().filter(p -> y.applyAsDouble(p) > 0).toList();
        if (shown.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, shown.stream().map(Timeline.Point::atSeconds).toList(),
                shown.stream().map(p -> y.applyAsDouble(p)).toList());
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
}
