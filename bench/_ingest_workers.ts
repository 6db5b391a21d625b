/**
 * bench/ingest.ts `--workers N`: the ingest (or the no-op route) served by N processes sharing
 * one port (bench/_ingest_server.ts), loaded by the same wrk, on the same PostgreSQL schema.
 *
 * @module
 */
import { PAGE_TOKENS, SECRET } from "./_ingest_server.ts";
import { wrkLoad } from "./_ingest_wrk.ts";

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

/** Serves `mode` on `workers` processes, loads them with wrk for `seconds`, stops them. */
export async function wrkWorkers(
  options: {
    workers: number;
    schema: string;
    mode: "buffered" | "durable" | "noop";
    seconds: number;
    concurrency: number;
    body: string;
  },
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
