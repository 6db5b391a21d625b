/**
 * The collector test's site and Chromium helpers (collector/browser_test.ts): an ingest that
 * records and answers posts, and a page driven with mouse, keys and scrolling.
 */
import type { Browser, Page } from "puppeteer-core";
import assert from "node:assert/strict";
import { launchChromium } from "../sim/browsers/chromium.ts";
import { parsePost, type ParsePostResult } from "./post.ts";

export type Parsed = Extract<ParsePostResult, { ok: true }>;

export const SECRET = "hunter2 Zebra";

export interface Site {
  server: Deno.HttpServer<Deno.NetAddr>;
  base: string;
  bodies: string[];
  /** The content type of each body: JSON from fetch, text/plain from the pagehide beacon. */
  types: string[];
  /** Replies for the next ingest posts, in order; then `{}` with 200. */
  replies: { status: number; json: unknown }[];
  /** When set, the ingest enforces the guard's seq rule (409 with `next`) after `replies`. */
  enforceSeq?: { last: number; accepted: string[] };
  /** When set, each ingest reply waits this long (the post stays in flight). */
  delayMs?: number;
}

export function page(title: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<script src="/__guard/c.js" data-ingest="/__guard/ingest" data-window="1000" data-page="test-page" async></script>
</head><body style="margin:0;height:3000px"><input id="field" style="position:absolute;left:300px;top:200px">
<a id="next" href="/other" style="position:absolute;left:500px;top:300px">next</a></body></html>`;
}

export function serveSite(code: string): Site {
  const site = { bodies: [], types: [], replies: [] } as unknown as Site;
  site.server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    onListen: () => {},
  }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/__guard/c.js") {
      return new Response(code, {
        headers: { "content-type": "text/javascript" },
      });
    }
    if (path === "/__guard/ingest") {
      const body = await req.text();
      site.bodies.push(body);
      site.types.push(req.headers.get("content-type") ?? "");
      const rule = site.enforceSeq;
      if (site.replies.length === 0 && rule !== undefined) {
        const seq = JSON.parse(body).seq as number;
        if (seq <= rule.last) {
          const next = rule.last + 1;
          return Response.json({ error: "replay", field: "seq", next }, {
            status: 409,
          });
        }
        rule.last = seq;
        rule.accepted.push(body);
      }
      if (site.delayMs) await sleep(site.delayMs);
      const reply = site.replies.shift() ?? { status: 200, json: {} };
      return Response.json(reply.json, { status: reply.status });
    }
    if (path === "/favicon.ico") return new Response(null, { status: 404 });
    const html = path === "/login"
      ? "<!doctype html><title>login</title>"
      : page(path);
    return new Response(html, { headers: { "content-type": "text/html" } });
  });
  site.base = `http://127.0.0.1:${site.server.addr.port}`;
  return site;
}

export function launch(): Promise<Browser> {
  return launchChromium();
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export async function openPage(browser: Browser, url: string): Promise<Page> {
  const tab = await browser.newPage();
  await tab.goto(url);
  await tab.waitForFunction(() => "__guardCollector" in globalThis);
  return tab;
}

export async function waitFor(
  check: () => boolean,
  what: string,
  ms = 8000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function posts(site: Site): Parsed[] {
  return site.bodies.map(parse);
}

export function parse(body: string): Parsed {
  const result = parsePost(JSON.parse(body), { windowMs: 1000 });
  assert.ok(result.ok, result.ok ? "" : `${result.field}: ${result.reason}`);
  return result;
}

/**
 * Windows the guard's seq rule refused and never accepted later: each refused body, seq aside,
 * must be among the accepted ones (up to the last acceptance; a window still in flight at the
 * end is not lost).
 */
export function lostWindows(
  site: Site,
  rule: { accepted: string[] },
): string[] {
  const withoutSeq = (b: string) =>
    JSON.stringify({ ...JSON.parse(b), seq: 0 });
  const accepted = new Set(rule.accepted.map(withoutSeq));
  const lastAccepted = site.bodies.lastIndexOf(rule.accepted.at(-1)!);
  return site.bodies.slice(0, lastAccepted).map(withoutSeq)
    .filter((w) => !accepted.has(w));
}

export async function interact(tab: Page): Promise<void> {
  await tab.mouse.move(50, 50);
  await tab.mouse.move(400, 260, { steps: 25 });
  await tab.mouse.click(320, 205, { delay: 40 });
  await tab.keyboard.type(SECRET, { delay: 25 });
  await tab.keyboard.press("Backspace", { delay: 30 });
  await tab.mouse.wheel({ deltaY: 240 });
  await tab.evaluate(
    `dispatchEvent(new PointerEvent("pointermove", { clientX: 5, clientY: 5 }))`,
  );
}
