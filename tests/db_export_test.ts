import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { FEATURE_NAMES } from "../collector/mod.ts";
import { EXPORT_HEADER, exportCsv, openStore } from "../db/mod.ts";
import { parseExportArgs } from "../db/export_cli.ts";
import { openTestStore, windowRow } from "./db_helpers.ts";

const expectedRow = (
  session: string,
  seq: number,
  label: string,
  missing: string[] = [],
) => [
  session,
  String(seq),
  ...FEATURE_NAMES.map((name, i) =>
    missing.includes(name) ? "" : String(seq + i / 8)
  ),
  label,
];

async function collect(
  run: (out: WritableStream<Uint8Array>) => Promise<number>,
) {
  const chunks: Uint8Array[] = [];
  const out = new WritableStream<Uint8Array>({
    write: (c) => void chunks.push(c),
  });
  const n = await run(out);
  return {
    n,
    text: new TextDecoder().decode(
      new Uint8Array(chunks.flatMap((c) => [...c])),
    ),
  };
}

Deno.test("exportCsv() writes the training CSV: header, window = seq, NaN as empty cell", async () => {
  const t = await openTestStore("pglite");
  try {
    await t.store.insertWindows([
      windowRow("s-b", 2, ["typing_speed", "webdriver"]),
      windowRow("s-b", 1),
      windowRow("s-h", 3),
      windowRow("s-unlabelled", 1),
    ]);
    await t.store.setLabel("s-b", "bot", "t");
    await t.store.setLabel("s-h", "human", "t");
    const { n, text } = await collect((out) =>
      exportCsv(t.store, out, { batchSize: 2 })
    );
    assert.equal(n, 3);
    const lines = text.trimEnd().split("\n");
    assert.equal(
      lines[0],
      ["session", "window", ...FEATURE_NAMES, "label"].join(","),
    );
    assert.deepEqual(parse(text), [
      [...EXPORT_HEADER],
      expectedRow("s-b", 1, "bot"),
      expectedRow("s-b", 2, "bot", ["typing_speed", "webdriver"]),
      expectedRow("s-h", 3, "human"),
    ]);
    const bots = await collect((out) =>
      exportCsv(t.store, out, { label: "bot" })
    );
    assert.equal(bots.n, 2);
  } finally {
    await t.cleanup();
  }
});

Deno.test("parseExportArgs() validates --since and --label", () => {
  assert.deepEqual(parseExportArgs([]), {});
  assert.deepEqual(
    parseExportArgs(["--since", "2026-01-02T00:00:00Z", "--label", "human"]),
    {
      since: new Date("2026-01-02T00:00:00Z"),
      label: "human",
    },
  );
  assert.throws(
    () => parseExportArgs(["--since", "yesterday"]),
    new TypeError('Invalid --since "yesterday": expected an ISO date'),
  );
  assert.throws(
    () => parseExportArgs(["--label", "robot"]),
    new TypeError(
      'Invalid --label "robot": expected one of human, bot, unauthorized',
    ),
  );
});

Deno.test("export_cli.ts streams a PGlite directory's labelled windows to stdout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await openStore({ pgliteDir: dir });
    await store.insertWindows([
      windowRow("cli-a", 1),
      windowRow("cli-a", 2, ["scroll_speed"]),
    ]);
    await store.setLabel("cli-a", "unauthorized", "admin");
    await store.close();
    const env = {
      PGLITE_DIR: dir,
      DATABASE_URL: "",
      PATH: Deno.env.get("PATH") ?? "",
    };
    const cli = new URL("../db/export_cli.ts", import.meta.url).pathname;
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--allow-sys",
        cli,
        "--label",
        "unauthorized",
      ],
      env,
      clearEnv: true,
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    assert.match(stderr, /export: 2 windows/);
    assert.deepEqual(parse(new TextDecoder().decode(run.stdout)), [
      [...EXPORT_HEADER],
      expectedRow("cli-a", 1, "unauthorized"),
      expectedRow("cli-a", 2, "unauthorized", ["scroll_speed"]),
    ]);
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-env", "--allow-read", cli, "--label", "x"],
      env,
      clearEnv: true,
    }).output();
    assert.equal(bad.code, 2);
    const [reason, usage] = new TextDecoder().decode(bad.stderr).split("\n");
    assert.equal(
      reason,
      'export: Invalid --label "x": expected one of human, bot, unauthorized',
    );
    assert.equal(usage, "Usage: deno task export [options] > windows.csv");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
