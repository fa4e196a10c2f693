package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The web door: robots, as ClassifyDevice marked them, stop here under their kind; people pass. */
class FilterBotsTest {
    final FilterBots stage = new FilterBots();

    @ParameterizedTest
    @EnumSource(names = {"BOT_CRAWLER", "BOT_HEADLESS", "BOT_SCRIPTED"})
    void aRobotIsStoppedUnderItsKind(Reason robot) {
        Event event = TestEvents.webView(7);
        event.robot = robot;

        assertEquals(Verdict.stop(robot, "automated clients are not counted"), stage.apply(event));
    }

    @Test
    void aPersonPasses() {
        assertEquals(Verdict.pass(), stage.apply(TestEvents.webView(7)));
    }
}
