/**
 * The guard as operators run it, for tools that record through it: main.ts in a subprocess with
 * the permissions of deno.json's start task, configured only through its environment.
 *
 * ```ts
 * import { startGuardProcess } from "./guard_process.ts";
 * const guard = await startGuardProcess({ UPSTREAM_URL: "http://127.0.0.1:8000", MODE: "monitor" });
 * await fetch(`${guard.url}/`);
 * await guard.stop(); // SIGTERM: the guard flushes its write buffer and closes its store
 * ```
 *
 * @module
 */

/** A running guard subprocess. */
export interface GuardProcess {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Sends SIGTERM and waits for a clean exit; rejects with the guard's output otherwise. */
  stop(): Promise<void>;
}

/** Options of {@link startGuardProcess}. */
export interface GuardProcessOptions {
  /** How long to wait for the "Guard listening" line (default 60 s: PGlite's first start). */
  timeoutMs?: number;
}

/** The parent's tool paths and caches only: never its DATABASE_URL, UPSTREAM_URL or PORT. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Keeps the last part of the guard's output for error messages. */
const OUTPUT_TAIL = 4000;

/**
 * Starts main.ts on a free port of 127.0.0.1 with `env` (plus PORT, HOSTNAME, LOG_LEVEL=warn
 * unless given) and resolves once it listens.
 *
 * @throws {Error} when the guard exits or does not listen in time, with its output
 */
export async function startGuardProcess(
  env: Record<string, string>,
  options: GuardProcessOptions = {},
): Promise<GuardProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: startTaskArgs(),
    env: {
      ...baseEnv(),
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "warn",
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const listening = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output = (output + text).slice(-OUTPUT_TAIL);
      const match = output.match(
        /Guard listening on http:\/\/localhost:(\d+) /,
      );
      if (match) listening.resolve(`http://127.0.0.1:${match[1]}`);
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then((s) => {
    throw new Error(`The guard exited with code ${s.code}: ${output}`);
  });
  exited.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The guard did not listen in time: ${output}`)),
      options.timeoutMs ?? 60_000,
    );
  });
  let url: string;
  try {
    url = await Promise.race([listening.promise, exited, timeout]);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await pumped;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      await pumped;
      if (status.code !== 0) {
        throw new Error(
          `The guard stopped with code ${status.code}: ${output}`,
        );
      }
    },
  };
}

/**
 * The arguments of `deno task start` (deno.json), with main.ts made absolute: subprocess tests,
 * the proxy bench and the bot recorder run the guard with exactly the permissions operators get.
 */
export function startTaskArgs(): string[] {
  const root = new URL("../../", import.meta.url);
  const config = JSON.parse(
    Deno.readTextFileSync(new URL("deno.json", root)),
  ) as { tasks: Record<string, string> };
  const [deno, ...args] = config.tasks.start.split(/\s+/);
  if (deno !== "deno" || args.at(-1) !== "main.ts") {
    throw new SyntaxError(
      `Cannot read the start task of deno.json: "${config.tasks.start}"`,
    );
  }
  return [...args.slice(0, -1), new URL("main.ts", root).pathname];
}
