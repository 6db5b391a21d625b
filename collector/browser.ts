/**
 * The browser collector: bundled (IIFE, minified) by collector/build.ts and served as
 * `<prefix>/c.<hash>.js` from `<script src data-ingest data-window data-page async>`.
 *
 * Listeners are passive and only push a tiny record (batching: no work in the hot path). Every
 * `data-window` ms the window's raw events are delta-coded (codec.ts) and posted to `data-ingest`
 * with the page token `data-page`; the server decodes them and computes the features, so no
 * feature code ships to the browser. Pointer Events of every `pointerType` (mouse, touch, pen),
 * wheel, scroll, keys and focus moves are recorded. Keys are recorded as a class
 * (char/backspace/other), a time and a pairing id: `e.key` and `e.code` never leave their
 * listener. Zod stays out of this bundle: the server validates.
 *
 * @module
 */
import { encodeEvents } from "./codec.ts";
import type { WindowEvent } from "./features.ts";

// The few DOM types this file uses, declared in module scope. `/// <reference lib="dom" />` would
// leak into every file type-checked together with this one (it changes WebSocket's constructor).
interface PointerEventLike extends Event {
  clientX: number;
  clientY: number;
  button: number;
  pointerType?: string;
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
declare const scrollX: number,
  scrollY: number,
  innerHeight: number,
  innerWidth: number;
declare const requestIdleCallback:
  | ((fn: () => void, options: { timeout: number }) => number)
  | undefined;

/**
 * Per-window event cap: bounds memory, the post size and the flush time. A pointer reports at
 * most once per frame, so 5 s on a 144 Hz display with typing and scrolling stays under it; only
 * synthetic floods reach it.
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
/** The Fetch standard caps in-flight keepalive bodies at 64 KiB. */
const KEEPALIVE_MAX = 60_000;

const data = document.currentScript?.dataset ?? {};
const ingest = data.ingest || "/__guard/ingest";
const windowMs = Number(data.window) || 5000;
const page = data.page;

let events: WindowEvent[] = [];
let windowStart = 0, seq = -1, presses = 0, failures = 0, vw = 0, vh = 0;
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
  vw = vh = 0;
  viewport();
}

/** The largest viewport of the window: the server checks free pointers lie inside it. */
function viewport(): void {
  vw = Math.max(vw, Math.ceil(innerWidth));
  vh = Math.max(vh, Math.ceil(innerHeight));
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
  const kind = e.type === "pointermove"
    ? "move"
    : e.type === "pointerdown"
    ? "down"
    : "up";
  const r: Omit<WindowEvent, "t"> = { kind, x: e.clientX, y: e.clientY };
  if (kind !== "move") r.button = e.button;
  if (e.pointerType === "touch" || e.pointerType === "pen") {
    r.pointer = e.pointerType;
  }
  push(e, r);
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
  on("pointermove", onPointer);
  on("pointerdown", onPointer);
  on("pointerup", onPointer);
  on("focusin", (e) => push(e, { kind: "focus" }));
  on("resize", viewport, false);
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
      v: 2,
      seq: nextSeq(),
      page,
      t0,
      t1: windowStart,
      vw,
      vh,
      e: encodeEvents(batch, t0),
    }
    : undefined;
  if (beacon) {
    if (closed) enqueue(closed);
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
    if (closed) setTimeout(() => enqueue(closed));
    setTimeout(send);
  }
}

/** Serializes a window's post onto the send queue. */
function enqueue(post: object): void {
  queue.push(JSON.stringify(post));
  if (queue.length > MAX_QUEUE) queue.splice(sending ? 1 : 0, 1);
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
// Without a page token (a page not served through the guard) posts would be refused: do nothing.
if (!flag.__guardCollector && page) {
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
  });
}
