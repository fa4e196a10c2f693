package club.makapix.vts.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own refusals (a malformed request line, a URI or headers too large, an unknown HTTP version)
 * answered in the contract's {@code {"error", "code"}} shape instead of Jetty's HTML page: they happen
 * before any route, where Javalin's error handlers never see them.
 */
final class JsonErrorHandler extends ErrorHandler {
    private final ObjectMapper json;

    JsonErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
                                              int status, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType("application/json");
        response.getOutputStream().write(body(status, message));
    }

    private byte[] body(int status, String reason) {
        String code = switch (status) {
            case 400 -> "bad_request";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> "http_" + status;
        };
        try {
            return json.writeValueAsBytes(HttpServer.error(reason == null || reason.isBlank() ? code.replace('_', ' ') : reason, code));
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"" + code + "\",\"code\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
