package club.makapix.vts.pipeline;

/**
 * A web client's device class from its user agent, and the one place that decides whether it is a
 * robot: automation the tracker reported, else what the user agent says (players are {@code player}:
 * {@link IdentifyPlayer}). {@link FilterBots} then stops robots.
 */
public final class ClassifyDevice implements Stage {
    private final DeviceClassifier classifier;

    public ClassifyDevice(DeviceClassifier classifier) {
        this.classifier = classifier;
    }

    @Override
    public Verdict apply(Event event) {
        DeviceClassifier.Classification c = classifier.classify(event.origin().userAgent());
        event.robot = event.automationReported ? Reason.BOT_HEADLESS : c.robot();
        event.device = event.robot != null ? "bot" : c.device();
        return Verdict.pass();
    }
}
