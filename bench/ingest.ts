/**
 * Ingest benchmark: HTTP posts → cookie, rate limit, page token, strict validation, event decoding
 * and server-side feature extraction, page clock checks → write buffer → stored rows, on real
 * PostgreSQL (DATABASE_URL) and on PGlite (in memory). Prints windows/s end to end (first post to
 * last row stored) and request p50/p99, against a baseline measured in the same run: the raw
 * multi-row insert rate of the same database (store.insertWindows, 1,000 rows per statement).
 * Each store is measured with the buffered acknowledgement (the default) and with
 * INGEST_ACK=durable (the 200 waits for the commit), and the ratio of the two is printed; then
 * buffered again as a guard without the owner check ingests (no owner vectors computed).
 *
 * The posted windows are real: the human mouse windows of tests/fixtures (SapiMouse user 100),
 * encoded as the collector encodes them. The bench also prints their post sizes (median, p99) and
 * the server CPU per window of `parsePost` (decode + checks + features), in the same process.
 *
 * `deno run -A bench/ingest.ts [--windows 20000] [--concurrency 64] [--wrk SECONDS] [--workers N]`
 *
 * With `--wrk`, each run also prints its CPU per stored window: this process's (the guard's side;
 * with PGlite the database's too) and, for PostgreSQL on this machine, its backends' (bench/_cpu.ts),
 * and what one core would store at that cost. On a shared machine read those, not the rates.
 *
 * The default client is a Deno Worker using fetch; `--wrk 10` drives the load with wrk instead
 * (bench/ingest_wrk.lua), which costs the box far less per request. With `--wrk`, `--workers 2`
 * also serves the buffered ingest and the no-op route from 2 processes sharing the port
 * (bench/_ingest_workers.ts), on the same PostgreSQL schema, in the same run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { FEATURE_NAMES } from "../collector/mod.ts";
import { bodies, fixtureWindows, sizesAndCpu } from "./_ingest_posts.ts";
import type { FeatureVector } from "../collector/mod.ts";
import { PAGE_AGE_MS, wrkLoad } from "./_ingest_wrk.ts";
import { createWindowBuffer } from "../db/mod.ts";
import type { Store, WindowBuffer, WindowRow } from "../db/mod.ts";
import { createGuardSigner, GUARD_COOKIE } from "../middleware/session/mod.ts";
import {
  type Ack,
  benchBuffer,
  ingestApp,
  noopApp,
  PAGE_TOKENS,
  SECRET,
} from "./_ingest_server.ts";
import { runWorkers } from "./_ingest_workers.ts";
import { backendCpuUs, processCpuUs } from "./_cpu.ts";
import { reportResult } from "./_result.ts";
import { forEachBenchStore } from "./_stores.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    windows: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "64" },
    wrk: { type: "string" },
    workers: { type: "string", default: "1" },
  },
});
const N = Number(values.windows);
const C = Number(values.concurrency);

function features(i: number): FeatureVector {
  const f = {} as FeatureVector;
  FEATURE_NAMES.forEach((name, j) =>
    f[name] = j === 3 ? NaN : (i % 97) + j * 0.25
  );
  return f;
}

const WORKERS = Number(values.workers);
const WRK = { concurrency: C, secret: SECRET, pageTokens: PAGE_TOKENS };
async function baseline(store: Store, n: number): Promise<number> {
  const rows: WindowRow[] = Array.from({ length: n }, (_, i) => ({
    session: `base-${i % 500}`,
    seq: Math.floor(i / 500),
    t0: 0,
    t1: 1,
    nEvents: 40,
    features: features(i),
  }));
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    await store.insertWindows(rows.slice(i, i + 1000));
  }
  return n / ((performance.now() - t0) / 1000);
}

interface ClientResult {
  latencies: number[];
  failed: number;
  statuses: Record<number, number>;
}

/** The session id in a signed guard cookie header. */
function sessionOf(cookie: string): string {
  return cookie.slice(GUARD_COOKIE.length + 1).split(".")[0];
}

/** Posts `n` windows from the worker client to `url`, one session per concurrent client. */
async function load(url: string, n: number): Promise<ClientResult> {
  const signer = createGuardSigner(SECRET);
  const cookies = await Promise.all(Array.from({ length: C }, async () => {
    const id = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
    return `${GUARD_COOKIE}=${await signer.sign(id)}`;
  }));
  const pages = await Promise.all(
    cookies.map((c) =>
      PAGE_TOKENS.issue(sessionOf(c), Date.now() - PAGE_AGE_MS)
    ),
  );
  const worker = new Worker(new URL("./ingest_client.ts", import.meta.url), {
    type: "module",
  });
  const { promise, resolve } = Promise.withResolvers<ClientResult>();
  worker.onmessage = (e) => resolve(e.data);
  worker.postMessage({ url, n, cookies, pages, bodies: POSTS });
  const result = await promise;
  worker.terminate();
  if (result.failed > 0) console.log("statuses", result.statuses);
  return result;
}

/** Second baseline: the same client against a route that only answers `{"ok":true}`. */
async function noop(n: number): Promise<number> {
  const server = Deno.serve({ port: 0, onListen: () => {} }, noopApp().fetch);
  const t0 = performance.now();
  await load(`http://127.0.0.1:${server.addr.port}/__guard/ingest`, n);
  const rate = n / ((performance.now() - t0) / 1000);
  await server.shutdown();
  return rate;
}

/** One measured ingest run: windows/s stored end to end and request latency. */
type Measured = {
  rate: number;
  /** With --wrk: this process's CPU (the guard's side) and its PostgreSQL backends', per window. */
  cpuUs?: number;
  dbCpuUs?: number;
  p50: number;
  p99: number;
  failed: number;
  written: number;
};

async function wrkRun(
  store: Store,
  seconds: number,
  ack: Ack,
  schema?: string,
): Promise<Measured> {
  const url = Deno.env.get("DATABASE_URL");
  const db0 = schema ? await backendCpuUs(url, schema) : 0;
  const buffer = benchBuffer(store);
  const server = serveIngest(store, buffer, ack);
  const cpu0 = processCpuUs();
  const t0 = performance.now();
  const w = await wrkLoad(
    `http://127.0.0.1:${server.addr.port}/__guard/ingest`,
    seconds,
    { ...WRK, body: POSTS[1] },
  );
  await buffer.flush();
  const written = buffer.stats().written;
  const cpu = processCpuUs() - cpu0;
  const db = schema ? await backendCpuUs(url, schema) - db0 : 0;
  await server.shutdown();
  await buffer.close();
  return {
    rate: written / ((performance.now() - t0) / 1000),
    cpuUs: cpu / written,
    dbCpuUs: db / written,
    p50: w.p50,
    p99: w.p99,
    failed: w.non2xx,
    written,
  };
}

/** The ingest route as the guard mounts it, on a free port. */
function serveIngest(
  store: Store,
  buffer: WindowBuffer,
  ack: Ack,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { port: 0, onListen: () => {} },
    ingestApp(store, buffer, ack).fetch,
  );
}

async function wrkNoop(seconds: number): Promise<number> {
  const server = Deno.serve({ port: 0, onListen: () => {} }, noopApp().fetch);
  const w = await wrkLoad(
    `http://127.0.0.1:${server.addr.port}/__guard/ingest`,
    seconds,
    { ...WRK, body: POSTS[1] },
  );
  await server.shutdown();
  return w.requests / seconds;
}

async function http(store: Store, n: number, ack: Ack): Promise<Measured> {
  const buffer = createWindowBuffer(store, { max: 1_000_000, flushMs: 50 });
  const server = serveIngest(store, buffer, ack);
  const t0 = performance.now();
  const { latencies, failed } = await load(
    `http://127.0.0.1:${server.addr.port}/__guard/ingest`,
    n,
  );
  await buffer.flush();
  const stored = performance.now();
  await server.shutdown();
  await buffer.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    rate: n / ((stored - t0) / 1000),
    p50: pct(0.5),
    p99: pct(0.99),
    failed,
    written: buffer.stats().written,
  };
}

/**
 * CPU per stored window, and what one core would store at that cost: on a shared machine the rate
 * follows the neighbours' load, the CPU per window much less.
 */
function cpuLine(h: Measured): string {
  if (h.cpuUs === undefined) return "";
  const total = h.cpuUs + (Number.isNaN(h.dbCpuUs) ? 0 : h.dbCpuUs!);
  return `; CPU per window: this process ${
    h.cpuUs.toFixed(0)
  } µs, database backends ${
    Number.isNaN(h.dbCpuUs)
      ? "not on this machine"
      : `${h.dbCpuUs!.toFixed(0)} µs`
  } ⇒ ${(1e6 / total).toFixed(0)} windows/s per core`;
}

/**
 * The raw insert baseline, then the HTTP ingest with the buffered default and with
 * INGEST_ACK=durable, in the same run on the same store; prints both and their ratio.
 */
async function run(
  name: string,
  store: Store,
  n: number,
  http0: number,
  measure: (ack: Ack) => Promise<Measured>,
): Promise<{ base: number; buffered: number }> {
  const base = await baseline(store, wrkSeconds > 0 ? 20_000 : n);
  const r = (x: number) => x.toFixed(0);
  const ms = (x: number) => x.toFixed(2);
  console.log(`${name}: raw multi-row insert ${r(base)} windows/s`);
  const rates: Record<string, number> = {};
  for (const ack of ["buffered", "durable", "buffered-no-owner"] as const) {
    const h = await measure(ack);
    rates[ack] = h.rate;
    console.log(
      `${name} ${ack} ack${wrkSeconds > 0 ? " (wrk)" : ""}: HTTP ingest ${
        r(h.rate)
      } windows/s stored = ${(h.rate / base).toFixed(3)}x raw insert, ${
        (h.rate / http0).toFixed(3)
      }x no-op HTTP; p50 ${ms(h.p50)} ms, p99 ${ms(h.p99)} ms; ` +
        `non-200 ${h.failed}, written ${h.written}` + cpuLine(h),
    );
    reportResult({
      bench: "ingest",
      name: `${name}/${ack}`,
      values: {
        stored_windows_per_s: h.rate,
        raw_insert_windows_per_s: base,
        noop_http_posts_per_s: http0,
        p50_ms: h.p50,
        p99_ms: h.p99,
        non_200: h.failed,
        ...(h.cpuUs === undefined ? {} : {
          guard_cpu_us_per_window: h.cpuUs,
          db_cpu_us_per_window: h.dbCpuUs!,
        }),
      },
      baseline: "raw multi-row insert windows/s",
      ratio: h.rate / base,
    });
  }
  console.log(
    `${name}: durable / buffered = ${
      (rates.durable / rates.buffered).toFixed(3)
    }`,
  );
  return { base, buffered: rates.buffered };
}

console.log(
  `ingest bench: ${N} windows, ${C} concurrent clients, ${FEATURE_NAMES.length} features`,
);
const POSTS = bodies(await fixtureWindows());
sizesAndCpu(POSTS);
const wrkSeconds = values.wrk === undefined ? 0 : Number(values.wrk);
const http0 = wrkSeconds > 0 ? await wrkNoop(wrkSeconds) : await noop(N);
console.log(`no-op HTTP route (same client): ${http0.toFixed(0)} posts/s`);
const runOne = (name: string, store: Store, n: number, schema?: string) =>
  run(
    name,
    store,
    n,
    http0,
    (ack) =>
      wrkSeconds > 0
        ? wrkRun(store, wrkSeconds, ack, schema)
        : http(store, n, ack),
  );
await forEachBenchStore(async ({ name, store, schema }) => {
  if (schema === undefined) {
    await runOne(name, store, Math.min(N, 5000));
    return;
  }
  const one = await runOne(name, store, N, schema);
  if (WORKERS > 1 && wrkSeconds > 0) {
    await runWorkers(
      {
        workers: WORKERS,
        schema,
        seconds: wrkSeconds,
        concurrency: C,
        body: POSTS[1],
      },
      one.base,
      one.buffered,
    );
  }
});
