/**
 * Real Chromium bot sessions driven by puppeteer-core against a local page that embeds the
 * collector bundle with data-raw="1". The collector's own listeners record the events (so real
 * isTrusted, navigator.webdriver and event-rate artefacts are in the data); a local endpoint saves
 * the posted raw events as JSON Lines, and the derived feature rows go to data/chromium_rows.csv.
 *
 * Usage: deno run -A sim/chromium_bots.ts [--sessions 6] [--seconds 12] [--out data/chromium_rows.csv]
 *        [--raw-sample data/chromium_sample.jsonl]
 */
import { parseArgs } from "node:util";
import type { Browser, Page } from "puppeteer-core";
import { launchChromium } from "./chromium.ts";
import { createCursor } from "ghost-cursor";
import { buildCollectorBundle, type RawEvent } from "../collector/mod.ts";
import { type DatasetRow, sessionRows, toCsv } from "./dataset.ts";
import { createRng, deriveSeed, type Rng } from "./prng.ts";

/** Chromium bot kinds: puppeteer's own mouse/keyboard, or ghost-cursor's paths. */
export type ChromiumKind = "chromium_linear" | "chromium_ghost";

function pageHtml(session: string): string {
  const targets = Array.from(
    { length: 12 },
    (_, i) =>
      `<button id="b${i}" style="position:absolute;left:${
        60 + (i % 4) * 300
      }px;top:${80 + Math.floor(i / 4) * 220}px;width:${
        80 + (i * 37) % 120
      }px;height:36px">t${i}</button>`,
  ).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>bots</title>
<script src="/c.js" data-ingest="/ingest?s=${
    encodeURIComponent(session)
  }" data-window="1000" data-raw="1" async></script>
</head><body style="margin:0;height:4000px">${targets}
<input id="field" style="position:absolute;left:400px;top:700px;width:300px;height:30px"></body></html>`;
}

/** A local server: the page, the bundle and an ingest endpoint appending raw events per session. */
export function serveRecorder(
  bundle: string,
  sink: Map<string, RawEvent[]>,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/c.js") {
        return new Response(bundle, {
          headers: { "content-type": "text/javascript" },
        });
      }
      if (url.pathname === "/ingest" && req.method === "POST") {
        const session = url.searchParams.get("s") ?? "unknown";
        const post = await req.json() as { raw?: Omit<RawEvent, "session">[] };
        const list = sink.get(session) ?? [];
        for (const e of post.raw ?? []) {
          list.push(
            { ...e, session } as RawEvent,
          );
        }
        sink.set(session, list);
        return Response.json({});
      }
      return new Response(pageHtml(url.searchParams.get("s") ?? "unknown"), {
        headers: { "content-type": "text/html" },
      });
    },
  );
}

async function driveLinear(page: Page, rng: Rng, until: number): Promise<void> {
  const steps = rng.int(5, 40);
  const typeDelay = rng.int(20, 150);
  while (Date.now() < until) {
    const r = rng.next();
    if (r < 0.6) {
      await page.mouse.move(rng.int(20, 1260), rng.int(20, 780), { steps });
      await page.mouse.click(rng.int(60, 1200), rng.int(80, 600));
    } else if (r < 0.8) {
      await page.mouse.wheel({ deltaY: rng.pick([100, 120, -100, 300]) });
      await new Promise((ok) => setTimeout(ok, rng.int(50, 300)));
    } else {
      await page.click("#field");
      await page.keyboard.type("a".repeat(rng.int(5, 25)), {
        delay: typeDelay,
      });
    }
  }
}

async function driveGhost(page: Page, rng: Rng, until: number): Promise<void> {
  const cursor = createCursor(page, {
    x: rng.int(0, 1200),
    y: rng.int(0, 700),
  });
  while (Date.now() < until) {
    const r = rng.next();
    if (r < 0.7) await cursor.click(`#b${rng.int(0, 11)}`);
    else if (r < 0.85) {
      await page.mouse.wheel({ deltaY: rng.pick([100, -100, 200]) });
    } else {
      await cursor.click("#field");
      await page.keyboard.type("b".repeat(rng.int(5, 25)), {
        delay: rng.int(30, 200),
      });
    }
  }
}

/** Options for {@link recordChromiumSessions}. */
export interface ChromiumOptions {
  sessions: number;
  seconds: number;
  seed: number;
  /** Hide navigator.webdriver (a stealthier bot) in every other session. */
  stealthEvery?: number;
}

async function runSession(
  browser: Browser,
  base: string,
  kind: ChromiumKind,
  session: string,
  o: ChromiumOptions,
): Promise<void> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(`${base}/?s=${encodeURIComponent(session)}`, {
    waitUntil: "load",
  });
  await page.waitForFunction(() =>
    (globalThis as { __guardCollector?: boolean }).__guardCollector === true
  );
  const rng = createRng(deriveSeed(o.seed, session));
  const until = Date.now() + o.seconds * 1000;
  if (kind === "chromium_linear") await driveLinear(page, rng, until);
  else await driveGhost(page, rng, until);
  await new Promise((ok) => setTimeout(ok, 1300));
  await page.close();
}

/** Records Chromium sessions of both kinds; webdriver visible in half of them, hidden in the rest. */
export async function recordChromiumSessions(
  o: ChromiumOptions,
): Promise<
  { events: Map<string, RawEvent[]>; kinds: Map<string, ChromiumKind> }
> {
  const sink = new Map<string, RawEvent[]>();
  const kinds = new Map<string, ChromiumKind>();
  const server = serveRecorder((await buildCollectorBundle()).code, sink);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    for (const stealth of [false, true]) {
      const browser = await launchChromium({
        args: stealth ? ["--disable-blink-features=AutomationControlled"] : [],
      });
      try {
        for (let i = 0; i < o.sessions; i++) {
          for (const kind of ["chromium_linear", "chromium_ghost"] as const) {
            const session = `chromium/${kind.slice(9)}${
              stealth ? "_stealth" : ""
            }/${i}`;
            kinds.set(session, kind);
            await runSession(browser, base, kind, session, o);
          }
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.shutdown();
  }
  return { events: sink, kinds };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sessions: { type: "string", default: "6" },
      seconds: { type: "string", default: "12" },
      seed: { type: "string", default: "1" },
      out: { type: "string", default: "data/chromium_rows.csv" },
      "raw-sample": { type: "string", default: "data/chromium_sample.jsonl" },
    },
  });
  const { events, kinds } = await recordChromiumSessions({
    sessions: Number(values.sessions),
    seconds: Number(values.seconds),
    seed: Number(values.seed),
  });
  const rows: DatasetRow[] = [];
  for (
    const [session, list] of [...events].sort(([a], [b]) => a.localeCompare(b))
  ) {
    list.sort((a, b) => a.t - b.t);
    const kind = kinds.get(session) ?? "chromium_linear";
    rows.push(
      ...sessionRows(list, {
        session,
        label: "bot",
        kind,
        source: "chromium",
        group: session,
      }, { minPointerEvents: 1 }),
    );
    console.log(`${session}\tevents=${list.length}`);
  }
  await Deno.writeTextFile(values.out, toCsv(rows));
  const sample = [...events.values()][0] ?? [];
  await Deno.writeTextFile(
    values["raw-sample"],
    sample.slice(0, 400).map((e) => JSON.stringify(e)).join("\n") + "\n",
  );
  console.log(`wrote ${rows.length} rows to ${values.out}`);
}
