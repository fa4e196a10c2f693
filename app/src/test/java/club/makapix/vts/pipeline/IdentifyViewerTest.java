package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import club.makapix.vts.support.WebClient;
import org.junit.jupiter.api.Test;

/** The web door's viewer: the token's user, else an anonymous visitor known by the address's hash. */
class IdentifyViewerTest {
    static final String ADDRESS_HASH = "QmFzZTY0SGFzaE9mSVAx";
    final IdentifyViewer stage = new IdentifyViewer();

    @Test
    void aSignedInViewerIsTheTokensUser() {
        Event event = hashed(TestEvents.fromWeb(TestEvents.browser(WebClient.FIREFOX, null, "user-7"), 7, null));

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals("user-7", event.viewerId());
    }

    @Test
    void anAnonymousVisitorIsKnownByTheHashOfItsAddress() {
        Event event = hashed(TestEvents.webView(7));

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals("anon:" + ADDRESS_HASH, event.viewerId());
    }

    @Test
    void withNeitherTokenNorAddressTheViewerIsUnknown() {
        Event event = TestEvents.webView(7, null, TestEvents.RECEIVED_AT);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertNull(event.viewerId(), "so CountingRules lets it not count");
    }

    /** The event as HashAddress leaves it. */
    static Event hashed(Event event) {
        event.ipHash = ADDRESS_HASH;
        return event;
    }
}
