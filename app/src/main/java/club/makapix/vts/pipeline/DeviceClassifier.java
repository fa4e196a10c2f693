package club.makapix.vts.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Locale;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * Device class and robot verdict of a user agent, by YAUAA (built once at start, a few seconds).
 * Verdicts are cached by user agent string: a site's traffic repeats a few thousand of them, and a
 * cache hit costs no parsing and no allocation. Device classes: desktop, mobile, tablet, tv,
 * console, watch, ereader, car, bot, unknown ({@code player} is set for players without asking).
 */
public final class DeviceClassifier {
    /** What a user agent is: its device class, and why it is a robot (null if it is not). */
    public record Classification(String device, Reason robot) {}

    private static final Classification NO_USER_AGENT = new Classification("bot", Reason.BOT_SCRIPTED);
    /** Automation that says so in its user agent, whatever YAUAA makes of the rest. */
    private static final String[] HEADLESS_MARKS = {"headless", "phantomjs", "puppeteer", "playwright", "selenium",
            "webdriver", "cypress", "jsdom", "slimerjs", "electron"};

    private final UserAgentAnalyzer analyzer;
    private final Cache<String, Classification> verdicts = Caffeine.newBuilder().maximumSize(20_000).build();

    public DeviceClassifier() {
        this.analyzer = UserAgentAnalyzer.newBuilder()
                .hideMatcherLoadStats()
                .withoutCache()
                .withField(UserAgent.DEVICE_CLASS)
                .withField(UserAgent.AGENT_CLASS)
                .withField(UserAgent.AGENT_NAME)
                .immediateInitialization()
                .build();
    }

    public Classification classify(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return NO_USER_AGENT;
        }
        return verdicts.get(userAgent, this::analyze);
    }

    private Classification analyze(String userAgent) {
        String lower = userAgent.toLowerCase(Locale.ROOT);
        for (String mark : HEADLESS_MARKS) {
            if (lower.contains(mark)) {
                return new Classification("bot", Reason.BOT_HEADLESS);
            }
        }
        UserAgent parsed = analyzer.parse(userAgent);
        String deviceClass = parsed.getValue(UserAgent.DEVICE_CLASS);
        String agentClass = parsed.getValue(UserAgent.AGENT_CLASS);
        boolean robot = ROBOT_CLASSES.contains(deviceClass) || ROBOT_CLASSES.contains(agentClass)
                || SCRIPT_CLASSES.contains(agentClass) || "Hacker".equals(deviceClass);
        if (!robot) {
            return new Classification(device(deviceClass), null);
        }
        return new Classification("bot", declaresCrawler(lower) ? Reason.BOT_CRAWLER : Reason.BOT_SCRIPTED);
    }

    private static final java.util.Set<String> ROBOT_CLASSES = java.util.Set.of("Robot", "Robot Mobile", "Robot Imitator", "Spy");
    private static final java.util.Set<String> SCRIPT_CLASSES = java.util.Set.of("Cloud Application", "Special", "Testclient", "Hacker");

    /**
     * YAUAA calls crawlers and HTTP libraries alike "Robot"; crawlers name themselves so
     * (Googlebot, bingbot, …spider) and link to a page about themselves.
     */
    private static boolean declaresCrawler(String lowerUserAgent) {
        return lowerUserAgent.contains("bot") || lowerUserAgent.contains("crawl") || lowerUserAgent.contains("spider")
                || lowerUserAgent.contains("slurp") || lowerUserAgent.contains("+http");
    }

    private static String device(String deviceClass) {
        return switch (deviceClass) {
            case "Desktop", "Anonymized" -> "desktop";
            case "Mobile", "Phone", "Handheld Game Console" -> "mobile";
            case "Tablet" -> "tablet";
            case "TV", "Set-top box" -> "tv";
            case "Game Console", "Virtual Reality" -> "console";
            case "Watch" -> "watch";
            case "eReader" -> "ereader";
            case "Car" -> "car";
            default -> "unknown";
        };
    }
}
