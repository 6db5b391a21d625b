/**
 * The browser collector: bundled (IIFE, minified) by collector/build.ts and served as
 * `<prefix>/c.<hash>.js` from `<script src data-ingest data-window data-raw async>`.
 *
 * Listeners are passive and only push a tiny record (batching: no work in the hot path). Every
 * `data-window` ms the window's features are extracted with the same `extractFeatures` the server
 * tools use and posted to `data-ingest`. Keys are recorded as a class (char/backspace/other), a
 * time and a pairing id: `e.key` and `e.code` never leave their listener. With `data-raw="1"` the
 * window's raw events ride along. Zod stays out of this bundle: the server validates.
 *
 * @module
 */
import { extractFeatures, type WindowEvent } from "./features.ts";

// The few DOM types this file uses, declared in module scope. `/// <reference lib="dom" />` would
// leak into every file type-checked together with this one (it changes WebSocket's constructor).
interface PointerEventLike extends Event {
  clientX: number;
  clientY: number;
  button: number;
}
interface WheelEventLike extends Event {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
}
interface KeyEventLike extends Event {
  key?: string;
  code: string;
  repeat: boolean;
}
declare const document: {
  currentScript: { dataset: Record<string, string | undefined> } | null;
  visibilityState: string;
  addEventListener(type: string, fn: (e: Event) => void): void;
};
declare const navigator: {
  webdriver?: boolean;
  sendBeacon(url: string, data: string): boolean;
};
declare const scrollX: number, scrollY: number, innerHeight: number;
declare const requestIdleCallback:
  | ((fn: () => void, options: { timeout: number }) => number)
  | undefined;

/**
 * Per-window event cap: bounds memory, the post size and the flush time (about 2.5 µs per event
 * while the extractor is not yet optimised). A pointer reports at most once per frame, so 5 s on
 * a 144 Hz display with typing and scrolling stays under it; only synthetic floods reach it.
 */
const MAX_EVENTS = 1000;
/** Unsent windows kept for retry; beyond it the oldest waiting one is dropped (the server allows gaps). */
const MAX_QUEUE = 8;
/** Retry backoff: 1 s, 2 s, 4 s … capped. */
const MAX_BACKOFF_MS = 30_000;
/**
 * Seqs follow the clock: seconds since 2024-01-01 UTC (under the schema's 1e9 until 2055). The
 * origin's tabs share the guard session cookie, and the server rejects a seq at or below the last
 * it accepted for that session; a clock-based seq keeps every tab's and every page's windows
 * increasing without shared storage (localStorage's first access alone cost up to 7 ms of main
 * thread in bench/collector_longtask.ts). Two windows in the same second from two tabs collide;
 * the server's 409 names the next free seq and the window is sent again under it (send()).
 */
const SEQ_EPOCH_S = 1_704_067_200;
/** Warm-up (see warmUp): runs, the gap between them, and the most events a run extracts. */
const WARM_RUNS = 12, WARM_GAP_MS = 250, WARM_MAX = 250;
/** The Fetch standard caps in-flight keepalive bodies at 64 KiB. */
const KEEPALIVE_MAX = 60_000;

const data = document.currentScript?.dataset ?? {};
const ingest = data.ingest || "/__guard/ingest";
const windowMs = Number(data.window) || 5000;
const withRaw = data.raw === "1";

let events: WindowEvent[] = [];
let windowStart = 0, seq = -1, presses = 0, failures = 0;
let queue: string[] = [], sending = false, waiting = false;
let scrollXLast = 0, scrollYLast = 0;
/** Open key presses: physical key → pairing id. Lives only here; only the id is recorded. */
const pressed: Record<string, number> = {};

/** Epoch ms at 0.1 ms resolution: one clock across the page's navigations, compact in JSON. */
function clock(ms: number): number {
  return Math.round((performance.timeOrigin + ms) * 10) / 10;
}

/** Starts a window: the meta event first, so every window says whether the browser is automated. */
function openWindow(): void {
  windowStart = clock(performance.now());
  events = [{ t: windowStart, kind: "meta", webdriver: !!navigator.webdriver }];
}

function push(e: Event, record: Omit<WindowEvent, "t">): void {
  if (events.length >= MAX_EVENTS) return;
  const r = record as WindowEvent;
  r.t = clock(e.timeStamp);
  if (!e.isTrusted) r.trusted = false;
  events.push(r);
}

function keyClass(key: string | undefined): "char" | "backspace" | "other" {
  return key === "Backspace"
    ? "backspace"
    : key?.length === 1
    ? "char"
    : "other";
}

function onPointer(e: PointerEventLike): void {
  const kind = e.type === "mousedown" ? "down" : "up";
  push(e, { kind, x: e.clientX, y: e.clientY, button: e.button });
}

function listen(): void {
  const on = <E extends Event>(
    type: string,
    fn: (e: E) => void,
    capture = true,
  ) =>
    addEventListener(type, fn as unknown as EventListener, {
      passive: true,
      capture,
    });
  on<PointerEventLike>(
    "mousemove",
    (e) => push(e, { kind: "move", x: e.clientX, y: e.clientY }),
  );
  on("mousedown", onPointer);
  on("mouseup", onPointer);
  on<WheelEventLike>("wheel", (e) => {
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? innerHeight : 1;
    push(e, { kind: "wheel", dx: e.deltaX * unit, dy: e.deltaY * unit });
  });
  on("scroll", (e) => {
    push(e, {
      kind: "scroll",
      dx: scrollX - scrollXLast,
      dy: scrollY - scrollYLast,
    });
    scrollXLast = scrollX;
    scrollYLast = scrollY;
  }, false);
  on<KeyEventLike>("keydown", (e) => {
    if (e.repeat) return;
    pressed[e.code] = presses;
    push(e, { kind: "keydown", key: keyClass(e.key), id: presses++ });
  });
  on<KeyEventLike>("keyup", (e) => {
    const id = pressed[e.code] ?? presses++;
    delete pressed[e.code];
    push(e, { kind: "keyup", key: keyClass(e.key), id });
  });
  document.addEventListener("visibilitychange", (e) => {
    const visible = document.visibilityState === "visible";
    push(e, { kind: "visibility", visible });
    if (!visible) flush(true);
  });
  on("pagehide", () => flush(true));
}

/** The next seq: above this page's last, and not below the clock (see SEQ_EPOCH_S). */
function nextSeq(): number {
  seq = Math.max(seq + 1, Math.floor(Date.now() / 1000) - SEQ_EPOCH_S);
  return seq;
}

/**
 * Closes the window: extract and seq now; serializing (with raw
 * events, the larger part) and the network each run in a task of their own, or all at once by
 * beacon when the page goes.
 */
function flush(beacon: boolean): void {
  const batch = events, t0 = windowStart;
  openWindow();
  // A window holding only its meta event, or that and the page going hidden (the visibilitychange
  // flush just ran and pagehide follows), has nothing to say: no post.
  const closed = batch.length > 2 ||
      (batch.length === 2 && batch[1].kind !== "visibility")
    ? {
      v: 1,
      seq: nextSeq(),
      t0,
      t1: windowStart,
      n: batch.length,
      features: extractFeatures(batch, { windowMs }),
    }
    : undefined;
  if (beacon) {
    if (closed) enqueue(closed, batch);
    // A keepalive post in flight outlives the page: sending it again would repeat its seq.
    const first = sending && queue[0].length < KEEPALIVE_MAX ? 1 : 0;
    // A string, not a Blob: a Blob is one more copy of the body, registered with the browser
    // process before the beacon can go. The beacon's type is then text/plain, which the ingest
    // route accepts.
    for (let i = first; i < queue.length; i++) {
      if (!navigator.sendBeacon(ingest, queue[i])) {
        post(queue[i]).catch(() => {});
      }
    }
    queue = [];
  } else {
    if (closed) setTimeout(() => enqueue(closed, batch));
    setTimeout(send);
  }
}

/** Serializes a window's post (with its raw events when configured) onto the send queue. */
function enqueue(post: object, batch: WindowEvent[]): void {
  queue.push(JSON.stringify(withRaw ? { ...post, raw: batch } : post));
  if (queue.length > MAX_QUEUE) queue.splice(sending ? 1 : 0, 1);
}

/**
 * Warm-up: every WARM_GAP_MS during the first WARM_RUNS × WARM_GAP_MS, in an idle task of its own,
 * runs the extractor on the events recorded so far (a prefix that doubles from 20 up to WARM_MAX,
 * so each run stays around a millisecond even cold). V8 has then compiled and optimised the
 * extractor for the page's real records before the first flush: cold, it costs several µs per
 * event; warm, a fraction.
 */
function warmUp(run: number): void {
  // The first runs compile the extractor: they take a short prefix (20, 40, 80 … events).
  const n = Math.min(WARM_MAX, 20 << run);
  extractFeatures(events.length > n ? events.slice(0, n) : events, {
    windowMs,
  });
  if (run < WARM_RUNS) {
    setTimeout(() => whenIdle(() => warmUp(run + 1)), WARM_GAP_MS);
  }
}

/** Runs `fn` in a task of its own when the page is idle (soon, where the API is missing). */
function whenIdle(fn: () => void): void {
  if (typeof requestIdleCallback === "function") {
    requestIdleCallback(fn, { timeout: 2000 });
  } else setTimeout(fn, 20);
}

function post(body: string): Promise<Response> {
  return fetch(ingest, {
    method: "POST",
    keepalive: body.length < KEEPALIVE_MAX,
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body,
  });
}

/** Sends the queue in order, one at a time (the server rejects a seq that goes backwards). */
async function send(): Promise<void> {
  if (sending || waiting || queue.length === 0) return;
  sending = true;
  const body = queue[0];
  let retry = false,
    reply: { action?: string; redirect?: string; next?: number } | undefined;
  try {
    const res = await post(body);
    retry = res.status === 429 || res.status >= 500;
    if (!retry) reply = await res.json().catch(() => undefined);
  } catch {
    retry = true;
  }
  sending = false;
  if (retry) {
    waiting = true;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures++);
    setTimeout(() => (waiting = false, send()), delay);
    return;
  }
  failures = 0;
  // 409 replay: another tab took this seq in the same second, or a tab's post arrived after a
  // later one of another tab. Jump past the server's last seq and send this window again.
  if (typeof reply?.next === "number" && queue[0] === body) {
    seq = Math.max(seq, reply.next - 1);
    const again = JSON.parse(body);
    again.seq = nextSeq();
    queue[0] = JSON.stringify(again);
    return send();
  }
  if (queue[0] === body) queue.shift();
  if (reply?.action === "logout") location.assign(reply.redirect || "/login");
  else send();
}

const flag = globalThis as { __guardCollector?: boolean };
if (!flag.__guardCollector) {
  // Start in small tasks rather than one: in traces of cut-down variants of this bundle, a
  // one-line script's evaluation cost about 0.6 ms of main thread, and each step of the start
  // (the window's meta event, the listeners, the timers) 0.1–0.5 ms more. Only reading the data-*
  // attributes must run while the script is current (above); listeners come in the next task,
  // the rest in idle time.
  flag.__guardCollector = true;
  setTimeout(() => {
    openWindow();
    listen();
    setInterval(() => flush(false), windowMs);
    whenIdle(() => {
      scrollXLast = scrollX;
      scrollYLast = scrollY;
    });
    whenIdle(() => warmUp(0));
  });
}
