/**
 * A plain-HTTP client for the attacker tests: a cookie jar over `fetch`, navigations that look like
 * a browser's, the page token of the injected collector tag, and the one adapter that turns a
 * window of raw events into an ingest post ({@link postWindow}), so a change of the ingest protocol
 * changes only that function.
 *
 * @module
 */
import { encodeEvents, type WindowEvent } from "../collector/mod.ts";
import { DEMO_PASSWORD } from "../demo/mod.ts";

/** A scripted HTTP client with its cookies and what it learned from the last page. */
export interface HttpClient {
  base: string;
  /** Cookie name → value. */
  jar: Map<string, string>;
  /** Page tokens of the injected pages loaded (`data-page`), oldest first, with when they came. */
  pages: { token: string; at: number }[];
  /** The ingest path of the last injected page. */
  ingestPath: string;
  /** The last seq posted. */
  seq: number;
  /** Requests made, by kind. */
  counts: { navigations: number; posts: number; windows: number };
}

/** What one navigation returned. */
export interface Navigation {
  status: number;
  /** The Location header, or null. */
  location: string | null;
  html: string;
}

/** A new client with an empty jar. */
export function createHttpClient(base: string): HttpClient {
  return {
    base,
    jar: new Map(),
    pages: [],
    ingestPath: "/__guard/ingest",
    seq: 0,
    counts: { navigations: 0, posts: 0, windows: 0 },
  };
}

function cookieHeader(client: HttpClient): string {
  return [...client.jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** Applies Set-Cookie headers: a cookie with Max-Age ≤ 0, a past Expires or no value is dropped. */
function storeCookies(client: HttpClient, headers: Headers): void {
  for (const line of headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const gone = value === "" || attrs.some((a) => {
      const [k, v = ""] = a.trim().split("=");
      if (k.toLowerCase() === "max-age") return Number(v) <= 0;
      if (k.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
      return false;
    });
    if (gone) client.jar.delete(name);
    else client.jar.set(name, value);
  }
}

const TAG = /<script\b[^>]*\bdata-ingest="([^"]*)"[^>]*>/;

/**
 * One navigation as a browser sends it (Accept HTML, Sec-Fetch-Mode navigate), redirects not
 * followed. A form body makes it a POST. Remembers the page token of an injected page.
 */
export async function navigate(
  client: HttpClient,
  path: string,
  form?: Record<string, string>,
): Promise<Navigation> {
  client.counts.navigations++;
  if (form !== undefined) client.counts.posts++;
  const res = await fetch(`${client.base}${path}`, {
    method: form === undefined ? "GET" : "POST",
    redirect: "manual",
    headers: {
      accept: "text/html,application/xhtml+xml",
      "sec-fetch-mode": "navigate",
      "sec-fetch-dest": "document",
      "user-agent":
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
      cookie: cookieHeader(client),
    },
    body: form === undefined ? undefined : new URLSearchParams(form),
  });
  storeCookies(client, res.headers);
  const html = await res.text();
  const tag = html.match(TAG);
  if (tag !== null) {
    client.ingestPath = tag[1];
    const token = tag[0].match(/\bdata-page="([^"]*)"/)?.[1];
    if (token !== undefined) {
      client.pages.push({ token, at: Date.now() });
      if (client.pages.length > 100) client.pages.shift();
    }
  }
  return { status: res.status, location: res.headers.get("location"), html };
}

/**
 * Logs in to the demo site by POST /login and loads the page it redirects to.
 *
 * @throws {Error} when the demo does not answer 303 with a `session` cookie
 */
export async function logIn(client: HttpClient, user: string): Promise<void> {
  await navigate(client, "/login");
  const res = await navigate(client, "/login", {
    next: "/article",
    username: user,
    password: DEMO_PASSWORD,
  });
  if (res.status !== 303 || !client.jar.has("session")) {
    throw new Error(`Cannot log in "${user}": status ${res.status}`);
  }
  await navigate(client, res.location ?? "/article");
}

/** One window of raw events, times in epoch ms. */
export interface RawWindow {
  t0: number;
  t1: number;
  events: WindowEvent[];
  /** The viewport the page reports (default 1440 × 800). */
  vw?: number;
  vh?: number;
}

/** The collector's seq: seconds since 2024-01-01 UTC, strictly increasing per client. */
const SEQ_EPOCH_S = 1_704_067_200;

/**
 * The newest page token loaded before `t0`: a page cannot have recorded events before it came,
 * so this is the token an attacker would choose (the oldest one when none is old enough).
 */
function tokenFor(client: HttpClient, t0: number): string {
  const before = client.pages.filter((p) => p.at <= t0);
  return (before.at(-1) ?? client.pages[0])?.token ?? "";
}

/**
 * THE protocol adapter: posts one window as the collector does (ingest v2: the window's raw
 * events in the project's own compact encoding, led by the meta event saying the browser is not
 * automated, bound to a page token) and returns the status and reply.
 */
export async function postWindow(
  client: HttpClient,
  window: RawWindow,
): Promise<{ status: number; body: string }> {
  client.seq = Math.max(
    client.seq + 1,
    Math.floor(Date.now() / 1000) - SEQ_EPOCH_S,
  );
  const events: WindowEvent[] = [
    { t: window.t0, kind: "meta", webdriver: false },
    ...window.events,
  ];
  const body = JSON.stringify({
    v: 2,
    seq: client.seq,
    page: tokenFor(client, window.t0),
    t0: window.t0,
    t1: window.t1,
    vw: window.vw ?? 1440,
    vh: window.vh ?? 800,
    e: encodeEvents(events, window.t0),
  });
  client.counts.windows++;
  const res = await fetch(`${client.base}${client.ingestPath}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      cookie: cookieHeader(client),
    },
    body,
  });
  storeCookies(client, res.headers);
  return { status: res.status, body: await res.text() };
}

/** The committed human recording (SapiMouse user 100, 60 s), events without their session. */
export async function readFixture(): Promise<WindowEvent[]> {
  const text = await Deno.readTextFile(
    new URL("./fixtures/human_sapimouse_user100.jsonl", import.meta.url),
  );
  return text.trim().split("\n").map((line) => {
    const { session: _, ...event } = JSON.parse(line);
    return event as WindowEvent;
  });
}

/** The fixture events with `from ≤ t < to`, moved so that `from` lands at `at` (epoch ms). */
export function retime(
  events: readonly WindowEvent[],
  from: number,
  to: number,
  at: number,
): WindowEvent[] {
  return events.filter((e) => e.t >= from && e.t < to).map((e) => ({
    ...e,
    t: at + e.t - from,
  }));
}
