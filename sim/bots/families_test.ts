import assert from "node:assert/strict";
import { throughDevice } from "./augment.ts";
import {
  BOT_FAMILIES,
  drawStyle,
  familyPath,
  generateFamilySession,
} from "./families.ts";
import { createRng } from "./prng.ts";
import type { RawEvent } from "../../collector/mod.ts";

Deno.test("generateFamilySession() is deterministic, time-ordered and clicks in every family", () => {
  for (const family of BOT_FAMILIES) {
    const a = generateFamilySession(family, 11, { durationMs: 20_000 });
    assert.deepEqual(
      generateFamilySession(family, 11, { durationMs: 20_000 }),
      a,
    );
    assert.ok(a.every((e, i) => i === 0 || e.t >= a[i - 1].t), family);
    assert.ok(a.some((e) => e.kind === "down"), family);
    assert.ok(a.filter((e) => e.kind === "move").length > 20, family);
  }
});

Deno.test("drawStyle() spans slow WebDriver crawls to fast sweeps at 8-240 Hz", () => {
  const rng = createRng(5);
  const speeds: number[] = [], rates: number[] = [];
  for (let i = 0; i < 500; i++) {
    const s = drawStyle("straight", rng);
    speeds.push(s.speed * 1000);
    rates.push(1000 / s.intervalMs);
  }
  assert.ok(Math.min(...speeds) >= 5 && Math.min(...speeds) < 10);
  assert.ok(Math.max(...speeds) <= 5000 && Math.max(...speeds) > 3000);
  assert.ok(Math.min(...rates) >= 8 && Math.min(...rates) < 10);
  assert.ok(Math.max(...rates) <= 240 && Math.max(...rates) > 200);
  for (let i = 0; i < 100; i++) {
    const s = drawStyle("slow", rng);
    assert.ok(s.speed * 1000 >= 5 && s.speed * 1000 <= 80);
  }
});

Deno.test("familyPath() of a straight family moves at the drawn speed along the line", () => {
  const style = {
    ...drawStyle("straight", createRng(1)),
    speed: 0.05, // 50 px/s
    intervalMs: 20,
    intervalJitter: 0,
    noise: 0,
    pauseProb: 0,
    easing: "none" as const,
  };
  const path = familyPath(
    { x: 0, y: 0 },
    { x: 100, y: 0 },
    style,
    createRng(2),
  );
  assert.equal(path.at(-1)!.x, 100);
  assert.equal(path.at(-1)!.t, 2000); // 100 px at 50 px/s
  assert.ok(path.every((p) => p.y === 0));
  assert.equal(path.length, 100);
});

Deno.test("throughDevice() drops moves faster than the report rate, ticks the clock and scales", () => {
  const events: RawEvent[] = [];
  for (let t = 0; t < 1000; t += 5) {
    events.push({ session: "s", t, kind: "move", x: t / 5, y: 10 });
  }
  events.push({ session: "s", t: 1003, kind: "down", x: 7, y: 9, button: 0 });
  events.push({ session: "s", t: 1004, kind: "up", x: 7, y: 9, button: 0 });
  events.push({ session: "s", t: 1009, kind: "keydown", key: "char", id: 1 });
  const out = throughDevice(events, { rateHz: 20, tickMs: 10, scale: 2 });
  const moves = out.filter((e) => e.kind === "move");
  assert.equal(moves.length, 20); // one per 50 ms
  assert.deepEqual(moves[1], {
    session: "s",
    t: 50,
    kind: "move",
    x: 20,
    y: 20,
  });
  assert.deepEqual(out.slice(-3).map((e) => [e.kind, e.t, e.x]), [
    ["down", 1000, 14],
    ["up", 1000, 14],
    ["keydown", 1000, undefined],
  ]);
});
