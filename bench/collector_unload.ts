/**
 * The collector's unload flush, timed in Chromium with no DevTools attached.
 *
 * bench/collector_longtask.ts traces through puppeteer, and a DevTools session changes what it
 * measures at unload: during the navigation it sends the page protocol messages, which the main
 * thread handles in V8 interrupts inside whatever JS is running, and the pagehide flush shows
 * tens of ms of wall time for a few ms of CPU. Here Chromium is started on a URL, with no protocol
 * session, and the page times the collector itself: a pagehide (and visibilitychange) listener
 * registered before the collector's and one registered after it, on the same target and phase,
 * so the listeners run in that order and the gap between them is the collector's listener.
 *
 * Each page feeds the collector untrusted mousemoves for `--seconds` (60/s, a pointer's rate, or
 * 2000/s, past the 1000-event cap), then navigates to the next page, `--pages` times per mode,
 * with the collector (raw events, format v2). The reference is the same page with the page's own pagehide handler sending
 * a 1.5 KB analytics beacon instead of the collector: the common unload pattern.
 *
 * Usage: deno run -A bench/collector_unload.ts [--pages 20] [--seconds 2.5] [--pin]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../sim/browsers/chromium.ts";
import { serveBenchSite } from "./_page_server.ts";
import { pinRendererMain, pinSelf, rendererOnCore } from "./_pin.ts";
import { describeDurations } from "./_trace.ts";
import { reportResult } from "./_result.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    pages: { type: "string", default: "20" },
    seconds: { type: "string", default: "2.5" },
    pin: { type: "boolean", default: false },
  },
});
const PAGES = Number(values.pages);
const SECONDS = Number(values.seconds);

interface Mode {
  name: string;
  /** The collector (raw events, v2) or "ref": the page's own 1.5 KB beacon. */
  subject: "collector" | "ref";
  perSecond: number;
}
const MODES: readonly Mode[] = [
  {
    name: "reference: page's own 1.5 KB beacon",
    subject: "ref",
    perSecond: 60,
  },
  { name: "collector, 60 moves/s", subject: "collector", perSecond: 60 },
  { name: "collector, 2000 moves/s", subject: "collector", perSecond: 2000 },
];

/** Page `i` of mode `m`: the timing listeners around the collector (or the reference handler). */
function page(m: number, i: number): string {
  const mode = MODES[m];
  const next = i + 1 < PAGES
    ? `/p/${m}/${i + 1}`
    : m + 1 < MODES.length
    ? `/p/${m + 1}/0`
    : "/done";
  const unit = `{ capture: true }`;
  const subject = mode.subject === "ref"
    ? `<script>const body = JSON.stringify({ a: "x".repeat(1500) });
addEventListener("pagehide", () => navigator.sendBeacon("/ingest", body), ${unit});</script>`
    : `<script src="/c.js" data-ingest="/ingest" data-page="bench" async></script>`;
  return `<!doctype html><html><head><script>
let hide0 = 0, vis0 = 0;
addEventListener("pagehide", () => { hide0 = performance.now(); }, ${unit});
document.addEventListener("visibilitychange", () => { vis0 = performance.now(); });
const report = (what, ms) => navigator.sendBeacon("/result?m=${m}&what=" + what + "&ms=" + ms.toFixed(2), "");
</script>${subject}<script>
addEventListener("load", () => setTimeout(() => {
  addEventListener("pagehide", () => report("pagehide", performance.now() - hide0), ${unit});
  document.addEventListener("visibilitychange", () => vis0 && report("visibilitychange", performance.now() - vis0));
  const perTick = Math.max(1, Math.round(${mode.perSecond} / 50));
  let n = 0;
  const id = setInterval(() => {
    for (let k = 0; k < perTick; k++, n++) {
      dispatchEvent(new MouseEvent("mousemove", { clientX: 100 + (n * 7) % 600, clientY: 100 + (n * 3) % 400 }));
    }
  }, 20);
  setTimeout(() => { clearInterval(id); location.href = "${next}"; }, ${
    SECONDS * 1000
  });
}, 200));
</script></head><body><p>unload bench</p></body></html>`;
}

const results = MODES.map(() => ({
  pagehide: [] as number[],
  visibilitychange: [] as number[],
}));
let finish: () => void;
const finished = new Promise<void>((ok) => finish = ok);
const server = await serveBenchSite(async (req, url) => {
  if (req.method === "POST") await req.arrayBuffer();
  if (url.pathname === "/result") {
    const what = url.searchParams.get("what") as
      | "pagehide"
      | "visibilitychange";
    results[Number(url.searchParams.get("m"))][what].push(
      Number(url.searchParams.get("ms")),
    );
    return new Response(null, { status: 204 });
  }
  if (url.pathname === "/ingest") return Response.json({});
  if (url.pathname === "/done") {
    // The last page's beacons may still be on their way: wait for them (5 s at most).
    const complete = () => results.every((r) => r.pagehide.length >= PAGES);
    const deadline = Date.now() + 5000;
    const id = setInterval(() => {
      if (!complete() && Date.now() < deadline) return;
      clearInterval(id);
      finish();
    }, 100);
  }
  const [, , m, i] = url.pathname.split("/");
  const html = url.pathname === "/done"
    ? "done"
    : page(Number(m ?? 0), Number(i ?? 0));
  return new Response(html, { headers: { "content-type": "text/html" } });
});

if (values.pin) await pinSelf(0);
const profile = await Deno.makeTempDir({ prefix: "guard_unload_" });
const chromium = new Deno.Command(CHROMIUM_PATH, {
  args: [
    ...CHROMIUM_ARGS,
    `--user-data-dir=${profile}`,
    ...(values.pin ? [rendererOnCore(1)] : []),
    `${server.base}/p/0/0`,
  ],
  stdout: "null",
  stderr: "null",
}).spawn();
const repin = values.pin
  ? setInterval(() => pinRendererMain(chromium.pid, 1, 0), 1000)
  : 0;
const limit = setTimeout(
  () => finish(),
  (MODES.length * PAGES * (SECONDS + 2) + 30) * 1000,
);
await finished;
clearTimeout(limit);
clearInterval(repin);
chromium.kill();
await chromium.status;
await server.shutdown();
await Deno.remove(profile, { recursive: true }).catch(() => {});

console.log(
  `collector unload bench (no DevTools): ${PAGES} pages × ${SECONDS} s per mode, ${
    values.pin ? "renderer main thread alone on core 1" : "unpinned"
  }, Chromium ${CHROMIUM_PATH}; wall time of the listener between the two timing listeners`,
);
const ref = results[0].pagehide.toSorted((a, b) => a - b);
const median = (xs: number[]) =>
  xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [m, mode] of MODES.entries()) {
  const r = results[m];
  const ratio = ref.length && r.pagehide.length
    ? median(r.pagehide) / Math.max(0.1, median(ref))
    : NaN;
  console.log(
    `${mode.name}:\n  pagehide         ${
      describeDurations(r.pagehide)
    }, median ${r.pagehide.length ? median(r.pagehide).toFixed(2) : "-"} ms (${
      ratio.toFixed(2)
    }× the reference median)\n  visibilitychange ${
      describeDurations(r.visibilitychange)
    }`,
  );
  if (r.pagehide.length) {
    reportResult({
      bench: "collector_unload",
      name: mode.name,
      values: { pagehide_median_ms: median(r.pagehide) },
      baseline: "the page's own beacon, pagehide median ms",
      ratio,
    });
  }
}
const missing = MODES.filter((_, m) => results[m].pagehide.length < PAGES);
if (missing.length > 0) {
  console.error(
    `incomplete: ${
      missing.map((m) => m.name).join("; ")
    } reported fewer than ${PAGES} unloads (did Chromium start?)`,
  );
  Deno.exit(1);
}
