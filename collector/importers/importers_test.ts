import assert from "node:assert/strict";
import type { RawEvent } from "../features.ts";
import {
  detectFormat,
  importAalto,
  importBalabit,
  importRecording,
  importSapiMouse,
  keyClass,
} from "./mod.ts";

async function withFile(
  name: string,
  text: string,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text);
  try {
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function collect(it: AsyncIterable<RawEvent>): Promise<RawEvent[]> {
  const out: RawEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const SAPI = "client timestamp,button,state,x,y\r\n" +
  "1000,NoButton,Move,10,20\r\n" +
  "1016,Left,Pressed,11,20\r\n" +
  "1030,Left,Drag,15,22\r\n" +
  "1090,Left,Released,15,22\r\n" +
  "1200,Right,Pressed,15,22\r\n";

Deno.test("importSapiMouse() maps states to raw events with rebased ms times", async () => {
  await withFile("session_1min.csv", SAPI, async (path) => {
    const events = await collect(importSapiMouse(path, { session: "s" }));
    assert.deepEqual(events, [
      { session: "s", t: 0, kind: "move", x: 10, y: 20 },
      { session: "s", t: 16, kind: "down", x: 11, y: 20, button: 0 },
      { session: "s", t: 30, kind: "move", x: 15, y: 22 },
      { session: "s", t: 90, kind: "up", x: 15, y: 22, button: 0 },
      { session: "s", t: 200, kind: "down", x: 15, y: 22, button: 2 },
    ]);
  });
});

Deno.test("importSapiMouse() names file, line and field on a bad number", async () => {
  const text =
    "client timestamp,button,state,x,y\n1000,NoButton,Move,10,20\n1010,NoButton,Move,abc,20\n";
  await withFile("bad.csv", text, async (path) => {
    await assert.rejects(
      collect(importSapiMouse(path)),
      new TypeError(
        `Cannot import "${path}" line 3: field "x" is not a number`,
      ),
    );
  });
});

const BALABIT = "record timestamp,client timestamp,button,state,x,y\n" +
  "0.0,0.0,NoButton,Move,460,376\n" +
  "0.14,0.016,NoButton,Move,459,369\n" +
  "0.20,0.5,NoButton,Move,65535,65535\n" +
  "0.30,1.25,Scroll,Down,459,369\n" +
  "0.31,1.3,Scroll,Up,459,369\n" +
  "0.40,2.0,Left,Pressed,459,369\n" +
  "0.41,2.1,NoButton,Drag,470,380\n" +
  "0.50,2.2,Left,Released,470,380\n";

Deno.test("importBalabit() converts seconds, drops sentinels, maps scroll to wheel", async () => {
  await withFile("session_0001", BALABIT, async (path) => {
    const events = await collect(importBalabit(path, { session: "b" }));
    assert.deepEqual(events, [
      { session: "b", t: 0, kind: "move", x: 460, y: 376 },
      { session: "b", t: 16, kind: "move", x: 459, y: 369 },
      { session: "b", t: 1250, kind: "wheel", x: 459, y: 369, dx: 0, dy: 120 },
      { session: "b", t: 1300, kind: "wheel", x: 459, y: 369, dx: 0, dy: -120 },
      { session: "b", t: 2000, kind: "down", x: 459, y: 369, button: 0 },
      { session: "b", t: 2100, kind: "move", x: 470, y: 380 },
      { session: "b", t: 2200, kind: "up", x: 470, y: 380, button: 0 },
    ]);
  });
});

const AALTO_HEADER =
  "PARTICIPANT_ID\tTEST_SECTION_ID\tSENTENCE\tUSER_INPUT\tKEYSTROKE_ID\tPRESS_TIME\tRELEASE_TIME\tLETTER\tKEYCODE\n";
const AALTO = AALTO_HEADER +
  '7\t70\tHi "x".\tHi "x".\t1\t1000\t1100\tSHIFT\t16\n' +
  '7\t70\tHi "x".\tHi "x".\t2\t1050\t1120\tH\t72\n' +
  '7\t70\tHi "x".\tHi "x".\t3\t1200\t1260\tBKSP\t8\n' +
  "7\t71\tOk\tOk\t4\t5000\t5080\to\t79\n";

Deno.test("importAalto() keeps timing and key class only, one session per section", async () => {
  await withFile("7_keystrokes.txt", AALTO, async (path) => {
    const events = await collect(importAalto(path));
    assert.deepEqual(events, [
      { session: "aalto/7/70", t: 0, kind: "keydown", key: "other", id: 0 },
      { session: "aalto/7/70", t: 50, kind: "keydown", key: "char", id: 1 },
      { session: "aalto/7/70", t: 100, kind: "keyup", key: "other", id: 0 },
      { session: "aalto/7/70", t: 120, kind: "keyup", key: "char", id: 1 },
      {
        session: "aalto/7/70",
        t: 200,
        kind: "keydown",
        key: "backspace",
        id: 2,
      },
      { session: "aalto/7/70", t: 260, kind: "keyup", key: "backspace", id: 2 },
      { session: "aalto/7/71", t: 0, kind: "keydown", key: "char", id: 0 },
      { session: "aalto/7/71", t: 80, kind: "keyup", key: "char", id: 0 },
    ]);
    // Privacy: nothing of the letters or sentences survives.
    const text = JSON.stringify(events);
    for (const secret of ["BKSP", "Hi", "SHIFT", '"H"', "Ok"]) {
      assert.equal(text.includes(secret), false);
    }
  });
});

Deno.test("keyClass() classes key codes", async (t) => {
  const cases: [number, string][] = [
    [8, "backspace"],
    [46, "backspace"],
    [32, "char"],
    [65, "char"],
    [
      190,
      "char",
    ],
    [16, "other"],
    [13, "other"],
    [37, "other"],
  ];
  for (const [code, cls] of cases) {
    await t.step(`${code} → ${cls}`, () => assert.equal(keyClass(code), cls));
  }
});

Deno.test("importRecording() detects each format by its header", async (t) => {
  const cases: [string, string, string, number][] = [
    ["a.csv", SAPI, "sapimouse", 5],
    ["session_2", BALABIT, "balabit", 7],
    ["9_keystrokes.txt", AALTO, "aalto", 8],
  ];
  for (const [name, text, format, count] of cases) {
    await t.step(format, async () => {
      await withFile(name, text, async (path) => {
        assert.equal(await detectFormat(path), format);
        assert.equal((await collect(importRecording(path))).length, count);
      });
    });
  }
  await t.step("unknown header", async () => {
    await withFile("x.csv", "a,b\n1,2\n", async (path) => {
      await assert.rejects(
        detectFormat(path),
        new SyntaxError(
          `Cannot import "${path}" line 1: header is not SapiMouse, Balabit or Aalto`,
        ),
      );
    });
  });
});
