/**
 * The admin app as the guard mounts it, on a real store, for the operator-surface attack tests
 * (tests/admin_auth_test.ts, tests/admin_leaks_test.ts).
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createAdminRoutes } from "../middleware/admin/mod.ts";
import { openTestStore } from "./detect_harness.ts";

export const TOKEN = "adm1n-t0ken-adm1n-t0ken";
export const HOST = "guard.example";
export const BASE = `http://${HOST}/__guard/admin`;
export const peer = (hostname: string) => ({ remoteAddr: { hostname } });
export const ALICE = peer("198.51.100.7");

export type App = ReturnType<typeof createAdminRoutes>;

/** The admin app as the guard mounts it, a store with one session, and a settable clock. */
export async function rig(extra: { secure?: boolean; ttlMs?: number } = {}) {
  const { store, close } = await openTestStore();
  await store.touchSession("sess_0001");
  const clock = { t: Date.UTC(2025, 0, 1) };
  const admin = createAdminRoutes({
    store,
    token: TOKEN,
    prefix: "/__guard",
    now: () => clock.t,
    ...extra,
  });
  const app = new Hono().route("/__guard/admin", admin);
  return { app: app as unknown as App, store, clock, close };
}

export function loginForm(token: string, headers: Record<string, string> = {}) {
  return {
    method: "POST",
    headers: {
      host: HOST,
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams({ token, next: "/__guard/admin/sessions" }),
  };
}

/** Logs in through the form: the cookie header and the CSRF token of the session. */
export async function logIn(
  app: App,
): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request(`${BASE}/login`, loginForm(TOKEN), ALICE);
  assert.equal(res.status, 303);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const page = await app.request(`${BASE}/sessions`, {
    headers: { host: HOST, cookie, accept: "text/html" },
  }, ALICE);
  const csrf = (await page.text()).match(
    /<meta name="guard-csrf" content="([\w-]+)">/,
  )![1];
  return { cookie, csrf };
}
