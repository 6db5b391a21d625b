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
    // jump reaches each target in 1-3 events: a move per action, not a stroke.
    const moves = a.filter((e) => e.kind === "move").length;
    assert.ok(moves > (family === "jump" ? 5 : 20), `${family}: ${moves}`);
  }
});

Deno.test("familyPath() of the jump family reaches the target in one to `steps` events", () => {
  const rng = createRng(3);
  for (let i = 0; i < 50; i++) {
    const style = drawStyle("jump", rng);
    const path = familyPath({ x: 0, y: 0 }, { x: 300, y: 120 }, style, rng);
    assert.ok(path.length >= 1 && path.length <= style.jump!.steps);
    assert.deepEqual([path.at(-1)!.x, path.at(-1)!.y], [300, 120]);
    assert.equal(path[0].t, 1);
  }
});

Deno.test("familyPath() of the humanised family ends on the target with a bell-shaped speed", () => {
  const rng = createRng(4);
  const base = drawStyle("humanised", rng);
  const style = {
    ...base,
    humanised: {
      ...base.humanised!,
      duration: { mode: "fitts" as const, a: 200, b: 100, w: 40 },
      correction: 0,
      noise: 0,
      tremor: { amp: 0, hz: 8 },
      skew: 1,
      clock: { mode: "fixed" as const, period: 8, drop: 0 },
    },
  };
  const path = familyPath({ x: 0, y: 0 }, { x: 600, y: 0 }, style, rng);
  assert.deepEqual([path.at(-1)!.x, path.at(-1)!.y], [600, 0]);
  // 200 + 100·log2(600/40 + 1) = 600 ms at most ×1.25, sampled every 8 ms.
  assert.ok(path.length >= 60 && path.length <= 95, `${path.length}`);
  assert.ok(path.every((p, i) => i === 0 || p.t - path[i - 1].t === 8));
  const step = (i: number) =>
    Math.hypot(path[i].x - path[i - 1].x, path[i].y - path[i - 1].y);
  const mid = Math.floor(path.length / 2);
  assert.ok(step(mid) > 3 * step(1) && step(mid) > 3 * step(path.length - 1));
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
