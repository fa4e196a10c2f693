package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import club.makapix.vts.pipeline.PlayerRegistry.ActivePlayer;
import club.makapix.vts.support.WebClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both doors' pipelines in process, built by Doors.build as the server builds them, with in-memory
 * players, posts and window state, and a writer that answers at once: an event stopped at a stage
 * reaches neither a later stage nor the writer, its drop is counted under that stage and reason,
 * every stage is timed, and the outcome steps run only once the writer has answered.
 */
class PipelineTest {
    static final String PLAYER = "player-1";
    static final String UNOWNED_PLAYER = "player-unowned";
    static final long POST = 7;
    static final String SYNCED = "2026-11-21T16:24:15Z";
    static final String UNSYNCED = "1970-01-01T00:00:00Z";
    /** Both rate limits; far longer than a test, so no slot frees by itself. */
    static final Duration RATE_WINDOW = Duration.ofMinutes(1);
    static final List<String> PLAYER_STAGES = List.of("decode_player_payload", "identify_player", "resolve_post", "dedupe",
            "locate_country", "hash_address", "rate_limit_player", "counting_rules", "credit_watch_time");
    static final List<String> WEB_STAGES = List.of("decode_web_event", "resolve_post", "dedupe", "locate_country",
            "hash_address", "identify_viewer", "classify_device", "filter_bots", "rate_limit_web_impressions", "counting_rules",
            "credit_watch_time");

    final PlayerRegistry players = Map.of(
            PLAYER, new ActivePlayer(PLAYER, "owner-1"),
            UNOWNED_PLAYER, new ActivePlayer(UNOWNED_PLAYER, null))::get;
    /** Post 7 by artist-7; a test replaces it with one that fails, as the database's would while it is away. */
    PostCatalogue posts = Map.of(POST, new PostCatalogue.Artwork("artist-7", null))::get;
    final LocalWindowState window = new LocalWindowState(Duration.ofMinutes(15), 1_000);
    final AddressHasher addresses = new AddressHasher("test-ip-hash-key-0123456789", false);
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final ExecutorService stageThread = Executors.newSingleThreadExecutor();
    /** Every event the writer was given. */
    final List<Event> written = new CopyOnWriteArrayList<>();
    /** How the writer answers: it stores every event unless a test says otherwise. */
    Function<Event, CompletableFuture<Outcome>> writerAnswer = event -> CompletableFuture.completedFuture(
            Outcome.stored(event.countable()));
    final EventSink writer = event -> {
        written.add(event);
        return writerAnswer.apply(event);
    };

    @AfterEach
    void stop() {
        stageThread.shutdownNow();
    }

    @Test
    void aPlayersViewPassesEveryStageAndIsWrittenAsTheyLeftIt() {
        Outcome outcome = submit(playerDoor(), fromPlayer(PLAYER, POST, SYNCED));

        assertEquals(Outcome.stored(true), outcome);
        assertEquals(1, written.size());
        Event stored = written.get(0);
        assertEquals("owner-1", stored.viewerId());
        assertEquals("artist-7", stored.artistId());
        assertEquals("player", stored.device());
        assertNotNull(stored.dedupeKey());
        assertNotNull(stored.ipHash());
        assertNull(stored.address());
        assertTrue(stored.countable());
        PLAYER_STAGES.forEach(stage -> assertEquals(1, timed(stage), stage));
        assertEquals(0, droppedInAll());
        assertEquals(1, events(Door.MQTT, "counted"));
    }

    @Test
    void aPersonsWebViewPassesEveryStageAndIsWrittenAsTheyLeftIt() {
        Outcome outcome = submit(webDoor(), fromWeb(WebClient.FIREFOX, POST, null));

        assertEquals(Outcome.stored(true), outcome);
        assertEquals(1, written.size());
        Event stored = written.get(0);
        assertEquals("anon:" + stored.ipHash(), stored.viewerId());
        assertEquals("artist-7", stored.artistId());
        assertEquals("desktop", stored.device());
        assertEquals(Kind.VIEW, stored.kind());
        assertNull(stored.address());
        WEB_STAGES.forEach(stage -> assertEquals(1, timed(stage), stage));
        assertEquals(0, droppedInAll());
        assertEquals(1, events(Door.HTTP, "counted"));
    }

    /** Each way the player door stops an event; the events before the last are stored first. */
    static Stream<Arguments> playerDoorDrops() {
        String otherPlayer = "player-2";
        return Stream.of(
                drop("not JSON", "decode_player_payload", Reason.INVALID_PAYLOAD,
                        TestEvents.fromPlayer(Door.MQTT, PLAYER, "this is not json")),
                drop("a payload naming another player, over HTTP", "identify_player", Reason.PLAYER_KEY_MISMATCH,
                        TestEvents.fromPlayer(Door.HTTP, PLAYER, TestEvents.p3aPayload(otherPlayer, POST, SYNCED))),
                drop("an unregistered player", "identify_player", Reason.PLAYER_NOT_REGISTERED,
                        fromPlayer(otherPlayer, POST, SYNCED)),
                drop("a player without owner", "identify_player", Reason.PLAYER_NO_OWNER,
                        fromPlayer(UNOWNED_PLAYER, POST, SYNCED)),
                drop("an unknown post", "resolve_post", Reason.POST_NOT_FOUND,
                        fromPlayer(PLAYER, 404, SYNCED)),
                drop("a resend", "dedupe", Reason.DUPLICATE,
                        fromPlayer(PLAYER, POST, SYNCED), fromPlayer(PLAYER, POST, SYNCED)),
                drop("the next event within the window", "rate_limit_player", Reason.RATE_LIMITED,
                        fromPlayer(PLAYER, POST, SYNCED), fromPlayer(PLAYER, POST, "2026-11-21T16:24:16Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("playerDoorDrops")
    void thePlayerDoorStopsAnEventAtOneStage(List<Event> events, String stage, Reason reason) {
        assertStoppedAt(playerDoor(), PLAYER_STAGES, events, stage, reason);
    }

    /** Each way the web door stops an event; the events before the last are stored first. */
    static Stream<Arguments> webDoorDrops() {
        String eventId = "{\"event_id\": \"" + UUID.randomUUID() + "\"}";
        return Stream.of(
                drop("a body that is no object", "decode_web_event", Reason.INVALID_PAYLOAD,
                        fromWeb(WebClient.FIREFOX, POST, "[1, 2]")),
                drop("an unknown post", "resolve_post", Reason.POST_NOT_FOUND,
                        fromWeb(WebClient.FIREFOX, 404, null)),
                drop("a resend", "dedupe", Reason.DUPLICATE,
                        fromWeb(WebClient.FIREFOX, POST, eventId), fromWeb(WebClient.FIREFOX, POST, eventId)),
                drop("a crawler", "filter_bots", Reason.BOT_CRAWLER,
                        fromWeb(WebClient.GOOGLEBOT, POST, null)),
                drop("automation the tracker reported", "filter_bots", Reason.BOT_HEADLESS,
                        fromWeb(WebClient.FIREFOX, POST, "{\"automation\": true}")),
                drop("curl", "filter_bots", Reason.BOT_SCRIPTED,
                        fromWeb(WebClient.CURL, POST, null)),
                drop("the visitor's next impression within the window", "rate_limit_web_impressions", Reason.RATE_LIMITED,
                        fromWeb(WebClient.FIREFOX, POST, "{\"intent\": \"impression\"}"),
                        fromWeb(WebClient.FIREFOX, POST, "{\"intent\": \"impression\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("webDoorDrops")
    void theWebDoorStopsAnEventAtOneStage(List<Event> events, String stage, Reason reason) {
        assertStoppedAt(webDoor(), WEB_STAGES, events, stage, reason);
    }

    /** A reason added to Reason without a way to meet it here would go untested through the pipeline. */
    @Test
    void everyReasonIsMetOnADoor() {
        Set<Reason> met = EnumSet.of(Reason.PROCESSING_ERROR); // the failure tests below
        Stream.concat(playerDoorDrops(), webDoorDrops()).forEach(drop -> met.add((Reason) drop.get()[2]));

        assertEquals(EnumSet.allOf(Reason.class), met);
    }

    @Test
    void aStageThatFailsMakesTheEventUnavailableWithoutWritingIt() {
        posts = postId -> {
            throw new IllegalStateException("the database is away");
        };

        Outcome outcome = submit(playerDoor(), fromPlayer(PLAYER, POST, SYNCED));

        assertEquals(Outcome.unavailable("processing failed"), outcome);
        assertEquals(Reason.PROCESSING_ERROR, outcome.reason());
        assertEquals(List.of(), written);
        assertEquals(1, metrics.get("vts_stage_errors_total").tag("stage", "resolve_post").counter().count());
        assertEquals(0, droppedInAll(), "a failure is not a drop: the client sends it again");
        assertEquals(1, timed("identify_player"));
        assertEquals(0, timed("dedupe"));
        assertEquals(1, events(Door.MQTT, "unavailable"));
    }

    @Test
    void anEventTheWriterCouldNotStoreIsUnavailableAndNotRemembered() {
        Pipeline door = playerDoor();
        writerAnswer = event -> CompletableFuture.failedFuture(new IllegalStateException("the writer is closed"));
        assertEquals(Outcome.unavailable("write failed"), submit(door, fromPlayer(PLAYER, POST, SYNCED)));
        writerAnswer = event -> CompletableFuture.completedFuture(Outcome.stored(true));

        assertEquals(Outcome.stored(true), submit(door, fromPlayer(PLAYER, POST, SYNCED)), "its resend is no duplicate");
        assertEquals(Reason.DUPLICATE, submit(door, fromPlayer(PLAYER, POST, SYNCED)).reason(), "but the next one is");
        assertEquals(1, events(Door.MQTT, "unavailable"));
    }

    @Test
    void anEventTheWriterCouldNotStoreGivesItsRateLimitSlotBack() {
        Pipeline door = playerDoor();
        writerAnswer = event -> CompletableFuture.completedFuture(Outcome.unavailable("the database is unavailable"));
        // an unsynced clock and no event id: nothing makes its resend recognisable as the same event
        assertEquals(Outcome.unavailable("the database is unavailable"), submit(door, fromPlayer(PLAYER, POST, UNSYNCED)));
        writerAnswer = event -> CompletableFuture.completedFuture(Outcome.stored(true));

        assertEquals(Outcome.stored(true), submit(door, fromPlayer(PLAYER, POST, UNSYNCED)), "its resend is not rate limited");
        assertEquals(Reason.RATE_LIMITED, submit(door, fromPlayer(PLAYER, POST, UNSYNCED)).reason(), "but the next one is");
    }

    @Test
    void theOutcomeStepsRunOnlyOnceTheWriterHasAnswered() {
        CompletableFuture<Event> atWriter = new CompletableFuture<>();
        CompletableFuture<Outcome> writersAnswer = new CompletableFuture<>();
        writerAnswer = event -> {
            atWriter.complete(event);
            return writersAnswer;
        };

        CompletableFuture<Outcome> outcome = playerDoor().submit(fromPlayer(PLAYER, POST, SYNCED));
        UUID key = atWriter.orTimeout(5, TimeUnit.SECONDS).join().dedupeKey();
        assertFalse(window.seen(key), "not remembered while the write may still fail");
        assertFalse(outcome.isDone());

        writersAnswer.complete(Outcome.stored(true));
        assertEquals(Outcome.stored(true), outcome.orTimeout(5, TimeUnit.SECONDS).join());
        assertTrue(window.seen(key), "remembered once stored, before the door hears of it");
    }

    @Test
    void anEventTheBusyStageThreadsRefuseIsUnavailableAtOnce() {
        stageThread.shutdown();

        Outcome outcome = submit(playerDoor(), fromPlayer(PLAYER, POST, SYNCED));

        assertEquals(Outcome.unavailable("the server is overloaded"), outcome);
        assertEquals(List.of(), written);
        PLAYER_STAGES.forEach(stage -> assertEquals(0, timed(stage), stage));
    }

    /** The player door (MQTT, and POST /v1/player/views), as the server builds it. */
    Pipeline playerDoor() {
        return doors().players();
    }

    /** The web door, as the server builds it. */
    Pipeline webDoor() {
        return doors().web();
    }

    private Doors doors() {
        return Doors.build(new Doors.Lookups(players, posts, window, CountryLookup.none(), addresses, TestEvents::classify),
                new Doors.Limits(RATE_WINDOW, RATE_WINDOW, Duration.ofSeconds(5), 80), writer, stageThread, metrics);
    }

    private void assertStoppedAt(Pipeline door, List<String> stages, List<Event> events, String stage, Reason reason) {
        Outcome outcome = null;
        for (Event event : events) {
            outcome = submit(door, event);
        }

        assertEquals(Outcome.Status.STOPPED, outcome.status());
        assertEquals(reason, outcome.reason());
        assertEquals(events.size() - 1, written.size(), "the stopped event never reached the writer");
        assertEquals(1, dropped(stage, reason));
        assertEquals(1, droppedInAll());
        int stoppedAt = stages.indexOf(stage);
        for (int i = 0; i < stages.size(); i++) {
            assertEquals(i <= stoppedAt ? events.size() : events.size() - 1, timed(stages.get(i)), stages.get(i));
        }
        assertEquals(1, events(events.get(events.size() - 1).door(), reason.label()));
    }

    private static Arguments drop(String what, String stage, Reason reason, Event... events) {
        return Arguments.of(named(what, List.of(events)), stage, reason);
    }

    private static Event fromPlayer(String playerKey, long postId, String timestamp) {
        return TestEvents.fromPlayer(Door.MQTT, playerKey, TestEvents.p3aPayload(playerKey, postId, timestamp));
    }

    private static Event fromWeb(String userAgent, long postId, String body) {
        return TestEvents.fromWeb(TestEvents.browser(userAgent, null, null), postId, body);
    }

    private Outcome submit(Pipeline door, Event event) {
        return door.submit(event).orTimeout(5, TimeUnit.SECONDS).join();
    }

    private long timed(String stage) {
        return metrics.get("vts_stage_seconds").tag("stage", stage).timer().count();
    }

    private double dropped(String stage, Reason reason) {
        Counter counter = metrics.find("vts_dropped_total").tags("stage", stage, "reason", reason.label()).counter();
        return counter == null ? 0 : counter.count();
    }

    private double droppedInAll() {
        return metrics.find("vts_dropped_total").counters().stream().mapToDouble(Counter::count).sum();
    }

    private double events(Door door, String outcome) {
        Counter counter = metrics.find("vts_events_total").tags("door", door.label(), "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
