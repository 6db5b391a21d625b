import assert from "node:assert/strict";
import { RAW_EVENT_SCHEMA } from "./schema.ts";

const RAW = [
  { t: 1000, kind: "meta", webdriver: false },
  { t: 1001, kind: "move", x: 10, y: 20 },
  { t: 1002, kind: "down", x: 10, y: 20, button: 0 },
  { t: 1003, kind: "up", x: 10, y: 20, button: 0, trusted: false },
  { t: 1004, kind: "wheel", dx: 0, dy: 120 },
  { t: 1005, kind: "scroll", dx: 0, dy: 120 },
  { t: 1006, kind: "keydown", key: "char", id: 0 },
  { t: 1007, kind: "keyup", key: "char", id: 0 },
  { t: 1008, kind: "visibility", visible: false },
];

Deno.test("RAW_EVENT_SCHEMA requires a session and rejects key values", () => {
  assert.ok(RAW_EVENT_SCHEMA.safeParse({ session: "a", ...RAW[1] }).success);
  assert.equal(
    RAW_EVENT_SCHEMA.safeParse(RAW[1]).error?.issues[0].path.join("."),
    "session",
  );
  const keyed = { session: "a", ...RAW[6], code: "KeyA" };
  assert.equal(
    RAW_EVENT_SCHEMA.safeParse(keyed).error?.issues[0].code,
    "unrecognized_keys",
  );
});

Deno.test("RAW_EVENT_SCHEMA takes touch and pen pointers and focus events, nothing else", () => {
  const ok = (e: object) => RAW_EVENT_SCHEMA.safeParse({ session: "a", ...e });
  assert.ok(ok({ ...RAW[1], pointer: "touch" }).success);
  assert.ok(ok({ ...RAW[2], pointer: "pen" }).success);
  assert.ok(ok({ t: 5, kind: "focus" }).success);
  assert.equal(ok({ ...RAW[1], pointer: "mouse" }).success, false);
  assert.equal(ok({ ...RAW[4], pointer: "touch" }).success, false);
  assert.equal(ok({ t: 5, kind: "focus", x: 1 }).success, false);
});
