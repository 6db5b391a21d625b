/**
 * bench/ingest.ts `--workers N`: the ingest (or the no-op route) served by N processes sharing
 * one port (bench/_ingest_server.ts), loaded by the same wrk, on the same PostgreSQL schema, and
 * the report of that run against the one-process run ({@link runWorkers}).
 *
 * @module
 */
import { PAGE_TOKENS, SECRET } from "./_ingest_server.ts";
import { wrkLoad } from "./_ingest_wrk.ts";
import { reportResult } from "./_result.ts";

/** What one multi-process run measured. */
export interface WorkersRun {
  /** Windows stored per second, first request to last row committed (0 for the no-op route). */
  rate: number;
  /** Requests answered per second. */
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  written: number;
}

/** Reads a child's stdout line by line. */
function lines(stream: ReadableStream<Uint8Array>) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return async function next(): Promise<string | null> {
    while (!buffered.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) return null;
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
}

/** Options of {@link wrkWorkers}. */
export interface WorkersOptions {
  workers: number;
  schema: string;
  mode: "buffered" | "durable" | "noop";
  seconds: number;
  concurrency: number;
  body: string;
}

/** Serves `mode` on `workers` processes, loads them with wrk for `seconds`, stops them. */
export async function wrkWorkers(
  options: WorkersOptions,
): Promise<WorkersRun> {
  const probe = Deno.listen({ port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const script = new URL("./_ingest_server.ts", import.meta.url).pathname;
  const children = Array.from(
    { length: options.workers },
    () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--unstable-net",
          script,
          String(port),
          options.schema,
          options.mode,
        ],
        stdout: "piped",
      }).spawn(),
  );
  const readers = children.map((c) => lines(c.stdout));
  for (const next of readers) {
    if (await next() !== "ready") throw new Error("An ingest worker failed");
  }
  const t0 = performance.now();
  const w = await wrkLoad(
    `http://127.0.0.1:${port}/__guard/ingest`,
    options.seconds,
    {
      concurrency: options.concurrency,
      secret: SECRET,
      pageTokens: PAGE_TOKENS,
      body: options.body,
    },
  );
  for (const child of children) child.kill("SIGTERM");
  let written = 0;
  for (const next of readers) {
    const line = await next();
    written += Number(line?.match(/^written (\d+)$/)?.[1] ?? NaN);
  }
  await Promise.all(children.map((c) => c.status));
  return {
    rate: written / ((performance.now() - t0) / 1000),
    rps: w.requests / options.seconds,
    p50: w.p50,
    p99: w.p99,
    failed: w.non2xx,
    written,
  };
}

/**
 * `--workers N` (with --wrk, PostgreSQL): the buffered ingest and the no-op route each served by
 * N processes on one port, same wrk, same run; against the raw insert, the no-op route on N
 * processes and the one-process ingest.
 */
export async function runWorkers(
  common: Omit<WorkersOptions, "mode">,
  base: number,
  oneWorker: number,
) {
  const WORKERS = common.workers;
  const noopN = await wrkWorkers({ ...common, mode: "noop" });
  const h = await wrkWorkers({ ...common, mode: "buffered" });
  const name = `postgres buffered ack, ${WORKERS} workers (wrk)`;
  console.log(
    `${name}: HTTP ingest ${h.rate.toFixed(0)} windows/s stored = ${
      (h.rate / base).toFixed(3)
    }x raw insert, ${
      (h.rate / noopN.rps).toFixed(3)
    }x no-op HTTP on ${WORKERS} workers (${noopN.rps.toFixed(0)} posts/s), ${
      (h.rate / oneWorker).toFixed(3)
    }x 1 worker; p50 ${h.p50.toFixed(2)} ms, p99 ${
      h.p99.toFixed(2)
    } ms; non-200 ${h.failed}, written ${h.written}`,
  );
  reportResult({
    bench: "ingest",
    name: `postgres/buffered/${WORKERS}_workers`,
    values: {
      stored_windows_per_s: h.rate,
      raw_insert_windows_per_s: base,
      noop_http_posts_per_s: noopN.rps,
      one_worker_windows_per_s: oneWorker,
      p50_ms: h.p50,
      p99_ms: h.p99,
      non_200: h.failed,
    },
    baseline: "raw multi-row insert windows/s",
    ratio: h.rate / base,
  });
}
