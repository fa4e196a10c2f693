package club.makapix.vts.pipeline;

/**
 * One step of the pipeline. It either passes the event on, possibly enriched, or stops it with a
 * named reason. Stages run in order on a pipeline thread and may block briefly (a cache miss, Redis).
 */
public interface Stage {
    Verdict apply(Event event);

    /** The name in metrics and logs. */
    default String name() {
        String simple = getClass().getSimpleName();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                out.append('_');
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }
}
