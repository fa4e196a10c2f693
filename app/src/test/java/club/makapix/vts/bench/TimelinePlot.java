package club.makapix.vts.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG of a run: throughput (top) and p99 latency (bottom, log scale) second by second, one colour per phase. */
final class TimelinePlot {
    private TimelinePlot() {}

    static void write(Timeline timeline, Path png, String title) throws IOException {
        XYChart throughput = chart(title + ": throughput", "events (or rows) / s");
        XYChart latency = chart("latency p99 over each second", "ms (log)");
        latency.getStyler().setYAxisLogarithmic(true);
        for (Map.Entry<String, List<Timeline.Point>> phase : byPhase(timeline).entrySet()) {
            List<Double> at = phase.getValue().stream().map(Timeline.Point::atSeconds).toList();
            add(throughput, phase.getKey(), at, phase.getValue().stream().map(Timeline.Point::perSecond).toList());
            List<Timeline.Point> timed = phase.getValue().stream().filter(p -> p.p99Ms() > 0).toList();
            if (!timed.isEmpty()) {
                add(latency, phase.getKey(), timed.stream().map(Timeline.Point::atSeconds).toList(),
                        timed.stream().map(Timeline.Point::p99Ms).toList());
            }
        }
        String file = png.toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(List.of(throughput, latency), 2, 1, file, BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(1400).height(450).title(title).xAxisTitle("seconds since start")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(4);
        return chart;
    }

    /** Phases keep their names across runs: each phase is one colour, its runs apart on the time axis. */
    private static Map<String, List<Timeline.Point>> byPhase(Timeline timeline) {
        Map<String, List<Timeline.Point>> phases = new LinkedHashMap<>();
        timeline.points().forEach(p -> phases.computeIfAbsent(p.phase(), k -> new ArrayList<>()).add(p));
        return phases;
    }

    private static void add(XYChart chart, String name, List<Double> x, List<Double> y) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
}
