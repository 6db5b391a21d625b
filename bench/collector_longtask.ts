/**
 * Does the collector cause long tasks? Real Chromium (puppeteer-core), heavy mouse movement.
 *
 * Phases, each on a fresh page, same movement script:
 *   baseline   — the page without the collector, posting 1.5 KB itself every second (its
 *                `fetch` call time is the baseline for the collector's send task);
 *   collector  — with the collector (data-window=1000, data-raw=0 and 1);
 *   saturated  — the collector fed 2000 synthetic moves per window (its per-window cap), the worst
 *                flush it can face.
 * Prints the long task count (PerformanceObserver "longtask", ≥ 50 ms by spec) per phase, the
 * ratio against the baseline, and the flush time the collector itself reports
 * (`performance.measure("guard:flush")`): max and mean, against the 5 ms budget.
 *
 * Usage: deno run -A bench/collector_longtask.ts [--seconds 6]
 */
import { parseArgs } from "node:util";
import type { Page } from "puppeteer-core";
import { CHROMIUM_PATH, launchChromium } from "../sim/chromium.ts";
import { buildCollectorBundle } from "../collector/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "6" } },
});
const SECONDS = Number(values.seconds);

const OBSERVER = `<script>
window.__lt = []; window.__flush = []; window.__ours = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) __lt.push([e.startTime, e.duration]); })
  .observe({ type: "longtask", buffered: true });
window.__send = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) {
  (e.name === "guard:flush" ? __flush : __send).push(e.duration); __ours.push([e.startTime, e.duration]); } })
  .observe({ type: "measure", buffered: true });
</script>`;

/** Without the collector, the page itself posts a 1.5 KB body every second: the send baseline. */
const PAGE_FETCH = `<script>
const body = JSON.stringify({ a: "x".repeat(1500) });
setInterval(() => { const start = performance.now();
  fetch("/ingest?baseline", { method: "POST", keepalive: true, credentials: "same-origin",
    headers: { "content-type": "application/json" }, body });
  performance.measure("page:send", { start }); }, 1000);
</script>`;

function html(collector: boolean, raw: boolean): string {
  const tag = collector
    ? `<script src="/c.js" data-ingest="/ingest" data-window="1000" data-raw="${
      raw ? 1 : 0
    }" async></script>`
    : PAGE_FETCH;
  return `<!doctype html><html><head>${OBSERVER}${tag}</head><body style="height:3000px">bench</body></html>`;
}

interface Result {
  name: string;
  moves: number;
  longTasks: number[];
  /** Long tasks that contain one of the collector's measured tasks. */
  ours: number;
  flushes: number[];
  sends: number[];
  posts: number;
}

async function runPhase(
  page: Page,
  base: string,
  name: string,
  path: string,
  saturate = false,
) {
  await page.goto(`${base}${path}`);
  await new Promise((ok) => setTimeout(ok, 300));
  const posts0 = counter.posts;
  let moves = 0;
  if (saturate) {
    // 2000 synthetic moves per second, in 20 bursts of 100 (one per 50 ms), for SECONDS.
    await page.evaluate(
      `new Promise((done) => { let n = 0; const id = setInterval(() => {
      for (let i = 0; i < 100; i++) dispatchEvent(new MouseEvent("mousemove", { clientX: (n * 7 + i) % 800, clientY: i }));
      if (++n >= ${SECONDS * 20}) { clearInterval(id); done(); } }, 50); })`,
    );
    moves = SECONDS * 2000;
  } else {
    const until = Date.now() + SECONDS * 1000;
    while (Date.now() < until) {
      const x = 20 + Math.floor(Math.random() * 1200),
        y = 20 + Math.floor(Math.random() * 700);
      await page.mouse.move(x, y, { steps: 40 });
      moves += 40;
    }
  }
  await new Promise((ok) => setTimeout(ok, 1200)); // let the last window flush
  const [lt, flushes, sends, mine] = await page.evaluate(
    "[__lt, __flush, __send, __ours]",
  ) as [[number, number][], number[], number[], [number, number][]];
  const longTasks = lt.map(([, d]) => d);
  const ours =
    lt.filter(([s, d]) =>
      mine.some(([ms, md]) => ms >= s && ms + md <= s + d + 1)
    ).length;
  const posts = counter.posts - posts0;
  return {
    name,
    moves,
    longTasks,
    ours,
    flushes,
    sends,
    posts,
  } satisfies Result;
}

const counter = { posts: 0, bytes: 0 };
const { code } = await buildCollectorBundle();
const server = Deno.serve({
  port: 0,
  hostname: "127.0.0.1",
  onListen: () => {},
}, async (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/c.js") {
    return new Response(code, {
      headers: { "content-type": "text/javascript" },
    });
  }
  if (url.pathname === "/ingest" && url.search === "") {
    counter.posts++;
    counter.bytes += (await req.arrayBuffer()).byteLength;
    return Response.json({});
  }
  const collector = url.pathname !== "/plain";
  return new Response(html(collector, url.pathname === "/raw"), {
    headers: { "content-type": "text/html" },
  });
});
const base = `http://127.0.0.1:${server.addr.port}`;
const browser = await launchChromium();
const results: Result[] = [];
const fetchBaseline: Record<string, number[]> = {};
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  results.push(await runPhase(page, base, "baseline (no collector)", "/plain"));
  results.push(await runPhase(page, base, "collector data-raw=0", "/features"));
  results.push(await runPhase(page, base, "collector data-raw=1", "/raw"));
  results.push(
    await runPhase(page, base, "baseline, synthetic 2000/s", "/plain", true),
  );
  results.push(
    await runPhase(page, base, "collector, synthetic 2000/s", "/raw", true),
  );
  // Baseline for the send task: the synchronous cost of the page's own fetch of the same body sizes.
  await page.goto(`${base}/plain`);
  for (
    const [name, bytes] of [["1.5 KB", 1500], ["120 KB", 120_000]] as const
  ) {
    fetchBaseline[name] = await page.evaluate(`(async () => {
      const body = JSON.stringify({ a: "x".repeat(${bytes}) }), out = [];
      for (let i = 0; i < 6; i++) {
        const t = performance.now();
        fetch("/ingest?baseline", { method: "POST", credentials: "same-origin",
          headers: { "content-type": "application/json" }, body });
        out.push(performance.now() - t);
        await new Promise((ok) => setTimeout(ok, 100));
      }
      return out; })()`) as number[];
  }
} finally {
  await browser.close();
  await server.shutdown();
}

const fmt = (n: number) => Number.isFinite(n) ? n.toFixed(2) : "-";
const stats = (xs: number[]) =>
  xs.length === 0
    ? "-"
    : `max ${fmt(Math.max(...xs))} ms, mean ${
      fmt(xs.reduce((a, b) => a + b, 0) / xs.length)
    } ms, ` +
      `${xs.filter((x) => x > 5).length}/${xs.length} over 5 ms`;
console.log(
  `collector long-task bench, ${SECONDS} s per phase, Chromium ${CHROMIUM_PATH}`,
);
for (const r of results) {
  const baseline = r.name.includes("synthetic") ? results[3] : results[0];
  const ratio = (r.longTasks.length + 1) / (baseline.longTasks.length + 1);
  console.log(
    `${r.name}: ${r.moves} moves, ${r.posts} posts; long tasks ${r.longTasks.length} ` +
      `(${r.ours} containing a measured task) ` +
      `(max ${fmt(Math.max(0, ...r.longTasks))} ms; (n+1) ratio vs baseline ${
        fmt(ratio)
      }); ` +
      `flush ${stats(r.flushes)}; send task ${stats(r.sends)}\n    flushes ${
        r.flushes.map(fmt).join(" ")
      }`,
  );
}
for (const [name, xs] of Object.entries(fetchBaseline)) {
  console.log(
    `baseline: the page's own fetch() of a ${name} body: ${stats(xs)}`,
  );
}
const bytesPerPost = counter.bytes / Math.max(1, counter.posts);
console.log(
  `mean post body ${Math.round(bytesPerPost)} bytes over all collector phases`,
);
