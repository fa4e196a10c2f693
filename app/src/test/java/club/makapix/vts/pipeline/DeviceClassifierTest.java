package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import club.makapix.vts.pipeline.DeviceClassifier.Classification;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real YAUAA on real user agents: device classes for people, a named reason for every robot. */
class DeviceClassifierTest {
    static DeviceClassifier classifier;

    @BeforeAll
    static void build() {
        classifier = new DeviceClassifier();
    }

    @Test
    void peopleGetTheirDeviceClass() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "desktop");
        expected.put("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "desktop");
        expected.put("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "mobile");
        expected.put("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "mobile");
        expected.put("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "tablet");
        expected.put("Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) Version/6.0 TV Safari/538.1", "tv");
        expected.forEach((ua, device) -> assertEquals(new Classification(device, null), classifier.classify(ua), ua));
    }

    @Test
    void robotsAreNamedByKind() {
        Map<String, Reason> expected = new LinkedHashMap<>();
        expected.put("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Reason.BOT_CRAWLER);
        expected.put("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", Reason.BOT_CRAWLER);
        expected.put("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36", Reason.BOT_HEADLESS);
        expected.put("curl/8.5.0", Reason.BOT_SCRIPTED);
        expected.put("python-requests/2.32.3", Reason.BOT_SCRIPTED);
        expected.put("Go-http-client/1.1", Reason.BOT_SCRIPTED);
        expected.put("okhttp/4.12.0", Reason.BOT_SCRIPTED);
        expected.put("Java-http-client/17.0.15", Reason.BOT_SCRIPTED);
        expected.put("Wget/1.21.3", Reason.BOT_SCRIPTED);
        expected.put("", Reason.BOT_SCRIPTED);
        expected.forEach((ua, reason) -> assertEquals(reason, classifier.classify(ua).robot(), "'" + ua + "'"));
    }
}
