package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import club.makapix.vts.support.WebClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The web door: the device class of the user agent, and whether it is a robot (marked here, stopped
 * by FilterBots). What YAUAA answers for real user agents is DeviceClassifierTest's.
 */
class ClassifyDeviceTest {
    final ClassifyDevice stage = new ClassifyDevice(TestEvents::classify);

    @Test
    void aPersonsBrowserGetsItsDeviceClass() {
        Event event = fromBrowser(WebClient.IPHONE);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals("mobile", event.device());
        assertNull(event.robot);
    }

    @Test
    void aRobotIsMarkedWithItsKindOnADeviceOfClassBot() {
        Map<String, Reason> robots = Map.of(WebClient.GOOGLEBOT, Reason.BOT_CRAWLER, WebClient.HEADLESS_CHROME,
                Reason.BOT_HEADLESS, WebClient.CURL, Reason.BOT_SCRIPTED);

        robots.forEach((userAgent, robot) -> {
            Event event = fromBrowser(userAgent);

            assertEquals(Verdict.pass(), stage.apply(event), userAgent);
            assertEquals(robot, event.robot, userAgent);
            assertEquals("bot", event.device(), userAgent);
        });
    }

    @Test
    void automationTheTrackerReportedWinsOverTheUserAgent() {
        Event reportedAutomation = fromBrowser(WebClient.FIREFOX);
        reportedAutomation.automationReported = true;
        Event crawlerReportingAutomation = fromBrowser(WebClient.GOOGLEBOT);
        crawlerReportingAutomation.automationReported = true;

        for (Event event : List.of(reportedAutomation, crawlerReportingAutomation)) {
            assertEquals(Verdict.pass(), stage.apply(event));
            assertEquals(Reason.BOT_HEADLESS, event.robot);
            assertEquals("bot", event.device());
        }
    }

    static Event fromBrowser(String userAgent) {
        return TestEvents.fromWeb(TestEvents.browser(userAgent, null, null), 7, null);
    }
}
