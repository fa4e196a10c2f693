package club.makapix.vts.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body up to a limit, also when it comes chunked (Javalin's own limit only looks at
 * Content-Length). Larger bodies are refused with 413 before they are read to the end.
 */
final class BoundedBody {
    private BoundedBody() {}

    static byte[] read(Context ctx, long limit) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), limit));
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ApiError(400, "invalid_payload", "the body could not be read");
        }
    }

    private static ApiError tooLarge(long limit) {
        return new ApiError(413, "payload_too_large", "the body is larger than " + limit + " bytes");
    }
}
