package club.makapix.vts.pipeline;

/**
 * A stage that keeps state about what was stored: told each event's outcome once it is durable (a
 * dedupe key is remembered only once its event is stored; a rate-limit slot is given back when its
 * event could not be). Each door's list names these steps after its stages.
 */
public interface AfterOutcome {
    void afterOutcome(Event event, Outcome outcome);
}
