package club.makapix.vts.pipeline;

/**
 * The durable fate of one event, which the door reports to the client. Only {@link Status#UNAVAILABLE}
 * is not durable: the event was neither stored nor decided, and the client must send it again.
 */
public record Outcome(Status status, Reason reason, String message, long retryAfterMillis, boolean counted) {

    public enum Status {
        /** Written to the database (counted or not). */
        STORED,
        /** Stopped by a stage or found already stored; nothing more to do. */
        STOPPED,
        /** Could not be made durable in time (database unavailable, overload); nothing was stored. */
        UNAVAILABLE
    }

    public static Outcome stored(boolean counted) {
        return new Outcome(Status.STORED, null, null, 0, counted);
    }

    public static Outcome stopped(Verdict verdict) {
        return new Outcome(Status.STOPPED, verdict.reason(), verdict.message(), verdict.retryAfterMillis(), false);
    }

    public static Outcome duplicate() {
        return new Outcome(Status.STOPPED, Reason.DUPLICATE, "this event was already received", 0, false);
    }

    public static Outcome unavailable(String message) {
        return new Outcome(Status.UNAVAILABLE, Reason.PROCESSING_ERROR, message, 0, false);
    }

    /** The label metrics use for this outcome. */
    public String label() {
        return switch (status) {
            case STORED -> counted ? "counted" : "accepted";
            case STOPPED -> reason.label();
            case UNAVAILABLE -> "unavailable";
        };
    }
}
