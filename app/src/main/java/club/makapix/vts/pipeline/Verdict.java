package club.makapix.vts.pipeline;

/** What a stage decided: pass the event on, or stop it with a reason and a human message. */
public record Verdict(Reason reason, String message, long retryAfterMillis) {
    private static final Verdict PASS = new Verdict(null, null, 0);

    public static Verdict pass() {
        return PASS;
    }

    public static Verdict stop(Reason reason, String message) {
        return new Verdict(reason, message, 0);
    }

    public static Verdict rateLimited(String message, long retryAfterMillis) {
        return new Verdict(Reason.RATE_LIMITED, message, retryAfterMillis);
    }

    public boolean passed() {
        return reason == null;
    }
}
