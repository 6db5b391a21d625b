/**
 * The shared stage of the attacker and human end-to-end tests: a real SMTP server and the guard as
 * operators run it (main.ts in a subprocess, enforce mode, the built-in demo site, a store of its
 * own: a fresh Postgres database, else the embedded store in memory), plus what every scenario
 * reports back.
 *
 * @module
 */
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { startGuardProcess } from "../sim/browsers/guard_process.ts";

/** The bound of the issue: every attacker is logged out within this time of logging in. */
export const LOGOUT_BOUND_MS = 60_000;
/** How long a human keeps using the site and must stay logged in. */
export const HUMAN_STAY_MS = 60_000;
/** LOGIN_URL of the guard under test. */
export const LOGIN_PATH = "/login";

/** A guard in enforce mode in front of the demo site, with the SMTP server its alerts go to. */
export interface AttackStage {
  /** The guard's base URL. */
  url: string;
  /** Raw messages the SMTP server received, in order. */
  inbox: string[];
  /** The admin API's view of a guard session, for failure messages (null when unknown). */
  session(id: string): Promise<unknown>;
  /** Stops the guard (SIGTERM) and the SMTP server. */
  close(): Promise<void>;
}

/** What one scenario observed; the tests assert on it. */
export interface ScenarioResult {
  /** Time from the login's completion to the first sign of logout, or null if none came. */
  loggedOutMs: number | null;
  /** The path the logout sent the client to (LOGIN_URL expected), or null. */
  logoutLocation: string | null;
  /** Whether the site's `session` cookie was still held after the logout (or at the end). */
  sessionCookieHeld: boolean;
  /** The path a protected page (/article) ended on afterwards. */
  protectedPath: string;
  /** Requests and windows the client made, and the guard's view of its session. */
  detail: string;
}

/** Options of {@link startStage}. */
export interface StageOptions {
  /** Extra guard environment. */
  env?: Record<string, string>;
  /**
   * A Postgres server URL: the guard gets a fresh database on it, dropped at close (it starts in
   * about a second; the embedded store, used without it, takes 15–25 s under load).
   */
  databaseUrl?: string;
}

/** The guard's store environment and how to remove it. */
async function freshStore(
  databaseUrl: string | undefined,
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (databaseUrl === undefined) {
    return { env: { PGLITE_DIR: "memory://" }, drop: async () => {} };
  }
  const name = `guard_e2e_${randomHex(6)}`;
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`create database ${admin(name)}`;
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.href },
    async drop() {
      await admin`drop database if exists ${admin(name)} with (force)`
        .finally(() => admin.end());
    },
  };
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

async function startSmtp(inbox: string[]) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      let text = "";
      const decoder = new TextDecoder();
      stream.on("data", (c: Uint8Array) => text += decoder.decode(c));
      stream.on("end", () => {
        inbox.push(text);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Starts the SMTP server and main.ts (MODE=enforce, no UPSTREAM_URL: the demo site; a fresh
 * database or the embedded store in memory; the shipped model; alerts to admin@example.com; an
 * admin token for diagnostics).
 */
export async function startStage(
  options: StageOptions = {},
): Promise<AttackStage> {
  const inbox: string[] = [];
  const smtp = await startSmtp(inbox);
  const token = randomHex(16);
  let guard, store;
  try {
    store = await freshStore(options.databaseUrl);
    guard = await startGuardProcess({
      MODE: "enforce",
      ...store.env,
      GUARD_SECRET: randomHex(32),
      ADMIN_TOKEN: token,
      MODEL_PATH: new URL("../data/model.json", import.meta.url).pathname,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ALERT_TO: "admin@example.com",
      LOGIN_URL: LOGIN_PATH,
      ...options.env,
    });
  } catch (error) {
    await store?.drop();
    await smtp.close();
    throw error;
  }
  const url = guard.url;
  return {
    url,
    inbox,
    async session(id) {
      const res = await fetch(`${url}/__guard/admin/sessions/${id}`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
        },
      }).catch(() => null);
      if (res === null) return null;
      if (!res.ok) {
        await res.body?.cancel();
        return null;
      }
      return ((await res.json()) as { session: unknown }).session;
    },
    async close() {
      await guard.stop().finally(() =>
        Promise.all([smtp.close(), store.drop()])
      );
    },
  };
}

/**
 * A short account of a guard session for failure messages: state, window and score counts,
 * detections.
 */
export async function describeSession(
  stage: AttackStage,
  id: string | null,
): Promise<string> {
  if (id === null) return "no guard session";
  const s = await stage.session(id) as
    | {
      state: string;
      revokedReason: string | null;
      windowCount: number;
      scores: { score: number }[];
      detections: { verdict: string }[];
    }
    | null;
  if (s === null) return `guard session ${id}: not listed by the admin API`;
  return `guard session ${id}: ${s.state}${
    s.revokedReason === null ? "" : ` (${s.revokedReason})`
  }, ${s.windowCount} windows, ${s.scores.length} scored [${
    s.scores.map((x) => x.score.toFixed(2)).join(" ")
  }], detections [${s.detections.map((d) => d.verdict).join(" ")}]`;
}

/** The id part of a signed `__guard_sid` cookie value. */
export function guardSessionId(value: string | undefined): string | null {
  return value === undefined ? null : value.split(".")[0];
}

/** Resolves after `ms` (at once when it is not positive). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
