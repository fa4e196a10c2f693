package club.makapix.vts.pipeline;

/** How an event came in. */
public enum Door {
    MQTT("mqtt"),
    HTTP("http");

    private final String label;

    Door(String label) {
        this.label = label;
    }

    /** The name used in the database and in metrics. */
    public String label() {
        return label;
    }
}
