import assert from "node:assert/strict";
import fc from "fast-check";
import {
  EVENT_KINDS,
  extractFeatures,
  FEATURE_LIMIT,
  FEATURE_NAMES,
  featureRow,
  type RawEvent,
  windowEvents,
} from "./features.ts";

const S = "s1";
const ev = (
  t: number,
  kind: RawEvent["kind"],
  more: Partial<RawEvent> = {},
): RawEvent => ({
  session: S,
  t,
  kind,
  ...more,
});
const move = (t: number, x: number, y: number) => ev(t, "move", { x, y });

/** Two strokes split by a 160 ms pause, one same-time duplicate and one zero-length segment. */
const MOVES: RawEvent[] = [
  move(0, 0, 0),
  move(10, 3, 4),
  move(20, 3, 10),
  move(40, 3, 10),
  move(200, 13, 10),
  move(210, 50, 50),
  move(210, 13, 20),
  move(220, 13, 30),
];

const popStd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

function assertClose(actual: number, expected: number, name: string) {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${name}: expected ${expected}, got ${actual}`,
  );
}

Deno.test("extractFeatures() movement kinematics on a hand-worked path", () => {
  const f = extractFeatures(MOVES);
  // Collapsed moves: (0,0,0) (10,3,4) (20,3,10) (40,3,10) | (200,13,10) (210,13,20) (220,13,30).
  const speeds = [500, 600, 0, 1000, 1000];
  const accels = [10_000, 40_000, 0];
  const intervals = [10, 10, 20, 160, 10, 10];
  const expected: Record<string, number> = {
    mouse_dx_mean: 13 / 6,
    mouse_dy_mean: 30 / 6,
    speed_mean: 620,
    speed_std: Math.sqrt(137_600),
    speed_max: 1000,
    accel_mean: 50_000 / 3,
    accel_std: popStd(accels),
    jerk_mean: 4_000_000,
    curvature_mean: Math.atan(0.75) / 2,
    straightness: (Math.sqrt(109) / 11 + 1) / 2,
    pause_share: 160 / 220,
    interval_mean: 220 / 6,
    interval_std: popStd(intervals),
    interval_cv: popStd(intervals) / (220 / 6),
    // In-stroke Δt 10, 10, 20, 10, 10: four within ±1 ms of the mode (10).
    interval_mode_share: 4 / 5,
  };
  assertClose(popStd(speeds), Math.sqrt(137_600), "speed_std check");
  for (const [name, value] of Object.entries(expected)) {
    assertClose(f[name as keyof typeof f], value, name);
  }
});

Deno.test("extractFeatures() interval_mode_share: quantised device timing against drawn intervals", () => {
  const at = (dts: number[]) => {
    let t = 0;
    return extractFeatures(
      [move(0, 0, 0), ...dts.map((d, i) => move(t += d, 5 * (i + 1), 0))],
    ).interval_mode_share;
  };
  // A browser at 60 Hz: fractional frame times round to 17, one dropped frame (33.4).
  assertClose(at([16.6, 16.8, 16.7, 33.4]), 3 / 4, "60 Hz frames");
  // Ties go to the shortest interval: 5 and 9 twice each, mode 5, so 5, 5 (and none of 9).
  assertClose(at([5, 9, 5, 9]), 2 / 4, "tie");
  // Intervals drawn from a continuous distribution spread: only the mode (7, the shortest) itself.
  assertClose(at([7, 12, 15, 19, 24, 30]), 1 / 6, "spread");
  // Gaps over 100 ms are pauses, not intervals: four in-stroke 8s, or three (too few: NaN).
  assertClose(at([8, 8, 8, 150, 8]), 1, "pause skipped");
  assert.ok(Number.isNaN(at([8, 8, 150, 8])));
});

Deno.test("extractFeatures() clicks: count, dwell per button, teleport share", () => {
  const f = extractFeatures([
    ...MOVES,
    ev(300, "down", { button: 0 }),
    ev(380, "up", { button: 0 }),
    ev(1000, "down", { button: 0 }),
    ev(1100, "up", { button: 0 }),
    ev(1200, "down", { button: 2 }),
    ev(1250, "up", { button: 2 }),
  ]);
  assert.equal(f.click_count, 2);
  assertClose(f.click_dwell_mean, 230 / 3, "click_dwell_mean");
  assertClose(f.click_dwell_std, popStd([80, 100, 50]), "click_dwell_std");
  assertClose(f.click_no_move_share, 2 / 3, "click_no_move_share");
});

Deno.test("extractFeatures() keys: dwell by id, up-down flight, backspace ratio", () => {
  const f = extractFeatures([
    ev(2000, "keydown", { key: "char", id: 1 }),
    ev(2050, "keydown", { key: "char", id: 2 }),
    ev(2080, "keyup", { key: "char", id: 1 }),
    ev(2120, "keyup", { key: "char", id: 2 }),
    ev(2200, "keydown", { key: "backspace", id: 3 }),
    ev(2260, "keyup", { key: "backspace", id: 3 }),
    ev(2400, "keydown", { key: "other", id: 4 }),
  ]);
  assert.equal(f.typing_speed, 0.8);
  assertClose(f.key_dwell_mean, 70, "key_dwell_mean");
  assertClose(f.key_dwell_std, popStd([80, 70, 60]), "key_dwell_std");
  assertClose(f.key_flight_mean, 190 / 3, "key_flight_mean");
  assertClose(f.key_flight_std, popStd([-30, 80, 140]), "key_flight_std");
  assert.equal(f.backspace_ratio, 0.25);
  assert.equal(f.click_count, 0);
  assert.ok(Number.isNaN(f.speed_mean) && Number.isNaN(f.click_dwell_mean));
});

Deno.test("extractFeatures() scroll, untrusted share and webdriver", () => {
  const events = [
    ev(0, "meta", { webdriver: false }),
    ev(3000, "wheel", { dx: 0, dy: 100 }),
    ev(3010, "scroll", { dx: 0, dy: 100 }),
    ev(3100, "wheel", { dx: -20, dy: 0 }),
    ev(3120, "scroll", { dx: -20, dy: 0, trusted: false }),
  ];
  const f = extractFeatures(events, { windowMs: 4000 });
  assert.equal(f.scroll_speed, 240 / 4);
  assertClose(
    f.scroll_interval_cv,
    popStd([10, 90, 20]) / 40,
    "scroll_interval_cv",
  );
  assert.equal(f.untrusted_share, 0.25);
  assert.equal(f.webdriver, 0);
  assert.equal(
    extractFeatures(events.slice(1), { webdriver: true }).webdriver,
    1,
  );
  assert.ok(Number.isNaN(extractFeatures(events.slice(1)).webdriver));
  assert.equal(extractFeatures(events.slice(1)).scroll_speed, 48);
});

Deno.test("extractFeatures() absent modalities are NaN, counts and rates are 0", () => {
  const f = extractFeatures([]);
  for (const name of FEATURE_NAMES) {
    const expected =
      ["click_count", "typing_speed", "scroll_speed"].includes(name) ? 0 : NaN;
    assert.ok(Object.is(f[name], expected), `${name}: ${f[name]}`);
  }
  assert.deepEqual(Object.keys(f).sort(), [...FEATURE_NAMES].sort());
});

Deno.test("extractFeatures() sorts out-of-order events first", () => {
  // Reversing swaps the two t=210 moves (the kept one would differ): compare without them.
  const plain = MOVES.filter((e) => e.t !== 210);
  const a = extractFeatures(plain);
  const b = extractFeatures([...plain].reverse());
  assert.deepEqual(featureRow(a), featureRow(b));
  assert.equal(a.speed_max, 1000);
});

Deno.test("extractFeatures() saturates huge values at FEATURE_LIMIT", () => {
  const f = extractFeatures([
    ev(0, "wheel", { dx: 0, dy: 1e300 }),
    ev(1, "wheel", { dy: 1e300 }),
  ]);
  assert.equal(f.scroll_speed, FEATURE_LIMIT);
});

Deno.test("windowEvents() splits, drops sparse windows and carries meta forward", () => {
  const events: RawEvent[] = [
    ev(100, "meta", { webdriver: false }),
    ...Array.from({ length: 8 }, (_, i) => move(100 + i * 100, i, i)),
    move(5200, 1, 1), // window 1 has one event: dropped
    ...Array.from({ length: 9 }, (_, i) => move(10_100 + i * 10, i, 0)),
  ];
  const windows = windowEvents(events, { windowMs: 5000, minEvents: 8 });
  assert.equal(windows.length, 2);
  assert.deepEqual(windows[0].map((e) => e.t), [
    100,
    100,
    200,
    300,
    400,
    500,
    600,
    700,
    800,
  ]);
  assert.equal(windows[1][0].kind, "meta");
  assert.equal(windows[1].length, 10);
  assert.equal(windowEvents(events, { minEvents: 10 }).length, 0);
  assert.throws(() => windowEvents(events, { windowMs: 0 }), RangeError);
});

Deno.test("featureRow() follows FEATURE_NAMES order", () => {
  const f = extractFeatures(MOVES);
  const row = featureRow(f);
  assert.equal(row.length, FEATURE_NAMES.length);
  assert.equal(row[FEATURE_NAMES.indexOf("speed_max")], 1000);
  assert.equal(row[0], f.mouse_dx_mean);
});

const arbEvent: fc.Arbitrary<RawEvent> = fc.record({
  session: fc.constant(S),
  t: fc.oneof(
    fc.integer({ min: 0, max: 20_000 }),
    fc.double({ min: 0, max: 1e13, noNaN: true }),
  ),
  kind: fc.constantFrom(...EVENT_KINDS),
  x: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
    nil: undefined,
  }),
  y: fc.option(fc.integer({ min: -5000, max: 5000 }), { nil: undefined }),
  button: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  dx: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
    nil: undefined,
  }),
  dy: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
    nil: undefined,
  }),
  key: fc.option(fc.constantFrom("char", "backspace", "other" as const), {
    nil: undefined,
  }),
  id: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  trusted: fc.option(fc.boolean(), { nil: undefined }),
  webdriver: fc.option(fc.boolean(), { nil: undefined }),
}, { requiredKeys: ["session", "t", "kind"] });

Deno.test("extractFeatures() never throws and keeps its number promises (property)", () => {
  fc.assert(
    fc.property(fc.array(arbEvent, { maxLength: 60 }), (events) => {
      const f = extractFeatures(events);
      for (
        const name of ["click_count", "typing_speed", "scroll_speed"] as const
      ) {
        assert.ok(Number.isFinite(f[name]), `${name} is ${f[name]}`);
      }
      if (events.some((e) => e.kind !== "meta")) {
        assert.ok(Number.isFinite(f.untrusted_share));
      }
      for (const name of FEATURE_NAMES) {
        const v = f[name];
        assert.ok(
          Number.isNaN(v) || Math.abs(v) <= FEATURE_LIMIT,
          `${name} is ${v}`,
        );
      }
      for (const w of windowEvents(events, { windowMs: 1000, minEvents: 2 })) {
        assert.ok(w.filter((e) => e.kind !== "meta").length >= 2);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("extractFeatures() is invariant to time shifts and 90° rotations (property)", () => {
  const arbMoves = fc.array(
    fc.record({
      dt: fc.integer({ min: 0, max: 150 }),
      x: fc.integer({ min: -2000, max: 2000 }),
      y: fc.integer({ min: -2000, max: 2000 }),
    }),
    { minLength: 2, maxLength: 40 },
  );
  fc.assert(
    fc.property(arbMoves, fc.integer({ min: 1, max: 1e9 }), (steps, shift) => {
      let t = 0;
      const events = steps.map((s) => move(t += s.dt, s.x, s.y));
      const base = extractFeatures(events);
      const shifted = extractFeatures(
        events.map((e) => ({ ...e, t: e.t + shift })),
      );
      const rotated = extractFeatures(
        events.map((e) => ({ ...e, x: -(e.y as number), y: e.x })),
      );
      for (const name of FEATURE_NAMES) {
        const swap = name === "mouse_dx_mean"
          ? "mouse_dy_mean"
          : name === "mouse_dy_mean"
          ? "mouse_dx_mean"
          : name;
        for (
          const [other, value] of [["shifted", shifted[name]], [
            "rotated",
            rotated[swap],
          ]] as const
        ) {
          const expected = base[name];
          const ok = Number.isNaN(expected)
            ? Number.isNaN(value)
            : Math.abs(value - expected) <=
              1e-9 * Math.max(1, Math.abs(expected));
          assert.ok(ok, `${other} ${name}: ${value} vs ${expected}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});
