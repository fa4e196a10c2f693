package club.makapix.vts.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3 document of every route (contract §2, §5). It is the
 * hand-written {@code openapi.yaml} beside the classes, read once at start and served as JSON;
 * {@code OpenApiTest} keeps it true to what the server answers.
 */
final class OpenApiRoutes {
    static final String RESOURCE = "openapi.yaml";

    private final byte[] document;

    OpenApiRoutes() {
        try {
            JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(WebResources.bytes(RESOURCE));
            this.document = new ObjectMapper().writeValueAsBytes(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    void register(Javalin app) {
        app.get("/openapi.json", ctx -> ctx.contentType("application/json").header("Cache-Control", "public, max-age=300")
                .result(document));
    }
}
