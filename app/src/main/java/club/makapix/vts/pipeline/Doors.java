package club.makapix.vts.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * The pipeline of each door, in one place: its stages in order, then the writer, then the steps that
 * note the durable outcome. Where the doors share a rule they share the stage object that decides it.
 */
public record Doors(Pipeline players, Pipeline web) {
    /** What the stages consult. {@code devices} classifies a user agent ({@link DeviceClassifier#classify}). */
    public record Lookups(PlayerRegistry players, PostCatalogue posts, WindowState window, CountryLookup countries,
                          AddressHasher addresses, Function<String, DeviceClassifier.Classification> devices) {}

    /**
     * One event per player per {@code perPlayer}; one web impression per visitor per {@code webImpressions};
     * one watch report per viewer and post per {@code watchReports}; a report at {@code completeAtPercent}
     * of the media completes it.
     */
    public record Limits(Duration perPlayer, Duration webImpressions, Duration watchReports, int completeAtPercent) {}

    public static Doors build(Lookups lookups, Limits limits, EventSink writer, ExecutorService threads, MeterRegistry metrics) {
        ResolvePost resolvePost = new ResolvePost(lookups.posts());
        Dedupe dedupe = new Dedupe(lookups.window());
        LocateCountry locateCountry = new LocateCountry(lookups.countries());
        HashAddress hashAddress = new HashAddress(lookups.addresses());
        CountingRules countingRules = new CountingRules();
        RateLimit perPlayer = RateLimit.perPlayer(lookups.window(), limits.perPlayer());
        RateLimit webImpressions = RateLimit.webImpressions(lookups.window(), limits.webImpressions());
        RateLimit watchReports = RateLimit.watchReports(lookups.window(), limits.watchReports());
        CreditWatchTime creditWatchTime = new CreditWatchTime(lookups.window(), metrics);
        // players: MQTT, and POST /v1/player/views
        Pipeline players = new Pipeline(List.of(
                new DecodePlayerPayload(),
                new IdentifyPlayer(lookups.players()),
                resolvePost,
                dedupe,
                locateCountry,
                hashAddress,
                perPlayer,
                countingRules,
                creditWatchTime),
                List.of(dedupe, perPlayer, creditWatchTime), writer, threads, metrics);
        // the web: POST /v1/posts/{id}/views, /v1/posts/{id}/watch, /v1/events, /post/{id}/view
        Pipeline web = new Pipeline(List.of(
                new DecodeWebEvent(),
                resolvePost,
                new MeasureWatchReport(limits.completeAtPercent(), metrics),
                dedupe,
                locateCountry,
                hashAddress,
                new IdentifyViewer(),
                new ClassifyDevice(lookups.devices()),
                new FilterBots(),
                webImpressions,
                watchReports,
                countingRules,
                creditWatchTime),
                List.of(dedupe, webImpressions, watchReports, creditWatchTime), writer, threads, metrics);
        return new Doors(players, web);
    }
}
