package club.makapix.vts.http;

import io.javalin.http.Context;
import java.util.regex.Pattern;

/** Values taken from a request's path, checked as strictly as bodies are: 400 otherwise. */
final class PathParams {
    private static final Pattern CANONICAL_ID = Pattern.compile("[1-9][0-9]{0,18}");

    private PathParams() {}

    /** {@code {post_id}}: a positive whole number in canonical ASCII digits. */
    static long postId(Context ctx) {
        return postId(ctx.pathParam("post_id"));
    }

    /** A post id as text (a path segment, an entry of a list): the same rule. */
    static long postId(String text) {
        // canonical ASCII digits only: Long.parseLong also takes "+101", "0101" and other scripts' digits
        if (CANONICAL_ID.matcher(text).matches()) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                // beyond a long: answered below
            }
        }
        throw ApiError.invalid("post_id must be a positive integer");
    }
}
