package club.makapix.vts.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VTS_LOG_FORMAT=json with the server's own logging configuration: one JSON object per line, and an
 * address in a message or a stack trace is masked there as in text lines.
 */
class JsonLogTest {
    @Test
    void aJsonLineHoldsNoRawAddressInItsMessageOrItsStackTrace() throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as the default context has
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            context.putProperty("vts.log.format", "json");
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(getClass().getResource("/vts-logback.xml"));
            context.getLogger("club.makapix.vts.Test").warn("client 203.0.113.7 said \"hi\"",
                    new IllegalStateException("peer /2001:db8::1 refused"));
        } finally {
            context.stop();
            System.setOut(console);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), String.join("\n", lines) + context.getStatusManager().getCopyOfStatusList());
        JsonNode entry = new ObjectMapper().readTree(lines.get(0));
        assertEquals("WARN", entry.get("level").asText());
        assertEquals("club.makapix.vts.Test", entry.get("logger").asText());
        assertEquals("client [ip] said \"hi\"", entry.get("message").asText());
        assertTrue(entry.get("stack_trace").asText().contains("peer /[ip] refused"), entry.get("stack_trace").asText());
        assertFalse(lines.get(0).contains("203.0.113.7") || lines.get(0).contains("2001:db8::1"), lines.get(0));
    }
}
