/**
 * The guard as a child process under a shell `ulimit -n`, for the connection-exhaustion tests:
 * main.ts with the start task's permissions, in front of an upstream the test runs.
 *
 * @module
 */
import { baseEnv, startTaskArgs } from "../sim/browsers/guard_process.ts";
import { within } from "./proxy_fixtures.ts";

/** A guard child process. */
export type LimitedGuard = {
  url: string;
  port: number;
  child: Deno.ChildProcess;
  /** Everything the guard printed so far. */
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number>;
};

/**
 * Starts main.ts under `bash -c 'ulimit -n <files>; exec deno …'` and waits for it to listen.
 *
 * @param files the open-file limit (soft and hard) of the guard process
 * @param env the guard's environment (UPSTREAM_URL and limits)
 */
export async function startLimitedGuard(
  files: number,
  env: Record<string, string>,
): Promise<LimitedGuard> {
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n ${files} && exec "$0" "$@"`,
      Deno.execPath(),
      ...startTaskArgs(),
    ],
    env: {
      ...baseEnv(),
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      PGLITE_DIR: "memory://",
      LOG_LEVEL: "warn",
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let running = true;
  const listening = Promise.withResolvers<number>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const match = text.match(/Guard listening on http:\/\/localhost:(\d+) /);
      if (match) listening.resolve(Number(match[1]));
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status.then((s) => {
    running = false;
    return s.code;
  });
  const exited = status.then((code) => {
    throw new Error(`main.ts exited with ${code}: ${text}`);
  });
  exited.catch(() => {});
  const port = await within(
    Promise.race([listening.promise, exited]),
    60_000,
    "main.ts to listen",
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => text,
    alive: () => running,
    async stop() {
      if (running) child.kill("SIGTERM");
      const timer = setTimeout(() => running && child.kill("SIGKILL"), 10_000);
      const code = await status;
      clearTimeout(timer);
      await pumped;
      return code;
    },
  };
}

/** Opens a TCP connection to `port` and writes `text` (a partial request) on it. */
export async function openPartial(
  port: number,
  text: string,
): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(text));
  return conn;
}

/** Watches a connection for the server closing it (EOF or reset); reads at most one chunk. */
export function watchClose(conn: Deno.TcpConn): { closed(): boolean } {
  let closed = false;
  conn.read(new Uint8Array(4096)).then(
    (n) => (closed = n === null),
    () => (closed = true),
  );
  return { closed: () => closed };
}
