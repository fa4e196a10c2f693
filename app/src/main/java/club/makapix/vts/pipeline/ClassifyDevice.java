package club.makapix.vts.pipeline;

/** A web client's device class from its user agent (players are {@code player}: {@link IdentifyPlayer}). */
public final class ClassifyDevice implements Stage {
    private final DeviceClassifier classifier;

    public ClassifyDevice(DeviceClassifier classifier) {
        this.classifier = classifier;
    }

    @Override
    public Verdict apply(Event event) {
        DeviceClassifier.Classification c = classifier.classify(event.origin().userAgent());
        if (event.robot == null) {
            event.robot = c.robot(); // the tracker may already have reported automation
        }
        event.device = event.robot != null ? "bot" : c.device();
        return Verdict.pass();
    }
}
