import assert from "node:assert/strict";
import {
  clearAuthCookies,
  parseAuthCookies,
  serializeCookie,
  stripCookies,
} from "./cookies.ts";

Deno.test("parseAuthCookies() reads name, path and domain", () => {
  assert.deepEqual(
    parseAuthCookies([
      "session",
      "token;path=/app",
      "sid; Path=/; Domain=.example.com",
    ]),
    [
      { name: "session", path: "/" },
      { name: "token", path: "/app" },
      { name: "sid", path: "/", domain: ".example.com" },
    ],
  );
});

Deno.test("parseAuthCookies() names the bad entry and attribute", async (t) => {
  const cases: [string, string][] = [
    [
      "bad name",
      'Cannot parse AUTH_COOKIES entry "bad name": name "bad name" is not a cookie name',
    ],
    [
      "s;path=app",
      'Cannot parse AUTH_COOKIES entry "s;path=app": attribute "path=app" must be path=/… or domain=host',
    ],
    [
      "s;secure",
      'Cannot parse AUTH_COOKIES entry "s;secure": attribute "secure" must be path=/… or domain=host',
    ],
  ];
  for (const [entry, message] of cases) {
    await t.step(entry, () => {
      assert.throws(() => parseAuthCookies([entry]), {
        name: "SyntaxError",
        message,
      });
    });
  }
});

Deno.test("clearAuthCookies() mirrors each cookie's path and domain", () => {
  const cookies = parseAuthCookies([
    "session",
    "t;path=/app;domain=example.com",
    "__Host-id",
  ]);
  assert.deepEqual(clearAuthCookies(cookies), [
    "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    "t=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    "__Host-id=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure",
  ]);
});

Deno.test("serializeCookie() writes every attribute asked for", () => {
  assert.equal(
    serializeCookie({ name: "a", path: "/" }, "v", {
      maxAge: 60,
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
    }),
    "a=v; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax",
  );
});

Deno.test("stripCookies() removes only the named cookies", () => {
  const names = new Set(["session", "__guard_sid"]);
  assert.equal(
    stripCookies("a=1; session=abc; b=2; session=dup", names),
    "a=1; b=2",
  );
  assert.equal(stripCookies("session=abc; __guard_sid=x.y", names), null);
  assert.equal(stripCookies(null, names), null);
});
