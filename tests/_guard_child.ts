/**
 * main.ts as a child process with the start task's permissions and only the given environment,
 * for tests that kill it (`kill -9`) or watch it fail to start; and a fresh Postgres database.
 */
import postgres from "postgres";
import { baseEnv, startTaskArgs } from "../sim/browsers/guard_process.ts";

/** A running guard child. */
export interface GuardChild {
  /** `http://127.0.0.1:<port>` once it listens. */
  url: string;
  child: Deno.ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Runs main.ts to its exit: the exit code and what it printed on each stream. */
export async function runMain(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: startTaskArgs(),
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Starts main.ts on a free port of 127.0.0.1 and resolves once it listens. */
export async function spawnMain(
  env: Record<string, string>,
): Promise<GuardChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: startTaskArgs(),
    env: {
      ...baseEnv(),
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "error",
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const listening = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const match = text.match(/Guard listening on http:\/\/localhost:(\d+) /);
      if (match) listening.resolve(`http://127.0.0.1:${match[1]}`);
    }
  };
  pump(child.stdout);
  pump(child.stderr);
  const exited = child.status.then((s) => {
    throw new Error(`main.ts exited with ${s.code}: ${text}`);
  });
  exited.catch(() => {});
  const url = await Promise.race([listening.promise, exited]);
  return { url, child, output: () => text };
}

/** A fresh database on the server of `serverUrl`, its URL, and how to drop it. */
export async function freshDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `guard_t_${
    crypto.randomUUID().replaceAll("-", "").slice(0, 12)
  }`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () =>
      admin`drop database if exists ${admin(name)} with (force)`.then(
        () => admin.end(),
        (error) => admin.end().then(() => Promise.reject(error)),
      ),
  };
}
