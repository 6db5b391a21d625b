import assert from "node:assert/strict";
import { BOT_KINDS, generateBotSession } from "./bots.ts";
import { createRng, deriveSeed } from "./prng.ts";
import { replayWithJitter } from "./replay.ts";
import { typeKeys } from "./typing.ts";
import { linearPath } from "./motion.ts";

Deno.test("generateBotSession() is deterministic per seed and time-ordered", async (t) => {
  for (const kind of BOT_KINDS) {
    await t.step(kind, () => {
      const a = generateBotSession(kind, 11, { durationMs: 8000 });
      const b = generateBotSession(kind, 11, { durationMs: 8000 });
      const c = generateBotSession(kind, 12, { durationMs: 8000 });
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
      for (let i = 1; i < a.length; i++) {
        assert.ok(a[i].t >= a[i - 1].t, `event ${i} goes back in time`);
      }
      assert.ok(a.every((e) => e.session === `bot/${kind}/11`));
    });
  }
});

Deno.test("generateBotSession() teleport clicks without any movement", () => {
  const events = generateBotSession("teleport", 3, { durationMs: 20_000 });
  assert.equal(events.filter((e) => e.kind === "move").length, 0);
  assert.ok(events.filter((e) => e.kind === "down").length > 0);
});

Deno.test("linearPath() moves at constant speed with constant intervals", () => {
  const path = linearPath({ x: 0, y: 0 }, { x: 300, y: 400 }, {
    speed: 1,
    intervalMs: 10,
  });
  assert.equal(path.length, 50);
  assert.deepEqual(path[0], { x: 6, y: 8, t: 10 });
  assert.deepEqual(path[49], { x: 300, y: 400, t: 500 });
});

Deno.test("typeKeys() constant mode gives identical flights and dwells", () => {
  const { events, end } = typeKeys(
    "s",
    100,
    { chars: 4, typos: 0, nextId: 0 },
    {
      mode: "constant",
      intervalMs: 120,
      dwellMs: 50,
      sd: 0,
    },
    createRng(1),
  );
  assert.equal(end, 580);
  assert.deepEqual(events.filter((e) => e.kind === "keydown").map((e) => e.t), [
    100,
    220,
    340,
    460,
  ]);
  assert.deepEqual(events.filter((e) => e.kind === "keyup").map((e) => e.t), [
    150,
    270,
    390,
    510,
  ]);
  assert.ok(events.every((e) => e.key === "char"));
});

Deno.test("replayWithJitter() keeps kinds and order, changes times and positions", () => {
  const source = [
    { session: "h", t: 0, kind: "move" as const, x: 10, y: 10 },
    { session: "h", t: 20, kind: "move" as const, x: 20, y: 15 },
    { session: "h", t: 40, kind: "down" as const, x: 20, y: 15, button: 0 },
  ];
  const out = replayWithJitter(source, createRng(5), { session: "r" });
  assert.deepEqual(out.map((e) => e.kind), ["move", "move", "down"]);
  assert.ok(out.every((e) => e.session === "r"));
  assert.equal(out[0].t, 0);
  assert.ok(out[1].t > 0 && out[2].t >= out[1].t);
  assert.notDeepEqual(
    out.map((e) => [e.t, e.x, e.y]),
    source.map((e) => [e.t, e.x, e.y]),
  );
});

Deno.test("deriveSeed() separates labels and is stable", () => {
  assert.equal(deriveSeed(1, "a"), deriveSeed(1, "a"));
  assert.notEqual(deriveSeed(1, "a"), deriveSeed(1, "b"));
  assert.notEqual(deriveSeed(1, "a"), deriveSeed(2, "a"));
});
