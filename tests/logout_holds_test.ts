/**
 * Issue 14 item 1: the site's own auth cookie value of a revoked session is refused by the gate,
 * whatever guard cookie comes with it, after a flood of junk values and after a restart, on
 * PostgreSQL and on PGlite. Item 4: the gate's clears reach the browser when the upstream sets
 * cookies on the same response, and win over its set of an auth cookie.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { openStore, type Store } from "../db/mod.ts";
import { createGuardSession } from "../middleware/session/mod.ts";
import {
  createRevocationGate,
  parseAuthCookies,
  type RevocationGate,
} from "../middleware/response/mod.ts";
import {
  backends,
  DATABASE_URL,
  openTestStore,
  sharedPglite,
} from "./db_helpers.ts";

const SECRET = "logout-holds-secret-logout-holds-0";
const AUTH = parseAuthCookies(["session"]);
const NAV = { "sec-fetch-mode": "navigate", accept: "text/html" };
const CLEAR_SESSION =
  "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
const CLEAR_SID =
  "__guard_sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";

/** One guard instance in front of a site: POST /login sets `session=<next value>`. */
function instance(store: Store, options: { maxEntries?: number } = {}) {
  const gate = createRevocationGate({
    store,
    secret: SECRET,
    authCookies: AUTH,
    loginUrl: "/login",
    instance: "test",
    ...options,
  });
  let logins = 0;
  const app = new Hono();
  app.use(createGuardSession({ secret: SECRET }));
  app.use(gate.middleware);
  app.post("/login", () => {
    const headers = new Headers();
    headers.append("set-cookie", "theme=dark; Path=/");
    headers.append("set-cookie", `session=value-${++logins}; Path=/; HttpOnly`);
    return new Response("logged in", { headers });
  });
  app.all("*", (c) => c.text(c.req.header("cookie") ?? "-"));
  return { app, gate };
}

async function get(app: Hono, cookie?: string) {
  const res = await app.request("/account", {
    headers: cookie ? { ...NAV, cookie } : NAV,
  });
  await res.body?.cancel();
  return res;
}

/** A fresh guard cookie (`__guard_sid=…`) and a login: the site's `session` pair. */
async function logIn(app: Hono): Promise<{ sid: string; session: string }> {
  const first = await get(app);
  const sid = first.headers.getSetCookie()[0].split(";")[0];
  const res = await app.request("/login", {
    method: "POST",
    headers: { cookie: sid },
  });
  await res.body?.cancel();
  const line = res.headers.getSetCookie().find((l) =>
    l.startsWith("session=")
  )!;
  return { sid, session: line.split(";")[0] };
}

const idOf = (sid: string) => sid.split("=")[1].split(".")[0];

async function withGate(
  backend: "postgres" | "pglite",
  fn: (
    store: Store,
    schema: string,
    start: (s: Store, o?: { maxEntries?: number }) => Promise<
      ReturnType<typeof instance>
    >,
  ) => Promise<void>,
) {
  const t = await openTestStore(backend);
  const gates: RevocationGate[] = [];
  try {
    await fn(t.store, t.schema, async (s, o) => {
      const i = instance(s, o);
      await i.gate.start();
      gates.push(i.gate);
      return i;
    });
  } finally {
    for (const g of gates) await g.stop();
    await t.cleanup();
  }
}

for (const backend of backends()) {
  Deno.test({
    name:
      `gate refuses a revoked session's auth value rebound before revocation by a request without a guard cookie (${backend.name})`,
    ignore: backend.ignore,
    fn: () =>
      withGate(backend.name, async (store, _schema, start) => {
        const { app, gate } = await start(store);
        const { sid, session } = await logIn(app);
        // The attack: the value alone (no guard cookie, a fresh id is minted), then with a
        // second guard cookie of its own, both before the revocation.
        assert.equal((await get(app, session)).status, 200);
        const other = (await get(app)).headers.getSetCookie()[0].split(";")[0];
        assert.equal((await get(app, `${other}; ${session}`)).status, 200);
        await gate.revoke(idOf(sid), "bot");
        for (const cookie of [session, `${other}; ${session}`, sid]) {
          const res = await get(app, cookie);
          assert.equal(res.status, 303, cookie);
          assert.deepEqual(res.headers.getSetCookie().slice(0, 2), [
            CLEAR_SESSION,
            CLEAR_SID,
          ]);
        }
        // The other session itself is not revoked: without the value it is served.
        assert.equal((await get(app, other)).status, 200);
      }),
  });

  Deno.test({
    name:
      `gate keeps refusing a revoked value after a flood of junk session= pairs (${backend.name})`,
    ignore: backend.ignore,
    fn: () =>
      withGate(backend.name, async (store, _schema, start) => {
        const { app, gate } = await start(store, { maxEntries: 100 });
        const { sid, session } = await logIn(app);
        await gate.revoke(idOf(sid), "bot");
        // The reported flood: 700 junk pairs per request (11 KB headers) is refused outright.
        const junk = Array.from({ length: 700 }, (_, i) => `session=j${i}`);
        for (let r = 0; r < 150; r++) {
          const res = await app.request("/", {
            headers: { cookie: junk.join("; ") },
          });
          assert.equal(res.status, 400);
          assert.deepEqual(await res.json(), {
            error: "too_many_auth_cookies",
          });
        }
        // Within the bound: 2,000 requests with 8 fresh junk values each, 20× the memory bound
        // of sessions remembered, half of them with a guard cookie that binds them.
        const holder = (await get(app)).headers.getSetCookie()[0].split(";")[0];
        for (let r = 0; r < 2000; r++) {
          const pairs = Array.from(
            { length: 8 },
            (_, i) => `session=r${r}v${i}`,
          );
          const cookie = (r % 2 ? [holder, ...pairs] : pairs).join("; ");
          assert.equal((await get(app, cookie)).status, 200);
        }
        assert.equal((await get(app, session)).status, 303);
      }),
  });

  Deno.test({
    name:
      `gate refuses a revoked value after a restart with the same secret and store (${backend.name})`,
    ignore: backend.ignore,
    fn: () =>
      withGate(backend.name, async (store, schema, start) => {
        const first = await start(store);
        const { sid, session } = await logIn(first.app);
        await first.gate.revoke(idOf(sid), "bot");
        await first.gate.stop();
        // A new process: a new store connection on the same database, a new gate.
        const again = await openStore({
          databaseUrl: backend.name === "postgres" ? DATABASE_URL : undefined,
          pglite: backend.name === "pglite" ? await sharedPglite() : undefined,
          schema,
        });
        const second = instance(again);
        await second.gate.start();
        try {
          const { app } = second;
          const fresh = (await get(app)).headers.getSetCookie()[0].split(
            ";",
          )[0];
          for (const cookie of [session, `${fresh}; ${session}`, sid]) {
            assert.equal((await get(app, cookie)).status, 303, cookie);
          }
          assert.equal((await get(app, "session=never-revoked")).status, 200);
        } finally {
          // Stopped before its store closes: its listener and bindings in flight use it.
          await second.gate.stop();
          await again.close();
        }
      }),
  });
}

Deno.test("gate appends its clears after the upstream's Set-Cookie lines and drops its set of an auth cookie (regression: Hono's res setter replaced them)", async () => {
  const t = await openTestStore("pglite");
  const { app, gate } = instance(t.store);
  await gate.start();
  try {
    const { sid, session } = await logIn(app);
    await gate.revoke(idOf(sid), "bot");
    // A revoked session posts the login form: the upstream logs it in again and sets cookies.
    const res = await app.request("/login", {
      method: "POST",
      headers: { cookie: `${sid}; ${session}` },
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "logged in");
    assert.deepEqual(res.headers.getSetCookie(), [
      "theme=dark; Path=/",
      CLEAR_SESSION,
    ]);
    // Not revoked: the upstream's lines pass untouched.
    const ok = await logIn(app);
    assert.equal(ok.session, "session=value-3");
  } finally {
    await gate.stop();
    await t.cleanup();
  }
});
