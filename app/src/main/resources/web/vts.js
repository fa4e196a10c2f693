/*
 * VTS tracker: views of artworks on web pages, impressions during playback, watching (contract §5).
 *
 *   <script src="https://vts.example/vts.js" defer></script>
 *   <img src="…" data-vts-post="123">       one view per appearance that lasts the dwell time, sent when
 *                                            the appearance ends, carrying how long it was watched
 *   <video src="…" data-vts-post="124">     one view, plus watch reports while it plays (below)
 *   VTS.impression(123, {channel: "promoted"})   one impression: call it once per appearance
 *   VTS.setViewerToken(jwt)                  the signed-in viewer (or data-viewer-token on the tag)
 *
 * Images (any element with data-vts-post but a video): an appearance runs while at least half of the
 * element is in the viewport on a visible page. One that lasts the dwell time is a view, and that
 * view is the carrier of its watch time: it is written to the outbox at the dwell time but held
 * there until the appearance ends (scrolled away, page hidden or left, element removed), then sent
 * with watched_ms = the whole appearance, the dwell time included. Every such appearance is one view
 * entry with its own watched_ms; the server counts one view per visitor, post and day and adds up the
 * watch time of all of them. No impression is made up for it: impressions are for playback the page
 * reports itself, and the server rate limits them per visitor. A held view's watched_ms is saved to
 * the outbox every few seconds, so a page that dies without a word (a crash, a killed tab) leaves a
 * view with the time watched until then, which the next page sends.
 *
 * Videos (<video data-vts-post>): one view, sent at the dwell time as it always was (no watched_ms:
 * being on screen is not watching a video), and watch reports, {"type": "watch", "post_id",
 * "position_s", "duration_s", "played_s", "session_id"}, every 10 s while playing and on pause, end,
 * and when the page hides. played_s is the wall-clock time spent playing (not paused, not stalled)
 * since this element's previous report; the session is the element on this page. The server takes
 * one report per viewer and post per 5 s, so this tracker never sends two for one post within 6 s
 * (a margin for the network): a report made while an earlier one of the same session waits unsent
 * is merged into it (latest position, played_s added up), and any other waits its turn. One the
 * server still calls rate_limited stays in the outbox and goes again later.
 *
 * The signed-in viewer: VTS.setViewerToken(jwt) or data-viewer-token="…" on the script tag; every
 * request then carries Authorization: Bearer <jwt>, and each video resumes where this viewer left
 * it (GET /v1/me/progress/{post_id}, asked for as soon as the video is found, applied once its
 * metadata is loaded, unless the viewer has already seeked or played a while). A finished video —
 * the saved position within its last second or last 5 % — starts over; any other saved position is
 * resumed, completed or not (a viewer who finished it once and stopped halfway through a second look
 * goes back to that place). An event belongs to the viewer it was recorded for: it is sent only
 * with that viewer's token (an anonymous one only without a token), so a sign-out or a change of
 * viewer never moves history to someone else; it waits for its viewer's token otherwise. A token the
 * server refuses (401, e.g. expired) is put aside, the events kept, and "vts:token-refused" is
 * dispatched on window: give a fresh one with VTS.setViewerToken. VTS.setViewerToken(null) signs out.
 *
 * Every event gets a UUID, so sending it twice is harmless: the server stores it once. Events wait
 * in an outbox in localStorage until the server has answered for them, so failures, reloads and
 * server restarts lose nothing. They go out in batches; when the page hides, anonymous ones by
 * sendBeacon and a viewer's by fetch with keepalive (a beacon cannot carry Authorization), and stay
 * in the outbox until answered, so a lost one goes with the next page.
 *
 * Options, as attributes of the script tag: data-endpoint (default: the origin this script came
 * from), data-dwell-ms (default: the server's VTS_VIEW_DWELL_MS) and data-viewer-token. Anonymous
 * requests are CORS-simple (text/plain); with a token they are preflighted, which the server answers
 * for the origins in VTS_CORS_ORIGINS.
 *
 * Events on window for the page: "vts:result" (what became of each event), "vts:retry" (a failed
 * send, and the wait before the next), "vts:resume" ({post_id, position_s, saved_position_s,
 * started_over}) and "vts:token-refused".
 */
(function () {
  "use strict";
  if (window.VTS) return; // included twice

  const serverDefaults = /*VTS_SERVER_DEFAULTS*/{};
  const script = document.currentScript;
  const options = script ? script.dataset : {};
  const endpoint = (options.endpoint || (script && script.src ? new URL(script.src).origin : location.origin))
    .replace(/\/+$/, "");
  const dwellMs = Number(options.dwellMs ?? serverDefaults.dwellMs ?? 2000);
  const eventsUrl = endpoint + "/v1/events";

  const BATCH_DELAY_MS = 1000; // wait this long for more events before sending…
  const BATCH_SIZE = 20; //        …unless this many are already waiting
  const MAX_PER_REQUEST = 50; //   keeps a request, and a beacon, well under 64 KB
  const OUTBOX_LIMIT = 500; //     beyond this the oldest events are dropped
  const OUTBOX_KEY = "vts:outbox";
  const WATCH_SENT_KEY = "vts:watch-sent"; // post → when a report of it last left, across pages
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 5 * 60 * 1000;
  const REPORT_EVERY_MS = 10000; // a watch report this often while a video plays
  const REPORT_SPACING_MS = 6000; // the server's 5 s per viewer and post, and a second for the network
  const CHECKPOINT_MS = 5000; // a held view's watched_ms is saved this often…
  const STALE_MS = 30000; //     …so one not saved for this long belongs to a page that has gone
  const RESUME_UNTIL_PLAYED_MS = 2000; // a saved position arriving later than this into playback is not applied
  const DETAILS = ["channel", "channel_context", "play_order", "playlist_id", "dwell_ms", "watched_ms"];

  const pageId = uuid(); // holds this page's open appearances in the shared outbox

  // ---- The viewer --------------------------------------------------------------------------

  const viewer = { token: null, sub: null, refused: false };

  function setViewerToken(jwt) {
    viewer.token = typeof jwt === "string" && jwt.trim() ? jwt.trim() : null;
    viewer.sub = viewer.token ? subjectOf(viewer.token) : null;
    viewer.refused = false;
  }

  /** The token's sub, read (not verified: the server does that) only to tell viewers' events apart. */
  function subjectOf(jwt) {
    try {
      const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(part + "===".slice((part.length + 3) % 4)), (c) => c.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      if (claims.sub != null) return String(claims.sub);
    } catch (e) {
      // not a JWT the tracker can read: the server will say so
    }
    return "?";
  }

  /** The token that may carry events of {@code sub} now: null for anonymous events, undefined when none may. */
  function tokenFor(sub) {
    if (sub == null) return null;
    return viewer.token && !viewer.refused && viewer.sub === sub ? viewer.token : undefined;
  }

  function headers(token) {
    // text/plain keeps an anonymous cross-site request "simple": no CORS preflight
    const h = { "Content-Type": "text/plain;charset=UTF-8" };
    if (token) h.Authorization = "Bearer " + token;
    return h;
  }

  function tokenRefused(token) {
    if (viewer.token !== token || viewer.refused) return;
    viewer.refused = true;
    window.dispatchEvent(new CustomEvent("vts:token-refused", { detail: { sub: viewer.sub } }));
  }

  // ---- Events ------------------------------------------------------------------------------

  function postIdOf(value) {
    const id = Number(value);
    if (!Number.isSafeInteger(id) || id <= 0) {
      console.warn("VTS: not a post id:", value);
      return null;
    }
    return id;
  }

  /** A view or impression into the outbox; {@code held}: it waits there until released. */
  function record(postId, intent, details, held) {
    const id = postIdOf(postId);
    if (id == null) return null;
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
    event._viewer = viewer.sub;
    if (held) {
      event._held = pageId;
      event._saved = Date.now();
    }
    outbox.add(event);
    if (!held) scheduleSend();
    return event.event_id;
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

  /** An event as the server gets it: without the tracker's own bookkeeping (fields starting with _). */
  function wire(event) {
    const out = {};
    for (const key in event) if (key[0] !== "_") out[key] = event[key];
    return out;
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
    /** Changes the event {@code eventId} in place; false when it is no longer there. */
    update(eventId, change) {
      const events = this.read();
      const event = events.find((e) => e.event_id === eventId);
      if (!event) return false;
      change(event);
      this.write(events);
      return true;
    },
    remove(eventIds) {
      const done = new Set(eventIds);
      this.write(this.read().filter((e) => !done.has(e.event_id)));
    },
  };

  /** When reports of each post last left (this page or another of the site): the 5 s rule spans pages. */
  const watchSent = {
    read() {
      try {
        return JSON.parse(localStorage.getItem(WATCH_SENT_KEY)) || {};
      } catch (e) {
        return this.memory || {};
      }
    },
    mark(postIds, at) {
      const sent = this.read();
      for (const key of Object.keys(sent)) if (sent[key] < at - REPORT_SPACING_MS) delete sent[key];
      for (const id of postIds) sent[id] = at;
      this.memory = sent;
      try {
        localStorage.setItem(WATCH_SENT_KEY, JSON.stringify(sent));
      } catch (e) {
        // the memory copy serves this page
      }
    },
  };

  // ---- Sending -------------------------------------------------------------------------------

  let timer = null; // the next send, when one is scheduled…
  let timerAt = 0; //  …and when
  let sending = false;
  let failures = 0; // in a row, for the backoff
  let retryAt = 0; // no send before this time (ms since epoch)
  const sentOnce = new Set(); // events put in a request by this page: never merged into any more
  const inFlight = new Set(); // events in a request not answered yet

  /**
   * When the event may go (ms since epoch; Infinity: not until something changes), and with which
   * token. An open appearance waits for its end, unless its page has stopped saving it (gone); a
   * viewer's event waits for that viewer's token; a watch report waits 6 s after the previous
   * report of its post left.
   */
  function readiness(event, now, sent) {
    const token = tokenFor(event._viewer);
    if (token === undefined) return { at: Infinity };
    let at = now;
    if (event._held) at = event._held === pageId ? Infinity : (event._saved || 0) + STALE_MS;
    if (event.type === "watch" && sent[event.post_id]) at = Math.max(at, sent[event.post_id] + REPORT_SPACING_MS);
    return { at: at, token: token };
  }

  /** The next request: events of one viewer (or anonymous ones), at most one watch report per post. */
  function nextBatch(now, exclude) {
    const sent = watchSent.read();
    const batch = [];
    const posts = new Set();
    let token;
    let earliest = Infinity;
    for (const event of outbox.read()) {
      if (exclude && exclude.has(event.event_id)) continue;
      const ready = readiness(event, now, sent);
      if (ready.at > now) {
        earliest = Math.min(earliest, ready.at);
        continue;
      }
      if (batch.length === MAX_PER_REQUEST) break;
      if (batch.length > 0 && ready.token !== token) continue; // another request's
      if (event.type === "watch") {
        if (posts.has(event.post_id)) continue; // the next request's, 6 s later
        posts.add(event.post_id);
      }
      token = ready.token;
      batch.push(event);
    }
    return { batch: batch, token: token, earliest: earliest };
  }

  /** Sends soon: at once when a batch is full, else after a short wait; never during a backoff. */
  function scheduleSend() {
    const now = Date.now();
    const next = nextBatch(now, inFlight);
    let at;
    if (next.batch.length > 0) at = now + (next.batch.length >= BATCH_SIZE ? 0 : BATCH_DELAY_MS);
    else if (next.earliest < Infinity) at = next.earliest;
    else return;
    at = Math.max(at, retryAt);
    if (timer && timerAt <= at) return; // an earlier send will see to it
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(send, Math.max(0, at - now));
  }

  async function send() {
    timer = null;
    if (sending) return; // a running send schedules the next one itself
    const now = Date.now();
    const { batch, token } = nextBatch(now, inFlight); // not what a keepalive request on hiding still carries
    if (batch.length === 0) {
      scheduleSend();
      return;
    }
    sending = true;
    try {
      const response = await post(batch, token, false, now);
      if (response.ok) {
        failures = 0;
        retryAt = 0;
      } else if (response.status === 429 || response.status >= 500) {
        backOff(response.headers.get("Retry-After"));
      } else if (response.status === 401 && token) {
        // the token is refused (expired…), not the events: they wait for a fresh token
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

  /**
   * A session's report about to leave takes in what was played since it was made: the server measures
   * a report's played_s against the time since the session's previous report arrived, so a report
   * that waited (the 6 s rule) must not leave the next one with more than that.
   */
  function freshen(batch) {
    const sessions = new Map();
    videos.forEach((s) => s.pending && !sentOnce.has(s.pending) && s.progress !== "loading" && sessions.set(s.pending, s));
    const changes = new Map();
    for (const event of batch) {
      const s = sessions.get(event.event_id);
      if (!s) continue;
      accrue(s);
      const position = round3(s.video.currentTime || 0);
      const played = round3(s.unreportedMs / 1000);
      if (played === 0 && position === s.lastPosition) continue;
      s.unreportedMs = 0;
      s.lastPosition = position;
      event.position_s = position;
      event.played_s = round3(event.played_s + played);
      changes.set(event.event_id, event);
    }
    if (changes.size === 0) return;
    const events = outbox.read();
    events.forEach((e) => changes.has(e.event_id) && Object.assign(e, changes.get(e.event_id)));
    outbox.write(events);
  }

  /** One request of events; settles what the server answered for. */
  async function post(batch, token, keepalive, now) {
    freshen(batch);
    const ids = batch.map((e) => e.event_id);
    ids.forEach((id) => {
      sentOnce.add(id);
      inFlight.add(id);
    });
    const reports = batch.filter((e) => e.type === "watch").map((e) => e.post_id);
    if (reports.length > 0) watchSent.mark(reports, now);
    try {
      const response = await fetch(eventsUrl, {
        method: "POST",
        headers: headers(token),
        body: JSON.stringify({ events: batch.map(wire) }),
        credentials: "omit",
        keepalive: keepalive,
      });
      if (response.ok) settle(batch, (await response.json()).results);
      else if (response.status === 401 && token) tokenRefused(token);
      return response;
    } finally {
      ids.forEach((id) => inFlight.delete(id));
    }
  }

  /**
   * An answered event is done, even when refused (unknown post, invalid; an impression over its rate
   * limit would be refused the same way again), except a watch report over the rate limit: it is
   * the viewer's place and time, and goes again after the 6 s.
   */
  function settle(batch, results) {
    const byId = new Map(batch.map((e) => [e.event_id, e]));
    const retry = results.filter((r) => r.status === "rate_limited" && byId.get(r.event_id)?.type === "watch");
    if (retry.length > 0) watchSent.mark(retry.map((r) => byId.get(r.event_id).post_id), Date.now());
    const kept = new Set(retry.map((r) => r.event_id));
    outbox.remove(results.map((r) => r.event_id).filter((id) => !kept.has(id)));
    announce(byId, results);
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
  function announce(byId, results) {
    for (const result of results) {
      const event = byId.get(result.event_id);
      window.dispatchEvent(new CustomEvent("vts:result", { detail: { ...(event && wire(event)), ...result } }));
    }
  }

  // A hidden page may never run again: hand what is waiting to the browser, which delivers beacons
  // and keepalive requests even after the page is gone. The events stay in the outbox until the
  // server has answered for them, so a lost one is made good on the next visit (and a delivered one
  // is not stored twice).
  const beaconed = new Set();
  function sendOnHide() {
    const now = Date.now();
    const skip = new Set([...beaconed, ...inFlight]);
    for (;;) {
      const { batch, token } = nextBatch(now, skip);
      if (batch.length === 0) return;
      batch.forEach((e) => skip.add(e.event_id));
      if (token) {
        batch.forEach((e) => beaconed.add(e.event_id));
        // a lost one goes again if the page comes back, else with the next page
        post(batch, token, true, now).catch(() => {}).then(scheduleSend);
        continue;
      }
      freshen(batch);
      const body = new Blob([JSON.stringify({ events: batch.map(wire) })], { type: "text/plain;charset=UTF-8" });
      if (!navigator.sendBeacon || !navigator.sendBeacon(eventsUrl, body)) continue;
      batch.forEach((e) => {
        beaconed.add(e.event_id);
        sentOnce.add(e.event_id);
      });
      const reports = batch.filter((e) => e.type === "watch").map((e) => e.post_id);
      if (reports.length > 0) watchSent.mark(reports, now);
    }
  }

  // ---- Views and watch time of artworks marked data-vts-post -------------------------------------

  const halfVisible = new Set(); // elements at least half in the viewport now
  const appearances = new Map(); // element → its appearance now: {since, dwell (timer), view (event id)}
  const viewed = new WeakSet(); // videos whose view was sent during this page view
  let pageHidden = false; // hidden or left (pagehide may come while the page still says "visible")
  let checkpoints = null; // the timer saving held views' watched_ms

  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.5) halfVisible.add(entry.target);
        else halfVisible.delete(entry.target);
        updateAppearance(entry.target);
      }
    },
    { threshold: [0, 0.5] }
  );

  /** An appearance runs while the element is half visible on a visible page; leaving ends it. */
  function updateAppearance(element) {
    const seen = halfVisible.has(element) && !pageHidden && document.visibilityState === "visible" && element.isConnected;
    const appearance = appearances.get(element);
    if (seen && !appearance) {
      appearances.set(element, {
        since: performance.now(),
        dwell: setTimeout(() => dwellReached(element), dwellMs),
        view: null,
      });
    } else if (!seen && appearance) {
      appearances.delete(element);
      clearTimeout(appearance.dwell);
      if (appearance.view) {
        const watched = Math.round(performance.now() - appearance.since);
        outbox.update(appearance.view, (e) => {
          e.watched_ms = watched;
          delete e._held;
          delete e._saved;
        });
        scheduleSend();
      }
    }
  }

  function dwellReached(element) {
    const appearance = appearances.get(element);
    if (!appearance) return;
    const details = { channel: element.dataset.vtsChannel, channel_context: element.dataset.vtsChannelContext, dwell_ms: dwellMs };
    if (element instanceof HTMLVideoElement) {
      // a video's watch time is its watch reports' played_s: its view carries none, and there is one per page view
      appearances.delete(element);
      halfVisible.delete(element);
      observer.unobserve(element);
      viewed.add(element);
      record(element.dataset.vtsPost, "view", details, false);
      return;
    }
    details.watched_ms = Math.round(performance.now() - appearance.since);
    appearance.view = record(element.dataset.vtsPost, "view", details, true);
    if (!checkpoints) checkpoints = setInterval(checkpoint, CHECKPOINT_MS);
  }

  /** Saves the watched time of every held view, so a page that dies keeps it. */
  function checkpoint() {
    const now = performance.now();
    const open = new Map();
    appearances.forEach((a) => a.view && open.set(a.view, Math.round(now - a.since)));
    if (open.size === 0) {
      clearInterval(checkpoints);
      checkpoints = null;
      return;
    }
    const events = outbox.read();
    for (const event of events) {
      if (open.has(event.event_id)) {
        event.watched_ms = open.get(event.event_id);
        event._saved = Date.now();
      }
    }
    outbox.write(events);
  }

  // ---- Watch reports of videos marked data-vts-post -------------------------------------------

  const videos = new Map(); // video element → its session

  function watchVideo(video) {
    const postId = postIdOf(video.dataset.vtsPost);
    if (postId == null || videos.has(video)) return;
    const s = {
      video: video,
      postId: postId,
      session: uuid(),
      playingSince: null, // performance.now() when the current stretch of playing began
      unreportedMs: 0, // played since the previous report
      playedMs: 0, // played during this page view
      lastPosition: null, // of the previous report…
      reportedAt: -Infinity, // …and when it was made
      ticker: null, // the 10 s reports while playing
      pending: null, // this session's report still in the outbox, unsent: the next one merges into it
      progress: undefined, // the viewer's saved place: undefined not asked, "loading", null none, or the row
      deferred: false, // a report waits for the saved place (so that it cannot overwrite it with 0)
      resumed: false,
      seekedByUs: false,
      viewerSeeked: false,
    };
    videos.set(video, s);
    const start = () => {
      if (s.playingSince == null) s.playingSince = performance.now();
      if (!s.ticker) s.ticker = setInterval(() => report(s), REPORT_EVERY_MS);
    };
    const stop = () => {
      accrue(s);
      s.playingSince = null;
      clearInterval(s.ticker);
      s.ticker = null;
    };
    video.addEventListener("playing", start);
    video.addEventListener("waiting", stop); // stalled for data: not playing
    video.addEventListener("pause", () => {
      stop();
      report(s);
    });
    video.addEventListener("ended", () => {
      stop();
      report(s);
    });
    video.addEventListener("seeking", () => {
      if (s.seekedByUs) s.seekedByUs = false;
      else s.viewerSeeked = true;
    });
    video.addEventListener("loadedmetadata", () => applyResume(s));
    if (!video.paused && video.readyState >= 3) start(); // already playing when found
    loadProgress(s);
  }

  function accrue(s) {
    if (s.playingSince == null) return;
    const now = performance.now();
    s.unreportedMs += now - s.playingSince;
    s.playedMs += now - s.playingSince;
    s.playingSince = now;
  }

  /** One watch report of the session now, unless nothing changed since the previous one. */
  function report(s) {
    accrue(s);
    if (s.progress === "loading") {
      s.deferred = true;
      return;
    }
    const video = s.video;
    const position = round3(video.currentTime || 0);
    const playedS = round3(s.unreportedMs / 1000);
    if (playedS === 0 && position === s.lastPosition) return;
    s.unreportedMs = 0;
    s.lastPosition = position;
    s.reportedAt = performance.now();
    const duration = Number.isFinite(video.duration) && video.duration > 0 ? round3(video.duration) : null;
    const merged = s.pending && !sentOnce.has(s.pending) && outbox.update(s.pending, (e) => {
      e.position_s = position;
      if (duration != null) e.duration_s = duration;
      e.played_s = round3(e.played_s + playedS);
    });
    if (!merged) {
      const event = {
        type: "watch",
        event_id: uuid(),
        post_id: s.postId,
        position_s: position,
        played_s: playedS,
        session_id: s.session,
        automation: navigator.webdriver === true,
        _viewer: viewer.sub,
      };
      if (duration != null) event.duration_s = duration;
      outbox.add(event);
      s.pending = event.event_id;
    }
    scheduleSend();
  }

  function round3(x) {
    return Math.round(x * 1000) / 1000;
  }

  /** Asks for the viewer's saved place in the video (with a token only). */
  async function loadProgress(s) {
    const token = tokenFor(viewer.sub);
    if (!token || s.progress !== undefined) return;
    s.progress = "loading";
    let progress = null;
    try {
      const response = await fetch(endpoint + "/v1/me/progress/" + s.postId, { headers: headers(token), credentials: "omit" });
      if (response.status === 200) progress = await response.json();
      else if (response.status === 401) tokenRefused(token);
    } catch (e) {
      // unreachable: play from where it is
    }
    s.progress = progress;
    applyResume(s);
    if (s.deferred) {
      s.deferred = false;
      report(s);
    }
  }

  /** Moves the video to the saved place once both are known, unless the viewer has taken over. */
  function applyResume(s) {
    const p = s.progress;
    const video = s.video;
    if (!p || p === "loading" || s.resumed || video.readyState < 1) return;
    s.resumed = true;
    accrue(s);
    if (s.viewerSeeked || s.playedMs > RESUME_UNTIL_PLAYED_MS) return;
    const position = Number(p.position_s) || 0;
    const duration = Number.isFinite(video.duration) ? video.duration : Number(p.duration_s) || 0;
    const finished = duration > 0 && position >= duration - Math.max(1, duration * 0.05);
    const to = finished ? 0 : position;
    if (to > 0 || video.currentTime > 0) {
      s.seekedByUs = true;
      video.currentTime = to;
    }
    window.dispatchEvent(new CustomEvent("vts:resume", {
      detail: { post_id: s.postId, position_s: to, saved_position_s: position, started_over: finished },
    }));
  }

  // ---- Start ---------------------------------------------------------------------------------

  function watch(element) {
    if (element instanceof HTMLVideoElement) {
      watchVideo(element);
      if (viewed.has(element)) return;
    }
    observer.observe(element);
  }

  function watchAll(root) {
    if (root.matches && root.matches("[data-vts-post]")) watch(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-vts-post]").forEach(watch);
  }

  function endAppearancesWhereRemoved(root) {
    const removed = [...appearances.keys()].filter((e) => e === root || (root.contains && root.contains(e)));
    removed.forEach((e) => {
      halfVisible.delete(e);
      updateAppearance(e);
    });
  }

  /** The page is hidden or left: appearances end, playing videos report, everything waiting goes. */
  function hiding() {
    pageHidden = true;
    appearances.forEach((a, element) => updateAppearance(element));
    videos.forEach((s) => {
      // playing: what was played goes now (not again for the pagehide that follows a visibilitychange)
      if (s.playingSince != null && performance.now() - s.reportedAt > 1000) report(s);
    });
    sendOnHide();
  }

  function showing() {
    pageHidden = false;
    halfVisible.forEach(updateAppearance);
  }

  function start() {
    watchAll(document);
    // artworks added later (infinite scroll, widgets) are watched too, removed ones end their appearance
    new MutationObserver((changes) => {
      for (const change of changes) {
        change.addedNodes.forEach(watchAll);
        change.removedNodes.forEach(endAppearancesWhereRemoved);
      }
    }).observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") hiding();
      else showing();
    });
    window.addEventListener("pagehide", hiding);
    window.addEventListener("pageshow", (e) => e.persisted && showing()); // back from the back-forward cache
    window.addEventListener("online", () => {
      retryAt = 0;
      scheduleSend();
    });
    scheduleSend(); // what an earlier visit left in the outbox
  }

  setViewerToken(options.viewerToken);

  window.VTS = Object.freeze({
    /** One impression of an artwork in playback: call once per appearance, never on a timer. */
    impression: (postId, details) => {
      record(postId, "impression", details, false);
    },
    /** One view, for a deliberate look the page detects itself (e.g. a lightbox opened). */
    view: (postId, details) => {
      record(postId, "view", details, false);
    },
    /**
     * The signed-in viewer's JWT (null: signed out). Requests carry it; videos not yet under way
     * resume at this viewer's saved place; events recorded for this viewer before go now.
     */
    setViewerToken(jwt) {
      setViewerToken(jwt);
      videos.forEach((s) => {
        if (s.progress !== "loading") {
          s.progress = undefined;
          s.resumed = false;
          loadProgress(s);
        }
      });
      scheduleSend();
    },
    /** Sends what is waiting now, ignoring the batch delay and any backoff. */
    flush() {
      retryAt = 0;
      clearTimeout(timer);
      timer = null;
      send();
    },
    config: Object.freeze({ endpoint: endpoint, dwellMs: dwellMs }),
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
