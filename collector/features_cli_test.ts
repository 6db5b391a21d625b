import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { extractFeatures, FEATURE_NAMES, type RawEvent } from "./features.ts";
import { parseCliArgs, readJsonl, runFeaturesCli } from "./features_cli.ts";

const moves = (session: string, t0: number, n: number): RawEvent[] =>
  Array.from(
    { length: n },
    (_, i) => ({ session, t: t0 + i * 10, kind: "move", x: i * 3, y: i * 4 }),
  );

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "features_cli_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(args: string[]): Promise<{ text: string; rows: number }> {
  let text = "";
  const rows = await runFeaturesCli(parseCliArgs(args), (t) => text += t);
  return { text, rows };
}

Deno.test("runFeaturesCli() writes one row per kept window per session, NaN as empty", async () => {
  await withDir(async (dir) => {
    const events = [
      ...moves("a", 0, 10),
      ...moves("b", 0, 3),
      ...moves("a", 5000, 9),
    ];
    await Deno.writeTextFile(
      `${dir}/log.jsonl`,
      events.map((e) => JSON.stringify(e)).join("\n") + "\n\n",
    );
    const { text, rows } = await run([dir, "--label", "bot"]);
    const table = parse(text) as string[][];
    assert.equal(rows, 2);
    assert.deepEqual(table[0], [
      "session",
      "window",
      ...FEATURE_NAMES,
      "label",
    ]);
    assert.deepEqual(table.slice(1).map((r) => [r[0], r[1], r.at(-1)]), [[
      "a",
      "0",
      "bot",
    ], ["a", "1", "bot"]]);
    const expected = extractFeatures(moves("a", 0, 10));
    const col = (name: string) =>
      2 + FEATURE_NAMES.indexOf(name as typeof FEATURE_NAMES[number]);
    assert.equal(Number(table[1][col("speed_mean")]), expected.speed_mean);
    assert.equal(table[1][col("speed_mean")], "500");
    assert.equal(table[1][col("key_dwell_mean")], "");
    const unlabelled = parse(
      (await run([`${dir}/log.jsonl`, "--min-events", "3"])).text,
    ) as string[][];
    assert.equal(unlabelled[0].at(-1), "webdriver");
    assert.equal(unlabelled.length, 4);
  });
});

Deno.test("runFeaturesCli() reads public dataset formats through the importers, labelled human", async () => {
  await withDir(async (dir) => {
    const lines = ["client timestamp,button,state,x,y"];
    for (let i = 0; i < 12; i++) {
      lines.push(`${1000 + i * 16},NoButton,Move,${i},${2 * i}`);
    }
    await Deno.writeTextFile(
      `${dir}/session_1min.csv`,
      lines.join("\n") + "\n",
    );
    await Deno.writeTextFile(`${dir}/README.md`, "not a recording\n");
    const table = parse((await run([dir])).text) as string[][];
    assert.equal(table.length, 2);
    assert.equal(table[1].at(-1), "human");
    assert.equal(table[1][1], "0");
  });
});

Deno.test("readJsonl() names file, line and field of a bad line", async (t) => {
  const cases: [string, string][] = [
    ['{"session":"a","t":1,"kind":"move","x":1}', 'line 2: field "y"'],
    [
      '{"session":"a","t":1,"kind":"keydown","key":"char","id":1,"code":"KeyA"}',
      'line 2: field "code": unknown key',
    ],
    ["{nope", "line 2: not valid JSON"],
  ];
  for (const [bad, expected] of cases) {
    await t.step(expected, async () => {
      await withDir(async (dir) => {
        const path = `${dir}/bad.jsonl`;
        await Deno.writeTextFile(
          path,
          JSON.stringify(moves("a", 0, 1)[0]) + "\n" + bad + "\n",
        );
        await assert.rejects(readJsonl(path), (e: Error) => {
          assert.equal(
            e.message.startsWith(`Cannot read "${path}" ${expected}`),
            true,
            e.message,
          );
          return true;
        });
      });
    });
  }
});

Deno.test("features CLI exits 1 with the message on a bad line", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/bad.jsonl`;
    await Deno.writeTextFile(
      path,
      '{"session":"a","t":-1,"kind":"move","x":1,"y":2}\n',
    );
    const cli = new URL("./features_cli.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", cli, path],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(
      stderr.trim(),
      `features: Cannot read "${path}" line 1: field "t": Too small: expected number to be >=0`,
    );
  });
});

Deno.test("parseCliArgs() rejects bad options", () => {
  assert.throws(
    () => parseCliArgs(["x", "--window-ms", "0"]),
    /--window-ms must be a positive number, got "0"/,
  );
  assert.throws(
    () => parseCliArgs(["x", "--min-events", "1.5"]),
    /--min-events must be an integer/,
  );
  assert.throws(() => parseCliArgs([]), /at least one file/);
  assert.deepEqual(parseCliArgs(["a", "b"]), {
    paths: ["a", "b"],
    windowMs: 5000,
    minEvents: 8,
    label: undefined,
  });
});
