package club.makapix.vts.pipeline;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether an event counts, in one place. As a stage: never the artist's own views or impressions, nor
 * events without a known viewer. For the writer: of a batch, only the first view by one viewer of one
 * post on one UTC day may count; whether an earlier batch already counted it is decided by the database
 * in the statement that stores the view ({@code daily_viewers}, {@code ViewEventStore}). For the web
 * door: only a view that counted is "counted".
 */
public final class CountingRules implements Stage {
    @Override
    public Verdict apply(Event event) {
        if (event.viewerId() == null || event.viewerId().equals(event.artistId())) {
            event.countable = false;
        }
        return Verdict.pass();
    }

    /** Which events of a batch about to be stored may count (the database has the last word on views). */
    public static boolean[] mayCount(List<Event> batch) {
        boolean[] mayCount = new boolean[batch.size()];
        Set<String> viewsInBatch = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Event e = batch.get(i);
            mayCount[i] = e.countable() && (e.kind() != Kind.VIEW
                    || viewsInBatch.add(LocalDate.ofInstant(e.receivedAt(), ZoneOffset.UTC) + "|" + e.postId() + "|" + e.viewerId()));
        }
        return mayCount;
    }

    /** Whether the event was a view that counted: a web client is told "counted" (201) only then. */
    public static boolean countedView(Event event, Outcome outcome) {
        return outcome.status() == Outcome.Status.STORED && outcome.counted() && event.kind() == Kind.VIEW;
    }
}
