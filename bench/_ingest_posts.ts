/**
 * The posts of bench/ingest.ts: the committed human fixture's windows, encoded as the collector
 * encodes them, and their sizes and server CPU (parsePost) measured in-process.
 *
 * @module
 */
import {
  encodeEvents,
  extractActionVectors,
  extractOwnerEvidence,
  extractOwnerFeatures,
  parsePost,
  readJsonl,
  type WindowEvent,
  windowEvents,
} from "../collector/mod.ts";

const FIXTURE = new URL(
  "../tests/fixtures/human_sapimouse_user100.jsonl",
  import.meta.url,
);

/** The fixture's windows, each re-based to start at 0 (the client shifts them to its own t0). */
export async function fixtureWindows(): Promise<WindowEvent[][]> {
  const events = await readJsonl(FIXTURE.pathname);
  return windowEvents(events, { windowMs: 5000 }).map((w) => {
    const t0 = w[0].t;
    const meta: WindowEvent = { t: 0, kind: "meta", webdriver: false };
    return [meta, ...w.map(({ session: _, ...e }) => ({ ...e, t: e.t - t0 }))];
  });
}

/**
 * Post bodies with `"seq":0`, `"page":"PAGE"` and `"t0":0,"t1":4999`, which the client replaces
 * with its own seq, its session's page token and a window that follows its previous one.
 */
export function bodies(windows: WindowEvent[][]): string[] {
  return windows.map((w) =>
    JSON.stringify({
      v: 2,
      seq: 0,
      page: "PAGE",
      t0: 0,
      t1: 4999,
      vw: 1920,
      vh: 1080,
      e: encodeEvents(w, 0),
    })
  );
}

/** Post sizes of the realistic windows and the server's CPU per window (parsePost). */
export function sizesAndCpu(posts: string[]): void {
  const sizes = posts.map((b) => b.length).sort((a, b) => a - b);
  const at = (p: number) =>
    sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))];
  const parsed = posts.map((b) => JSON.parse(b));
  for (let i = 0; i < 200; i++) {
    parsePost(parsed[i % parsed.length], { windowMs: 5000 });
  }
  const runs = 5000;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    parsePost(parsed[i % parsed.length], { windowMs: 5000 });
  }
  const us = (performance.now() - t0) * 1000 / runs;
  const decoded = parsed.map((p) => parsePost(p, { windowMs: 5000 }))
    .map((r) => r.ok ? r.events : []);
  const events = decoded.map((e) => e.length);
  // The owner check's vectors, as ingest computes them in one reading of the actions, against
  // the two separate readings (features, then action vectors) in the same process.
  const time = (f: (e: WindowEvent[]) => unknown) => {
    for (let i = 0; i < 200; i++) f(decoded[i % decoded.length]);
    const t = performance.now();
    for (let i = 0; i < runs; i++) f(decoded[i % decoded.length]);
    return (performance.now() - t) * 1000 / runs;
  };
  const twice = time((e) => [extractOwnerFeatures(e), extractActionVectors(e)]);
  const once = time((e) => extractOwnerEvidence(e));
  console.log(
    `posts: ${posts.length} real human windows, ${Math.min(...events)}–${
      Math.max(...events)
    } events; ` +
      `size median ${at(0.5)} B, p99 ${at(0.99)} B; ` +
      `server CPU per window (decode + checks + features) ${
        us.toFixed(1)
      } µs; ` +
      `owner features + action vectors ${once.toFixed(1)} µs (read twice ${
        twice.toFixed(1)
      } µs, ${(once / twice).toFixed(2)}x)`,
  );
}
