/**
 * Does the collector cause long tasks? Real Chromium (puppeteer-core), traced.
 *
 * Each phase loads a fresh page and drives it for `--seconds` while Chromium's tracing records
 * every main-thread task (bench/_trace.ts): mouse movement, clicks, wheel scrolling and typing
 * (realistic), or 2000 synthetic moves per second, past the collector's per-window cap of 1000
 * (saturated).
 *   baseline   — the page without the collector, posting 1.5 KB itself every second;
 *   collector  — with the collector (data-window=`--window`, 5000 like the guard's default), which
 *                posts every window's raw events delta-coded (format v2, collector/codec.ts), up
 *                to and including its pagehide flush.
 * For every phase it prints all tasks of the page, the tasks that ran collector code (whole task),
 * and the collector's own time in them, each as max, p99 and how many exceed the 5 ms budget, in
 * wall time and in the thread's CPU time (on a busy box, preemption inflates wall time), and the
 * three tasks with the most collector CPU time and wall time; once from page load until the page
 * starts leaving (a `performance.mark`), once for leaving. While the page leaves, DevTools sends
 * it protocol messages that the main thread handles in V8 interrupts inside the running listener,
 * so the pagehide flush shows tens of ms of wall time for a few ms of CPU here:
 * bench/collector_unload.ts times it with no DevTools attached. Puppeteer's network monitoring is
 * off (it records every request's body and initiator stack inside the page's fetch). `--rounds`
 * repeats the phases so that the maximum is over many windows.
 *
 * `--pin` (Linux, 2+ cores) gives the page's renderer main thread core 1 to itself and puts the
 * rest on core 0 (bench/_pin.ts): wall times then measure the page, not the box's contention.
 *
 * Usage: deno run -A bench/collector_longtask.ts [--seconds 11] [--window 5000] [--rounds 3] [--pin]
 */
import { parseArgs } from "node:util";
import type { Page } from "puppeteer-core";
import { CHROMIUM_PATH, launchChromium } from "../sim/browsers/chromium.ts";
import { serveBenchSite } from "./_page_server.ts";
import { pinRendererMain, pinSelf, rendererOnCore } from "./_pin.ts";
import { reportResult } from "./_result.ts";
import {
  describeDurations,
  durationStats,
  summariseTrace,
  type TaskSummary,
  topTasks,
  TRACE_CATEGORIES,
} from "./_trace.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "11" },
    window: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
    pin: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const WINDOW_MS = Number(values.window);
const ROUNDS = Number(values.rounds);

/** Without the collector, the page itself posts a 1.5 KB body every second. */
const PAGE_FETCH = `<script>
const body = JSON.stringify({ a: "x".repeat(1500) });
setInterval(() => fetch("/ingest?baseline", { method: "POST", keepalive: true,
  credentials: "same-origin", headers: { "content-type": "application/json" }, body }), 1000);
</script>`;

function html(collector: boolean): string {
  const tag = collector
    ? `<script src="/c.js" data-ingest="/ingest" data-window="${WINDOW_MS}" data-page="bench" async></script>`
    : PAGE_FETCH;
  return `<!doctype html><html><head>${tag}</head><body style="height:3000px">` +
    `<p>bench</p><input id="f" style="position:absolute;left:300px;top:300px"></body></html>`;
}

interface Phase {
  name: string;
  path: string;
  saturate: boolean;
}

const PHASES: readonly Phase[] = [
  { name: "baseline (no collector)", path: "/plain", saturate: false },
  { name: "collector (raw events, v2)", path: "/collector", saturate: false },
  { name: "baseline, synthetic 2000/s", path: "/plain", saturate: true },
  {
    name: "collector (raw events, v2), synthetic 2000/s",
    path: "/collector",
    saturate: true,
  },
];

/** A phase's tasks from page load until leaving, and while leaving (pagehide, visibilitychange). */
interface Result {
  events: number;
  stay: TaskSummary;
  leave: TaskSummary;
}

/** Marked in the page just before it navigates away: splits stay from leave in the trace. */
const LEAVE_MARK = "guard-bench-leave";

/** Realistic input: strokes, clicks, a wheel turn, a typed word, in a loop. */
async function drive(page: Page, seconds: number): Promise<number> {
  let events = 0, i = 0;
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const x = 20 + (i * 397) % 1200, y = 20 + (i * 211) % 700;
    await page.mouse.move(x, y, { steps: 40 });
    events += 40;
    if (i % 3 === 0) {
      await page.mouse.click(x, y);
      events += 2;
    }
    if (i % 4 === 1) {
      await page.mouse.wheel({ deltaY: 120 });
      events += 2;
    }
    if (i % 5 === 2) {
      await page.click("#f");
      await page.keyboard.type("hello", { delay: 40 });
      events += 12;
    }
    i++;
  }
  return events;
}

async function saturate(page: Page, seconds: number): Promise<number> {
  await page.evaluate(
    `new Promise((done) => { let n = 0; const id = setInterval(() => {
      for (let i = 0; i < 100; i++) dispatchEvent(new MouseEvent("mousemove", { clientX: (n * 7 + i) % 800, clientY: i }));
      if (++n >= ${seconds * 20}) { clearInterval(id); done(); } }, 50); })`,
  );
  return seconds * 2000;
}

async function runPhase(page: Page, base: string, phase: Phase) {
  await page.goto("about:blank");
  await pin();
  await page.tracing.start({ categories: [...TRACE_CATEGORIES] });
  await page.goto(`${base}${phase.path}`);
  await pin();
  const repin = setInterval(pin, 1000);
  await new Promise((ok) => setTimeout(ok, 300));
  const events = phase.saturate
    ? await saturate(page, SECONDS)
    : await drive(page, SECONDS);
  await new Promise((ok) => setTimeout(ok, 1200)); // let the last window flush and send
  clearInterval(repin);
  await page.evaluate(`performance.mark("${LEAVE_MARK}")`);
  await page.goto("about:blank"); // pagehide: the beacon flush is in the trace too
  const trace = (await page.tracing.stop())!;
  const part = (side: "before" | "after") =>
    summariseTrace(trace, "/c.js", { mark: LEAVE_MARK, side });
  return { events, stay: part("before"), leave: part("after") };
}

/** Appends `more` to `into`: durations and the worst-task notes. */
function merge(into: TaskSummary, more: TaskSummary): void {
  for (const key of Object.keys(into) as (keyof TaskSummary)[]) {
    (into[key] as unknown[]).push(...more[key]);
  }
}

const counter = { posts: 0, bytes: 0 };
const server = await serveBenchSite(async (req, url) => {
  if (url.pathname === "/ingest") {
    const bytes = (await req.arrayBuffer()).byteLength;
    if (url.search === "") {
      counter.posts++;
      counter.bytes += bytes;
    }
    return Response.json({});
  }
  return new Response(
    html(url.pathname !== "/plain"),
    { headers: { "content-type": "text/html" } },
  );
});
const base = server.base;
if (values.pin) await pinSelf(0);
// DevTools' network monitoring would add its own work to every fetch of the page (sim/browsers/chromium.ts).
const browser = await launchChromium({
  network: false,
  args: values.pin ? [rendererOnCore(1)] : [],
});
const browserPid = browser.process()?.pid;
/** With --pin, keeps the renderer's main thread alone on core 1 (see bench/_pin.ts). */
async function pin(): Promise<void> {
  if (values.pin && browserPid) await pinRendererMain(browserPid, 1, 0);
}
const results = new Map<string, Result>();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  for (let round = 0; round < ROUNDS; round++) {
    for (const phase of PHASES) {
      const r = await runPhase(page, base, phase);
      const sum = results.get(phase.name);
      if (!sum) results.set(phase.name, r);
      else {
        sum.events += r.events;
        merge(sum.stay, r.stay);
        merge(sum.leave, r.leave);
      }
    }
  }
} finally {
  await browser.close();
  await server.shutdown();
}

console.log(
  `collector long-task bench: ${ROUNDS} rounds × ${SECONDS} s per phase, ` +
    `data-window=${WINDOW_MS}, ${
      values.pin ? "renderer main thread alone on core 1" : "unpinned"
    }, ` +
    `Chromium ${CHROMIUM_PATH}, budget 5 ms per task`,
);
/** One measure as wall time and as the thread's CPU time (what preemption on a busy box adds). */
function line(what: string, wall: number[], cpu: number[]): string {
  return `    ${what}:\n      wall ${describeDurations(wall)}\n      cpu  ${
    describeDurations(cpu)
  }\n`;
}
function worst(r: TaskSummary): string {
  return (["cpu", "wall"] as const).map((by) =>
    topTasks(r.worst, by).map((w) => `    worst by ${by}: ${w}\n`).join("")
  ).join("");
}
function part(title: string, r: TaskSummary): string {
  return `  ${title}\n` +
    line("all tasks of the page", r.tasks, r.tasksCpu) +
    line(
      "tasks running collector code",
      r.collectorTasks,
      r.collectorTasksCpu,
    ) +
    line("collector's own time in them", r.collectorTime, r.collectorCpu) +
    `      cpu without GC ${describeDurations(r.collectorCpuNoGc)}\n` +
    worst(r);
}
for (const [name, r] of results) {
  console.log(
    `${name}: ${r.events} input events\n` +
      part("from page load until leaving:", r.stay) +
      part(
        "leaving (pagehide, visibilitychange; DevTools attached, wall: see bench/collector_unload.ts):",
        r.leave,
      ),
  );
}
console.log(
  `mean post body ${
    Math.round(counter.bytes / Math.max(1, counter.posts))
  } bytes over ${counter.posts} collector posts`,
);

/**
 * One result per collector phase: the collector's CPU per task (max, p99, tasks over 5 ms) from
 * load until leaving and while leaving, against the page's own work in the same run: the longest
 * task CPU of the page without the collector (its baseline phase, same input).
 */
for (const [name, r] of results) {
  if (!name.startsWith("collector")) continue;
  const baseName = name.endsWith("synthetic 2000/s")
    ? "baseline, synthetic 2000/s"
    : "baseline (no collector)";
  const page = durationStats(results.get(baseName)?.stay.tasksCpu ?? []);
  const stay = durationStats(r.stay.collectorCpu);
  const leave = durationStats(r.leave.collectorCpu);
  const values: Record<string, number> = {
    input_events: r.events,
    page_task_cpu_max_ms_baseline: page?.max ?? NaN,
    page_task_cpu_p99_ms_baseline: page?.p99 ?? NaN,
  };
  if (stay) {
    values.collector_cpu_max_ms = stay.max;
    values.collector_cpu_p99_ms = stay.p99;
    values.collector_tasks_over_5ms = stay.over;
  }
  if (leave) {
    values.collector_leave_cpu_max_ms = leave.max;
    values.collector_leave_cpu_p99_ms = leave.p99;
  }
  reportResult({
    bench: "collector_longtask",
    name,
    values,
    baseline:
      `longest task CPU of the page without the collector (${baseName})`,
    ...(stay && page ? { ratio: stay.max / page.max } : {}),
  });
}
