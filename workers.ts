/**
 * `WORKERS=N`: the guard on N processes sharing one port. main.ts then only supervises: it starts
 * N copies of itself (`GUARD_WORKER=1…N`), each a whole guard (own accept loop, deadlines and
 * connection cap, own caches) listening with `SO_REUSEPORT`, so the kernel spreads new
 * connections over them. They share state exactly as separate instances do, through PostgreSQL
 * (README "Several instances"; WORKERS > 1 requires DATABASE_URL), and one GUARD_SECRET (the
 * supervisor's, or a random one it hands to all). `MAX_CONNECTIONS` holds per worker.
 *
 * Why processes and not `deno serve --parallel`: that serves `Deno.serve` handlers, without the
 * guard's own accept loop (edge/accept.ts); and not Web Workers: each worker would still need its
 * own store, model and timers, i.e. be a process in all but name, with a shared fault domain.
 * `Deno.listen({ reusePort })` is unstable in Deno 2, hence `--unstable-net` on the workers only.
 *
 * The supervisor prints its "Guard listening" line once every worker listens; SIGTERM/SIGINT are
 * passed on and it exits when all have drained. A worker that exits on its own takes the others
 * down (exit 1), so the service manager restarts the whole guard rather than running short.
 *
 * @module
 */
import type { Config } from "./config.ts";
import { log } from "./log.ts";

/** The permissions of deno.json's start task (less --allow-run: workers spawn nothing). */
const WORKER_FLAGS = [
  "--unstable-net",
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys",
];

const LISTENING = /Guard worker \d+ listening on http:\/\/[^\s]+:(\d+)/;

/**
 * Starts `config.WORKERS` guard processes on one port and supervises them until a signal.
 *
 * @param config the validated configuration (WORKERS > 1, GUARD_WORKER unset)
 * @param secret the GUARD_SECRET every worker must share
 */
export async function superviseWorkers(
  config: Config,
  secret: string,
): Promise<void> {
  const children: Deno.ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await Promise.allSettled(children.map((c) => c.status));
    Deno.exit(code);
  };
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => void stopAll(0));
  }
  let port = config.PORT;
  for (let n = 1; n <= config.WORKERS; n++) {
    // "deno" by name: the start task allows running exactly that (--allow-run=deno).
    const child = new Deno.Command("deno", {
      args: ["run", ...WORKER_FLAGS, new URL(Deno.mainModule).pathname],
      env: {
        GUARD_WORKER: String(n),
        GUARD_SECRET: secret,
        PORT: String(port),
      },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    children.push(child);
    child.status.then((status) => {
      if (stopping) return;
      log("error", "guard worker exited: stopping the others", {
        worker: n,
        code: status.code,
      });
      void stopAll(1);
    });
    // The first worker binds PORT (0: a free one); the others join the port it got.
    port = await forwardUntilListening(child.stdout);
  }
  const local = `http://localhost:${port}`;
  console.log(
    `Guard listening on ${local} → upstream ${config.UPSTREAM_URL} (${config.WORKERS} workers)  Open ${local}/`,
  );
}

/** Copies a worker's stdout to ours; resolves with its port once it says it listens. */
function forwardUntilListening(
  stdout: ReadableStream<Uint8Array>,
): Promise<number> {
  const { promise, resolve, reject } = Promise.withResolvers<number>();
  let seen = "";
  let found = false;
  (async () => {
    for await (const text of stdout.pipeThrough(new TextDecoderStream())) {
      await Deno.stdout.write(new TextEncoder().encode(text));
      if (found) continue;
      seen = (seen + text).slice(-4096);
      const match = seen.match(LISTENING);
      if (match !== null) {
        found = true;
        resolve(Number(match[1]));
      }
    }
    reject(new Error("A guard worker exited before listening"));
  })().catch(reject);
  return promise;
}
