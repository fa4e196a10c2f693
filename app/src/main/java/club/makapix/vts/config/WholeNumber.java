package club.makapix.vts.config;

/** Reads a whole number within bounds from text, for settings and request parameters alike. */
public final class WholeNumber {
    private WholeNumber() {}

    /** The number, or null if the text is not a whole number from min to max. */
    public static Integer parse(String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            return n >= min && n <= max ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
