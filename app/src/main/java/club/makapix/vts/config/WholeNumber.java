package club.makapix.vts.config;

/** Reads a whole number within bounds from text, for settings and request parameters alike. */
public final class WholeNumber {
    private WholeNumber() {}

    /**
     * The number, or null if the text is not a whole number from min to max in ASCII digits
     * ({@code Integer.parseInt} alone also takes "+5" and other scripts' digits).
     */
    public static Integer parse(String text, int min, int max) {
        String s = text.trim();
        if (!s.matches("-?[0-9]{1,10}")) {
            return null;
        }
        try {
            int n = Integer.parseInt(s);
            return n >= min && n <= max ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
