package club.makapix.vts.pipeline;

/** Web clients get a device class from their user agent; players are {@code player}. */
public final class ClassifyDevice implements Stage {
    private final DeviceClassifier classifier;

    public ClassifyDevice(DeviceClassifier classifier) {
        this.classifier = classifier;
    }

    @Override
    public Verdict apply(Event event) {
        if (event.fromPlayer()) {
            event.device = "player";
            return Verdict.pass();
        }
        DeviceClassifier.Classification c = classifier.classify(event.origin().userAgent());
        if (event.robot == null) {
            event.robot = c.robot(); // the tracker may already have reported automation
        }
        event.device = event.robot != null ? "bot" : c.device();
        return Verdict.pass();
    }
}
