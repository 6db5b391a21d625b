import assert from "node:assert/strict";
import { FEATURE_NAMES } from "../collector/mod.ts";
import { buildRows, readRows } from "../sim/dataset/build_dataset.ts";
import { CSV_HEADER, toCsv } from "../sim/dataset/dataset.ts";

/** A small synthetic recording in SapiMouse format: a circle traced at ~60 Hz with clicks. */
function sapiFixture(): string {
  const lines = ["client timestamp,button,state,x,y"];
  for (let i = 0; i < 700; i++) {
    const t = 1000 + i * 16 + (i % 3);
    lines.push(
      `${t},NoButton,Move,${Math.round(400 + 100 * Math.cos(i / 20))},${
        Math.round(300 + 80 * Math.sin(i / 20))
      }`,
    );
    if (i % 90 === 45) {
      lines.push(
        `${t + 5},Left,Pressed,400,300`,
        `${t + 90},Left,Released,400,300`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

/** The same movement in Balabit format (seconds), with a scroll and a sentinel row. */
function balabitFixture(): string {
  const lines = ["record timestamp,client timestamp,button,state,x,y"];
  for (let i = 0; i < 500; i++) {
    const s = (i * 0.02).toFixed(3);
    lines.push(`${s},${s},NoButton,Move,${200 + i % 50},${100 + (i * 7) % 90}`);
    if (i % 100 === 10) {
      lines.push(
        `${s},${s},Scroll,Down,200,100`,
        `${s},${s},NoButton,Move,65535,65535`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

async function fixtureRoot(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/sapimouse/raw/user1`, { recursive: true });
  await Deno.mkdir(`${root}/balabit-mouse-challenge/training_files/user2`, {
    recursive: true,
  });
  await Deno.writeTextFile(
    `${root}/sapimouse/raw/user1/session_2020_01_01_1min.csv`,
    sapiFixture(),
  );
  await Deno.writeTextFile(
    `${root}/balabit-mouse-challenge/training_files/user2/session_1`,
    balabitFixture(),
  );
  return root;
}

Deno.test("buildRows() is deterministic for a seed and labels every row", async () => {
  const root = await fixtureRoot();
  try {
    const base = {
      root,
      out: "",
      botsPerKind: 2,
      maxWindows: 3,
      chromium: `${root}/none.csv`,
    };
    const a = toCsv(await buildRows({ ...base, seed: 7 }));
    const b = toCsv(await buildRows({ ...base, seed: 7 }));
    const c = toCsv(await buildRows({ ...base, seed: 8 }));
    assert.equal(a, b);
    assert.notEqual(a, c);
    const rows = await buildRows({ ...base, seed: 7 });
    const humans = rows.filter((r) => r.label === "human");
    assert.deepEqual([...new Set(humans.map((r) => r.group))], [
      "sapimouse/user1",
      "balabit/user2",
    ]);
    assert.equal(humans.filter((r) => r.kind === "sapimouse").length, 3);
    assert.equal(humans.filter((r) => r.kind === "balabit").length, 2);
    const bots = rows.filter((r) => r.label === "bot");
    assert.deepEqual([...new Set(bots.map((r) => r.kind))], [
      "teleport",
      "linear",
      "bezier",
      "ghost",
    ]);
    assert.ok(bots.every((r) => r.group === r.session && r.source === "sim"));
    assert.ok(rows.every((r) => r.features.length === FEATURE_NAMES.length));
    const withFamilies = await buildRows({
      ...base,
      seed: 7,
      familiesPerKind: 1,
    });
    const added = withFamilies.filter((r) =>
      !rows.some((o) => o.session === r.session)
    );
    assert.deepEqual([...new Set(added.map((r) => r.kind))], [
      "straight",
      "eased",
      "curved",
      "piecewise",
      "slow",
      "humanised",
      "jump",
    ]);
    // humanised gets FAMILY_SESSION_FACTOR (5/3) times --families-per-kind: round(5/3) = 2.
    assert.equal(
      new Set(added.filter((r) => r.kind === "humanised").map((r) => r.session))
        .size,
      2,
    );
    assert.ok(added.every((r) => r.label === "bot" && r.source === "sim"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("toCsv() header is session, window, FEATURE_NAMES, label, kind, source, group", () => {
  const header = toCsv([]).trim().split(",");
  assert.deepEqual(header, [
    "session",
    "window",
    ...FEATURE_NAMES,
    "label",
    "kind",
    "source",
    "group",
  ]);
  assert.deepEqual(CSV_HEADER, header);
});

Deno.test("data/sessions.csv header matches FEATURE_NAMES", async () => {
  const file = await Deno.open(
    new URL("../data/sessions.csv", import.meta.url),
  );
  const buf = new Uint8Array(4096);
  const n = await file.read(buf) ?? 0;
  file.close();
  const first = new TextDecoder().decode(buf.subarray(0, n)).split("\n")[0];
  assert.deepEqual(first.split(","), [...CSV_HEADER]);
});

Deno.test("readRows() round-trips toCsv() output, NaN as empty", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const features = FEATURE_NAMES.map((_, i) => (i === 3 ? NaN : i + 0.5));
    const row = {
      session: "s",
      window: 2,
      features,
      label: "bot" as const,
      kind: "linear",
      source: "sim",
      group: "s",
    };
    await Deno.writeTextFile(`${dir}/r.csv`, toCsv([row]));
    assert.deepEqual(await readRows(`${dir}/r.csv`), [row]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildRows() reads the quiet Chromium recording as <name>/quiet, each session its own group", async () => {
  const root = await fixtureRoot();
  try {
    const base = {
      root,
      seed: 7,
      out: "",
      botsPerKind: 0,
      maxWindows: 3,
      chromium: "data/chromium_rows.csv",
    };
    const first = await readRows("data/chromium_rows.csv");
    const quiet = await readRows("data/chromium_quiet_rows.csv");
    const rows = (await buildRows({
      ...base,
      chromiumQuiet: "data/chromium_quiet_rows.csv",
    })).filter((r) => r.source === "chromium");
    assert.equal(rows.length, first.length + quiet.length);
    const sessions = (quiet_: boolean) =>
      new Set(
        rows.filter((r) => r.session.endsWith("/quiet") === quiet_).map((r) =>
          r.session
        ),
      );
    assert.deepEqual([sessions(false).size, sessions(true).size], [80, 80]);
    assert.ok(sessions(true).has("chromium/ghost_stealth/0/quiet"));
    assert.ok(rows.every((r) => r.group === r.session && r.label === "bot"));
    assert.deepEqual(
      [...new Set(rows.map((r) => r.kind))].sort(),
      ["chromium_ghost", "chromium_linear"],
    );
    // Without the option, only the first recording.
    const alone = (await buildRows(base)).filter((r) =>
      r.source === "chromium"
    );
    assert.equal(alone.length, first.length);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
