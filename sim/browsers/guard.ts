/**
 * The guard that browser recordings go through, as operators run it: an upstream serving the
 * target page (no script), main.ts in a subprocess in front of it (MODE=monitor, RETAIN_RAW=true,
 * a fresh secret and a temporary PGlite store), and, once the guard has stopped and flushed, the
 * raw events and windows it stored for each session read back from its store.
 *
 * ```ts
 * import { recordThroughGuard } from "./guard.ts";
 * const stored = await recordThroughGuard(async (guard) => {
 *   const res = await fetch(`${guard.url}/`);
 *   const sid = await guard.verify(res.headers.getSetCookie()[0]?.split(/[=;]/)[1]);
 *   return new Map([["one", sid!]]);
 * });
 * ```
 *
 * @module
 */
import type { RawEvent } from "../../collector/mod.ts";
import { openStore } from "../../db/mod.ts";
import { createGuardSigner } from "../../middleware/session/mod.ts";
import { TARGET_PAGE } from "./chromium_drivers.ts";
import { startGuardProcess } from "./guard_process.ts";

/** The running guard, as a recorder sees it. */
export interface RecordingGuard {
  /** Base URL of the guard, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The guard session id of a `__guard_sid` cookie value, or null when its signature fails. */
  verify(cookie: string | undefined): Promise<string | null>;
}

/** What the guard stored for one session. */
export interface StoredSession {
  /** The guard's session id. */
  guardSession: string;
  /** Raw events (RETAIN_RAW) in time order, `session` being the guard's id. */
  events: RawEvent[];
  /** Feature windows the guard stored. */
  windows: number;
}

/**
 * Starts an upstream and the guard, lets `drive` record through it (it returns each recorded
 * name's guard session id), stops the guard, and returns what the guard stored per name.
 */
export async function recordThroughGuard(
  drive: (guard: RecordingGuard) => Promise<Map<string, string>>,
): Promise<Map<string, StoredSession>> {
  const dir = await Deno.makeTempDir({ prefix: "guard_recording_" });
  const secret = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const signer = createGuardSigner(secret);
  const upstream = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new URL(req.url).pathname === "/"
        ? new Response(TARGET_PAGE, {
          headers: { "content-type": "text/html; charset=utf-8" },
        })
        : new Response("not found", { status: 404 }),
  );
  try {
    const guard = await startGuardProcess({
      UPSTREAM_URL: `http://127.0.0.1:${upstream.addr.port}`,
      MODE: "monitor",
      RETAIN_RAW: "true",
      WINDOW_MS: "1000",
      PGLITE_DIR: `${dir}/pglite`,
      GUARD_SECRET: secret,
      MODEL_PATH: new URL("../../data/model.json", import.meta.url).pathname,
    });
    const ids = await drive({
      url: guard.url,
      verify: (cookie) => signer.verify(cookie),
    }).finally(() => guard.stop()); // stop: flushes the write buffer, closes the store
    const store = await openStore({ pgliteDir: `${dir}/pglite` });
    try {
      const out = new Map<string, StoredSession>();
      for (const [name, guardSession] of ids) {
        out.set(name, {
          guardSession,
          events: await store.listRawEvents(guardSession),
          windows: (await store.listWindows(guardSession)).length,
        });
      }
      return out;
    } finally {
      await store.close();
    }
  } finally {
    await upstream.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}
