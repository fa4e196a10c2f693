package club.makapix.vts.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/haproxy.cfg}, the front of several nodes: HAProxy itself finds it valid (when the
 * machine has it), as it does the configuration {@code scripts/cluster} makes from it; every backend
 * checks each node on a route the server serves; MQTT is TCP with TLS passed through and idle timeouts
 * the broker's keepalive fits in; HTTP adds X-Forwarded-For.
 */
class HaproxyConfigTest {
    private static final Path ROOT = DeployFilesTest.repositoryRoot();
    private static final Path CONFIG = ROOT.resolve("deploy/haproxy.cfg");
    /** VTS_MQTT_MAX_KEEPALIVE_S's default: the broker closes a connection silent for 1.5 times a client's keepalive. */
    private static final int MAX_KEEPALIVE_S = 300;

    /** Sections by "kind name" (e.g. "backend vts_mqtt"), each its lines without comments. */
    private static Map<String, List<String>> sections() throws IOException {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String raw : Files.readAllLines(CONFIG)) {
            String line = raw.replaceAll("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            if (!Character.isWhitespace(raw.charAt(0))) {
                String[] f = line.split("\\s+");
                current = new ArrayList<>();
                sections.put(f[0] + (f.length > 1 ? " " + f[1] : ""), current);
            } else if (current != null) {
                current.add(line);
            }
        }
        return sections;
    }

    /** A section's lines with those of the named defaults it inherits ({@code from <name>}) first. */
    private static List<String> effective(Map<String, List<String>> sections, String key) throws IOException {
        List<String> lines = new ArrayList<>();
        String header = Files.readAllLines(CONFIG).stream().filter(l -> l.startsWith(key + " ") || l.equals(key)).findFirst().orElseThrow();
        Matcher from = Pattern.compile("\\bfrom\\s+(\\S+)").matcher(header);
        if (from.find()) {
            lines.addAll(sections.get("defaults " + from.group(1)));
        }
        lines.addAll(sections.get(key));
        return lines;
    }

    @Test
    void everyBackendChecksEachNodeOnARouteTheServerServes() throws IOException {
        Map<String, List<String>> sections = sections();
        String routes = Files.readString(ROOT.resolve("app/src/main/java/club/makapix/vts/http/HttpServer.java"));
        List<String> backends = sections.keySet().stream().filter(k -> k.startsWith("backend ")).toList();
        assertEquals(List.of("backend vts_mqtts", "backend vts_mqtt", "backend vts_http"), backends);
        Map<String, TreeSet<String>> nodesByBackend = new LinkedHashMap<>();
        for (String backend : backends) {
            List<String> lines = effective(sections, backend);
            assertTrue(lines.contains("option httpchk"), backend + " checks with HTTP");
            String send = lines.stream().filter(l -> l.startsWith("http-check send")).findFirst().orElseThrow();
            Matcher uri = Pattern.compile("meth GET uri (\\S+)").matcher(send);
            assertTrue(uri.find(), send);
            // a route the server registers (GET), answering 200 only when the node can take work
            assertEquals("/health/ready", uri.group(1));
            assertTrue(routes.contains("app.get(\"" + uri.group(1) + "\""), uri.group(1) + " is a route of HttpServer");
            assertTrue(lines.contains("http-check expect status 200"), backend);
            TreeSet<String> names = new TreeSet<>();
            for (String server : lines.stream().filter(l -> l.startsWith("server ")).toList()) {
                String[] f = server.split("\\s+");
                names.add(f[1] + " " + f[2].substring(0, f[2].lastIndexOf(':')));
                assertTrue(server.contains(" check"), server);
                if (!backend.equals("backend vts_http")) {
                    // MQTT ports do not speak HTTP: the check goes to the node's HTTP port
                    assertTrue(server.matches(".* check port 8080\\b.*"), server);
                }
            }
            assertFalse(names.isEmpty(), backend + " has servers");
            nodesByBackend.put(backend, names);
        }
        assertEquals(1, new java.util.HashSet<>(nodesByBackend.values()).size(), "the same nodes in every backend: " + nodesByBackend);
    }

    @Test
    void mqttIsTcpWithTlsPassedThroughAndTimeoutsAboveTheKeepalive() throws IOException {
        Map<String, List<String>> sections = sections();
        for (String frontend : List.of("frontend mqtts", "frontend mqtt")) {
            List<String> lines = effective(sections, frontend);
            assertTrue(lines.contains("mode tcp"), frontend);
            assertTrue(lines.stream().noneMatch(l -> l.contains(" ssl") || l.contains("crt ")), frontend + " does not end TLS");
            for (String timeout : List.of("timeout client", "timeout server")) {
                String line = lines.stream().filter(l -> l.startsWith(timeout)).findFirst().orElseThrow();
                assertTrue(seconds(line.substring(timeout.length()).strip()) > 1.5 * MAX_KEEPALIVE_S, line);
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("balance leastconn") || l.startsWith("balance source")), frontend);
        }
        assertTrue(sections.get("frontend mqtts").contains("bind :8883"));
        assertTrue(sections.get("frontend mqtt").contains("bind :1883"));
        List<String> http = effective(sections, "frontend http");
        assertTrue(http.contains("mode http"));
        assertTrue(http.contains("option forwardfor"), "the client's address reaches VTS in X-Forwarded-For");
    }

    @Test
    void haproxyFindsTheFileAndTheClustersVersionOfItValid() throws Exception {
        String haproxy = haproxy();
        assumeTrue(haproxy != null, "haproxy is not installed (apt-get install haproxy)");
        run(List.of(haproxy, "-c", "-q", "-f", CONFIG.toString()), null);
        Path generated = Files.createTempFile("cluster-haproxy", ".cfg");
        try {
            String config = run(List.of("bash", ROOT.resolve("scripts/cluster").toString(), "config", "--nodes", "3"), null);
            assertTrue(config.contains("server vts-3 127.0.0.1:11886 check port 18083"), config);
            Files.writeString(generated, config);
            run(List.of(haproxy, "-c", "-q", "-f", generated.toString()), null);
        } finally {
            Files.deleteIfExists(generated);
        }
    }

    private static String haproxy() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "haproxy");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Runs a command, fails the test unless it exits 0, returns its standard output. */
    private static String run(List<String> command, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir == null ? ROOT.toFile() : dir.toFile());
        Path err = Files.createTempFile("haproxy-test", ".err");
        try {
            Process p = pb.redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
            assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out + Files.readString(err));
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** An HAProxy time: 30s, 10m, 1h, or milliseconds. */
    private static double seconds(String time) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(time);
        assertTrue(m.matches(), time);
        double n = Double.parseDouble(m.group(1));
        return switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "s" -> n;
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n / 1000;
        };
    }
}
