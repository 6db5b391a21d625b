import assert from "node:assert/strict";
import {
  consoleLine,
  describeDatabaseUrl,
  listenFailure,
  otherFailure,
  storeFailure,
} from "./startup.ts";

const pgError = (code: string, message: string) =>
  Object.assign(new Error(message), { code });
const URL = "postgres://guard:hunter2@db.internal:6543/guard";

Deno.test("describeDatabaseUrl() never shows the password", () => {
  assert.equal(describeDatabaseUrl(URL), "db.internal:6543/guard");
  assert.equal(describeDatabaseUrl("postgres://db/x"), "db:5432/x");
});

Deno.test("storeFailure() names DATABASE_URL and the fix", async (t) => {
  const cases: [string, Error, string][] = [
    [
      "unknown host",
      pgError("ENOTFOUND", "getaddrinfo ENOTFOUND db.internal"),
      'Cannot connect to DATABASE_URL (db.internal:6543/guard): host "db.internal" not found. Fix the host in DATABASE_URL.',
    ],
    [
      "wrong password",
      pgError("28P01", 'password authentication failed for user "guard"'),
      'Cannot connect to DATABASE_URL (db.internal:6543/guard): password authentication failed for user "guard". Fix the user or password in DATABASE_URL.',
    ],
    [
      "timeout",
      pgError("CONNECT_TIMEOUT", "write CONNECT_TIMEOUT db.internal:6543"),
      "Cannot connect to DATABASE_URL (db.internal:6543/guard): connection timed out. Check that PostgreSQL is reachable from here, or fix DATABASE_URL.",
    ],
  ];
  for (const [name, error, line] of cases) {
    await t.step(name, () => {
      const got = storeFailure(error, {
        DATABASE_URL: URL,
        PGLITE_DIR: "x",
      });
      assert.equal(got, line);
      assert.equal(got.includes("hunter2"), false);
    });
  }
});

Deno.test("listenFailure() names HOSTNAME:PORT and the fix", () => {
  const config = { HOSTNAME: "10.9.9.9", PORT: 80 };
  assert.equal(
    listenFailure(new Deno.errors.AddrNotAvailable("x"), config),
    "Cannot listen on HOSTNAME:PORT 10.9.9.9:80: this machine has no such address. Set HOSTNAME to one of its addresses, or 0.0.0.0.",
  );
  assert.equal(
    listenFailure(new Deno.errors.PermissionDenied("x"), config),
    "Cannot listen on HOSTNAME:PORT 10.9.9.9:80: permission denied. Set PORT above 1023, or allow the process to bind low ports.",
  );
});

Deno.test("otherFailure() keeps only the first line of a message", () => {
  assert.equal(
    otherFailure(new TypeError("AUTH_COOKIES: bad entry\n  at x (y.ts:1:1)")),
    "Cannot start the guard: AUTH_COOKIES: bad entry. Check the configuration and start again.",
  );
});

Deno.test("consoleLine() says where the console is, or how to turn it on", async (t) => {
  await t.step("ADMIN_TOKEN set: the console's URL", () => {
    assert.equal(
      consoleLine(
        { ADMIN_TOKEN: "x".repeat(16), GUARD_PREFIX: "/__guard" },
        "http://localhost:8080",
      ),
      "Console: http://localhost:8080/__guard/admin/ (log in with ADMIN_TOKEN)",
    );
  });
  await t.step("PUBLIC_ORIGIN wins over the local address", () => {
    assert.equal(
      consoleLine({
        ADMIN_TOKEN: "x".repeat(16),
        GUARD_PREFIX: "/g",
        PUBLIC_ORIGIN: "https://app.example.com/",
      }, "http://localhost:8080"),
      "Console: https://app.example.com/g/admin/ (log in with ADMIN_TOKEN)",
    );
  });
  await t.step("no ADMIN_TOKEN: off, and how to turn it on", () => {
    assert.equal(
      consoleLine({ GUARD_PREFIX: "/__guard" }, "http://localhost:8080"),
      "Console: off. Set ADMIN_TOKEN (at least 16 characters, e.g. ADMIN_TOKEN=$(openssl rand -hex 16)) to turn it on.",
    );
  });
});
