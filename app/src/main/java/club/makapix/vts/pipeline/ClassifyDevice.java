package club.makapix.vts.pipeline;

import java.util.function.Function;

/** A web client's device class from its user agent (players are {@code player}: {@link IdentifyPlayer}). */
public final class ClassifyDevice implements Stage {
    private final Function<String, DeviceClassifier.Classification> classifier;

    public ClassifyDevice(DeviceClassifier classifier) {
        this(classifier::classify);
    }

    /** For tests: YAUAA takes seconds to build, too long for a test of this stage. */
    ClassifyDevice(Function<String, DeviceClassifier.Classification> classifier) {
        this.classifier = classifier;
    }

    @Override
    public Verdict apply(Event event) {
        DeviceClassifier.Classification c = classifier.apply(event.origin().userAgent());
        if (event.robot == null) {
            event.robot = c.robot(); // the tracker may already have reported automation
        }
        event.device = event.robot != null ? "bot" : c.device();
        return Verdict.pass();
    }
}
