/**
 * Every startup failure of main.ts (run as `deno task start` runs it) ends in exactly one line on
 * stderr that names the variable or resource and what to do, exit code 1, and no stack trace.
 */
import assert from "node:assert/strict";
import { backends, DATABASE_URL } from "./db_helpers.ts";
import { freshDatabase, runMain } from "./_guard_child.ts";

const BASE = {
  UPSTREAM_URL: "http://127.0.0.1:9",
  GUARD_SECRET: "startup-secret-0123456789abcdefghijklmnop",
  HOSTNAME: "127.0.0.1",
  PORT: "0",
  // Warnings (alerts off, …) are not failures; the failure line is printed whatever the level.
  LOG_LEVEL: "error",
};

/** Runs main.ts and asserts exit 1, nothing on stdout, exactly `line` on stderr, no stack. */
async function assertFailsWith(
  env: Record<string, string>,
  line: string,
): Promise<void> {
  const out = await runMain({ ...BASE, ...env });
  assert.equal(out.stderr, `${line}\n`);
  assert.equal(out.code, 1);
  assert.equal(out.stdout, "");
  assert.doesNotMatch(out.stderr, /^\s+at /m);
}

Deno.test("main.ts startup failures without a database server: one line, exit 1, no stack", async (t) => {
  await t.step("invalid config values: every one on one line", async () => {
    await assertFailsWith(
      { PORT: "http", GUARD_PREFIX: "guard", UPSTREAM_TIMEOUT_MS: "5" },
      "Invalid configuration: PORT: Invalid input: expected number, received NaN; " +
        "GUARD_PREFIX: must look like /__guard; " +
        "UPSTREAM_TIMEOUT_MS: Too small: expected number to be >=100. " +
        "Fix these environment variables and start again.",
    );
  });
  await t.step("unreachable DATABASE_URL (port 1)", async () => {
    await assertFailsWith(
      { DATABASE_URL: "postgres://postgres:s3cret@127.0.0.1:1/guard" },
      "Cannot connect to DATABASE_URL (127.0.0.1:1/guard): connection refused. " +
        "Start PostgreSQL there or fix the host and port in DATABASE_URL.",
    );
  });
  await t.step("unwritable PGLITE_DIR (under a file)", async () => {
    const file = await Deno.makeTempFile();
    try {
      await assertFailsWith(
        { PGLITE_DIR: `${file}/pglite` },
        `Cannot open PGLITE_DIR "${file}/pglite": a part of the path is not a directory. ` +
          "Set PGLITE_DIR to a writable directory, or memory:// to keep nothing.",
      );
    } finally {
      await Deno.remove(file);
    }
  });
});

Deno.test({
  name:
    "main.ts startup failures on a PostgreSQL server: one line, exit 1, no stack",
  ignore: backends()[0].ignore,
  fn: async (t) => {
    await t.step("missing database", async () => {
      const url = new URL(DATABASE_URL!);
      url.pathname = "/does_not_exist";
      await assertFailsWith(
        { DATABASE_URL: url.href },
        `Cannot connect to DATABASE_URL (${url.hostname}:${
          url.port || "5432"
        }/does_not_exist): database "does_not_exist" does not exist. ` +
          "Create it (createdb does_not_exist) or fix the database name in DATABASE_URL.",
      );
    });
    const db = await freshDatabase(DATABASE_URL!);
    try {
      await t.step("unreadable MODEL_PATH", async (t) => {
        const dir = await Deno.makeTempDir();
        try {
          for (
            const [path, why] of [
              [`${dir}/missing.json`, "no such file or directory"],
              [dir, "it is a directory"],
            ]
          ) {
            await t.step(why, async () => {
              await assertFailsWith(
                { DATABASE_URL: db.url, MODEL_PATH: path },
                `Cannot load MODEL_PATH "${path}": ${why}. ` +
                  "Set MODEL_PATH to a readable model file (deno task train writes one).",
              );
            });
          }
          await t.step("not a model", async () => {
            await Deno.writeTextFile(`${dir}/bad.json`, '{"kind":"x"}');
            const out = await runMain({
              ...BASE,
              DATABASE_URL: db.url,
              MODEL_PATH: `${dir}/bad.json`,
            });
            assert.equal(out.code, 1);
            const lines = out.stderr.split("\n");
            assert.equal(lines.length, 2);
            assert.match(
              lines[0],
              new RegExp(
                `^Cannot load MODEL_PATH "${dir}/bad\\.json": .+\\. Set MODEL_PATH to a readable model file \\(deno task train writes one\\)\\.$`,
              ),
            );
          });
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });
      await t.step("port in use", async () => {
        const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (taken.addr as Deno.NetAddr).port;
        try {
          await assertFailsWith(
            { DATABASE_URL: db.url, PORT: String(port) },
            `Cannot listen on HOSTNAME:PORT 127.0.0.1:${port}: the address is already in use. ` +
              "Stop the process using it or set PORT to a free port.",
          );
        } finally {
          taken.close();
        }
      });
    } finally {
      await db.drop();
    }
  },
});
