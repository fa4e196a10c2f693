package club.makapix.vts.http;

/** An error the client caused or must know about: {@code {"error": "…", "code": "…"}} with a status. */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ApiError invalid(String message) {
        return new ApiError(400, "invalid_payload", message);
    }

    public static ApiError notFound(String code, String message) {
        return new ApiError(404, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
