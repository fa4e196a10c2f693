package club.makapix.vts.pipeline;

import java.util.function.Function;

/**
 * A web client's device class from its user agent, and the one place that decides whether it is a
 * robot: automation the tracker reported, else what the user agent says (players are {@code player}:
 * {@link IdentifyPlayer}). {@link FilterBots} then stops robots.
 */
public final class ClassifyDevice implements Stage {
    private final Function<String, DeviceClassifier.Classification> classifier;

    /** {@code classifier}: {@link DeviceClassifier#classify}, or a quicker one in tests (YAUAA takes seconds to build). */
    ClassifyDevice(Function<String, DeviceClassifier.Classification> classifier) {
        this.classifier = classifier;
    }

    @Override
    public Verdict apply(Event event) {
        DeviceClassifier.Classification c = classifier.apply(event.origin().userAgent());
        event.robot = event.automationReported ? Reason.BOT_HEADLESS : c.robot();
        event.device = event.robot != null ? "bot" : c.device();
        return Verdict.pass();
    }
}
