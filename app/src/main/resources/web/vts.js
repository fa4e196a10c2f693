/*
 * VTS tracker: views of artworks on web pages, impressions during playback.
 *
 *   <script src="https://vts.example/vts.js" defer></script>
 *   <img src="…" data-vts-post="123">       one view, once at least half of it has been visible
 *                                            for the dwell time (at most once per page view)
 *   VTS.impression(123, {channel: "promoted"})   one impression: call it once per appearance
 *
 * Every event gets a UUID, so sending it twice is harmless: the server stores it once. Events wait
 * in an outbox in localStorage until the server has answered for them, so failures, reloads and
 * server restarts lose nothing. They go out in batches, and with sendBeacon when the page hides.
 *
 * Options, as attributes of the script tag: data-endpoint (default: the origin this script came
 * from) and data-dwell-ms (default: the server's VTS_VIEW_DWELL_MS).
 */
(function () {
  "use strict";
  if (window.VTS) return; // included twice

  const serverDefaults = /*VTS_SERVER_DEFAULTS*/{};
  const script = document.currentScript;
  const options = script ? script.dataset : {};
  const endpoint = options.endpoint || (script && script.src ? new URL(script.src).origin : location.origin);
  const dwellMs = Number(options.dwellMs ?? serverDefaults.dwellMs ?? 2000);
  const eventsUrl = endpoint.replace(/\/+$/, "") + "/v1/events";

  const BATCH_DELAY_MS = 1000; // wait this long for more events before sending…
  const BATCH_SIZE = 20; //        …unless this many are already waiting
  const MAX_PER_REQUEST = 50; //   keeps a request, and a beacon, well under 64 KB
  const OUTBOX_LIMIT = 500; //     beyond this the oldest events are dropped
  const OUTBOX_KEY = "vts:outbox";
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 5 * 60 * 1000;
  const DETAILS = ["channel", "channel_context", "play_order", "playlist_id", "dwell_ms"];

  // ---- Events ------------------------------------------------------------------------------

  function record(postId, intent, details) {
    const id = Number(postId);
    if (!Number.isSafeInteger(id) || id <= 0) {
      console.warn("VTS: not a post id:", postId);
      return;
    }
    const event = {
      event_id: uuid(),
      post_id: id,
      intent: intent,
      timezone: timeZone(),
      local_time: localTime(new Date()),
      automation: navigator.webdriver === true, // a browser driven by a program: not counted
    };
    for (const key of DETAILS) {
      if (details && details[key] != null) event[key] = details[key];
    }
    outbox.add(event);
    scheduleSend();
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID(); // only in secure contexts (https, localhost)
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function timeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  /** The visitor's wall-clock time without an offset, e.g. "2026-11-21T17:24:15". */
  function localTime(date) {
    return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  }

  // ---- The outbox: events the server has not answered for yet ---------------------------------

  // Kept in localStorage so it survives a reload; in memory only where storage is refused
  // (some private modes, sandboxed frames).
  const outbox = {
    memory: [],
    read() {
      try {
        const stored = JSON.parse(localStorage.getItem(OUTBOX_KEY));
        return Array.isArray(stored) ? stored : [];
      } catch (e) {
        return this.memory;
      }
    },
    write(events) {
      this.memory = events;
      try {
        localStorage.setItem(OUTBOX_KEY, JSON.stringify(events));
      } catch (e) {
        // storage refused or full: the memory copy still serves this page
      }
    },
    add(event) {
      const events = this.read().filter((e) => e.event_id !== event.event_id);
      events.push(event);
      this.write(events.slice(-OUTBOX_LIMIT));
    },
    remove(eventIds) {
      const done = new Set(eventIds);
      this.write(this.read().filter((e) => !done.has(e.event_id)));
    },
  };

  // ---- Sending -------------------------------------------------------------------------------

  let timer = null; // the next send, when one is scheduled
  let sending = false;
  let failures = 0; // in a row, for the backoff
  let retryAt = 0; // no send before this time (ms since epoch)

  /** Sends soon: at once when a batch is full, else after a short wait; never during a backoff. */
  function scheduleSend() {
    const waiting = outbox.read().length;
    const full = waiting >= BATCH_SIZE;
    if (waiting === 0 || (timer && !full)) return;
    clearTimeout(timer);
    timer = setTimeout(send, Math.max(full ? 0 : BATCH_DELAY_MS, retryAt - Date.now()));
  }

  async function send() {
    timer = null;
    const batch = outbox.read().slice(0, MAX_PER_REQUEST);
    if (sending || batch.length === 0) return; // a running send schedules the next one itself
    sending = true;
    try {
      // text/plain keeps a cross-site request "simple": no CORS preflight
      const response = await fetch(eventsUrl, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify({ events: batch }),
        credentials: "omit",
      });
      if (response.ok) {
        // an answered event is done, even when refused (unknown post, rate limited): a resend
        // would be refused the same way
        const results = (await response.json()).results;
        outbox.remove(results.map((r) => r.event_id));
        failures = 0;
        retryAt = 0;
        announce(batch, results);
      } else if (response.status === 429 || response.status >= 500) {
        backOff(response.headers.get("Retry-After"));
      } else {
        // the server will never take this batch (malformed, too large…): retrying cannot help
        outbox.remove(batch.map((e) => e.event_id));
        console.warn("VTS: events refused with HTTP " + response.status);
      }
    } catch (e) {
      backOff(null); // offline, server away, or this site is not among its CORS origins
    } finally {
      sending = false;
    }
    scheduleSend();
  }

  /** Exponential backoff with full jitter, so pages do not all return at once; Retry-After is a floor. */
  function backOff(retryAfterSeconds) {
    failures++;
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures);
    const wait = Math.max(RETRY_MIN_MS, Math.random() * ceiling, (Number(retryAfterSeconds) || 0) * 1000);
    retryAt = Date.now() + wait;
    window.dispatchEvent(new CustomEvent("vts:retry", { detail: { waitMs: Math.round(wait) } }));
  }

  /** Tells the page what became of each event (the demo page shows it). */
  function announce(batch, results) {
    const byId = new Map(batch.map((e) => [e.event_id, e]));
    for (const result of results) {
      window.dispatchEvent(new CustomEvent("vts:result", { detail: { ...byId.get(result.event_id), ...result } }));
    }
  }

  // A hidden page may never run again: hand what is waiting to the browser, which delivers beacons
  // even after the page is gone. The events stay in the outbox until the server has answered for
  // them, so a lost beacon is made good on the next visit (and a delivered one is not stored twice).
  const beaconed = new Set();
  function sendBeacons() {
    const events = outbox.read().filter((e) => !beaconed.has(e.event_id));
    for (let i = 0; i < events.length; i += MAX_PER_REQUEST) {
      const chunk = events.slice(i, i + MAX_PER_REQUEST);
      const body = new Blob([JSON.stringify({ events: chunk })], { type: "text/plain;charset=UTF-8" });
      if (!navigator.sendBeacon || !navigator.sendBeacon(eventsUrl, body)) return;
      chunk.forEach((e) => beaconed.add(e.event_id));
    }
  }

  // ---- Views: artworks marked data-vts-post ---------------------------------------------------

  const halfVisible = new Set(); // elements at least half in the viewport now
  const dwellTimers = new Map(); // element → the timer that sends its view
  const viewed = new WeakSet(); // elements whose view was sent during this page view

  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.5) halfVisible.add(entry.target);
        else halfVisible.delete(entry.target);
        updateDwell(entry.target);
      }
    },
    { threshold: [0, 0.5] }
  );

  /** The dwell clock runs only while the element is half visible on a visible page; leaving resets it. */
  function updateDwell(element) {
    const seen = halfVisible.has(element) && document.visibilityState === "visible";
    if (seen && !dwellTimers.has(element)) {
      dwellTimers.set(element, setTimeout(() => viewDone(element), dwellMs));
    } else if (!seen && dwellTimers.has(element)) {
      clearTimeout(dwellTimers.get(element));
      dwellTimers.delete(element);
    }
  }

  function viewDone(element) {
    dwellTimers.delete(element);
    halfVisible.delete(element);
    observer.unobserve(element);
    viewed.add(element);
    record(element.dataset.vtsPost, "view", {
      channel: element.dataset.vtsChannel,
      channel_context: element.dataset.vtsChannelContext,
      dwell_ms: dwellMs,
    });
  }

  function watch(element) {
    if (!viewed.has(element)) observer.observe(element);
  }

  function watchAll(root) {
    if (root.matches && root.matches("[data-vts-post]")) watch(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-vts-post]").forEach(watch);
  }

  // ---- Start ---------------------------------------------------------------------------------

  function start() {
    watchAll(document);
    // artworks added later (infinite scroll, widgets) are watched too
    new MutationObserver((changes) => {
      for (const change of changes) change.addedNodes.forEach(watchAll);
    }).observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") sendBeacons();
      halfVisible.forEach(updateDwell);
    });
    window.addEventListener("pagehide", sendBeacons);
    window.addEventListener("online", () => {
      retryAt = 0;
      scheduleSend();
    });
    scheduleSend(); // what an earlier visit left in the outbox
  }

  window.VTS = Object.freeze({
    /** One impression of an artwork in playback: call once per appearance, never on a timer. */
    impression: (postId, details) => record(postId, "impression", details),
    /** One view, for a deliberate look the page detects itself (e.g. a lightbox opened). */
    view: (postId, details) => record(postId, "view", details),
    /** Sends what is waiting now, ignoring the batch delay and any backoff. */
    flush() {
      retryAt = 0;
      clearTimeout(timer);
      send();
    },
    config: Object.freeze({ endpoint: endpoint, dwellMs: dwellMs }),
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
