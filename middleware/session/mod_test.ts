import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  createGuardSession,
  createGuardSigner,
  GUARD_COOKIE,
  resolveGuardSecret,
} from "./mod.ts";

const SECRET = "s".repeat(32);

function app(secure = false) {
  const a = new Hono();
  a.use(createGuardSession({ secret: SECRET, secure }));
  a.get("/json", (c) => c.json({ id: c.get("guardSessionId") }));
  a.get("/raw", (c) =>
    new Response(c.get("guardSessionId"), {
      headers: { "set-cookie": "session=up; Path=/" },
    }));
  return a;
}

Deno.test("createGuardSession() issues a signed HttpOnly Lax cookie", async () => {
  const res = await app().request("/json");
  const { id } = await res.json();
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  const expected = await createGuardSigner(SECRET).sign(id);
  assert.equal(
    res.headers.get("set-cookie"),
    `${GUARD_COOKIE}=${expected}; Path=/; HttpOnly; SameSite=Lax`,
  );
});

Deno.test("createGuardSession() adds Secure for an https origin", async () => {
  const res = await app(true).request("/json");
  assert.match(res.headers.get("set-cookie")!, /; Secure; SameSite=Lax$/);
});

Deno.test("createGuardSession() keeps a valid cookie and sets nothing", async () => {
  const value = await createGuardSigner(SECRET).sign("abcdefghijklmnopqrstuv");
  const res = await app().request("/json", {
    headers: { cookie: `${GUARD_COOKIE}=${value}` },
  });
  assert.deepEqual(await res.json(), { id: "abcdefghijklmnopqrstuv" });
  assert.equal(res.headers.get("set-cookie"), null);
});

Deno.test("createGuardSession() replaces forged cookies", async (t) => {
  const good = await createGuardSigner(SECRET).sign("abcdefghijklmnopqrstuv");
  const other = await createGuardSigner("x".repeat(32)).sign(
    "abcdefghijklmnopqrstuv",
  );
  const cases = {
    "wrong key": other,
    "tampered id": good.replace("abc", "abd"),
    "no mac": "abcdefghijklmnopqrstuv",
    "bad base64": "abcdefghijklmnopqrstuv.!!!!",
    "short mac": "abcdefghijklmnopqrstuv.AAAA",
    "impossible base64 length": "abcdefghijklmnopqrstuv.AAAAA",
    "short id": "abc." + good.split(".")[1],
  };
  for (const [name, value] of Object.entries(cases)) {
    await t.step(name, async () => {
      const res = await app().request("/json", {
        headers: { cookie: `${GUARD_COOKIE}=${value}` },
      });
      const { id } = await res.json();
      assert.notEqual(id, "abcdefghijklmnopqrstuv");
      assert.match(res.headers.get("set-cookie")!, /^__guard_sid=/);
    });
  }
});

Deno.test("createGuardSession() keeps upstream cookies on a raw Response", async () => {
  const res = await app().request("/raw");
  const cookies = res.headers.getSetCookie();
  assert.equal(cookies.length, 2);
  assert.equal(cookies[0], "session=up; Path=/");
  assert.match(cookies[1], /^__guard_sid=/);
});

Deno.test("resolveGuardSecret() keeps a configured secret or makes a random one", () => {
  assert.equal(resolveGuardSecret(SECRET), SECRET);
  const a = resolveGuardSecret(undefined);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, resolveGuardSecret(undefined));
});

Deno.test("createGuardSession() sets the cookie on a fetched (immutable) Response", async () => {
  const upstream = Deno.serve(
    { port: 0, onListen: () => {} },
    () => new Response("page", { headers: { "set-cookie": "a=1" } }),
  );
  try {
    const a = new Hono();
    a.use(createGuardSession({ secret: SECRET }));
    a.get("/", () => fetch(`http://127.0.0.1:${upstream.addr.port}/`));
    const res = await a.request("/");
    assert.equal(await res.text(), "page");
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies[0], "a=1");
    assert.match(
      cookies[1],
      /^__guard_sid=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  } finally {
    await upstream.shutdown();
  }
});
