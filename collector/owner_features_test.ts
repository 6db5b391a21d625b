import assert from "node:assert/strict";
import {
  ACTION_FEATURE_NAMES,
  actionFeatures,
  actionVector,
  directionBin,
  extractActionVectors,
  extractOwnerEvidence,
  extractOwnerFeatures,
  OWNER_FEATURE_NAMES,
  readJsonl,
  segmentActions,
  windowEvents,
} from "./mod.ts";
import type { WindowEvent } from "./features.ts";

const move = (t: number, x: number, y: number): WindowEvent => ({
  t,
  kind: "move",
  x,
  y,
});
const press = (
  kind: "down" | "up",
  t: number,
  x: number,
  y: number,
): WindowEvent => ({ t, kind, x, y, button: 0 });

/** A move, a pause, a point-and-click, a drag-and-drop, then one lone position. */
const EVENTS: WindowEvent[] = [
  move(0, 0, 0),
  move(100, 30, 40),
  move(200, 60, 80),
  move(900, 60, 80), // 700 ms later: a new action
  move(1000, 60, 90),
  press("down", 1100, 60, 90),
  press("up", 1200, 61, 90), // moved 1 px pressed: a click
  press("down", 1300, 61, 90),
  move(1400, 71, 90),
  press("up", 1500, 81, 90), // moved 20 px pressed: a drag
  { t: 1550, kind: "keydown", key: "char", id: 1 }, // not a pointer event
  move(1600, 81, 90), // one position: no action
];

Deno.test("segmentActions() cuts moves at pauses, then point-and-click and drag-and-drop at presses", () => {
  const actions = segmentActions(EVENTS);
  assert.deepEqual(
    actions.map((a) => [a.type, a.points.map((p) => p.t), a.clickGap]),
    [
      ["move", [0, 100, 200], NaN],
      ["click", [900, 1000, 1100], 100],
      ["drag", [1300, 1400, 1500], NaN],
    ],
  );
});

Deno.test("segmentActions() ignores touch, a release without a press and a lone press", () => {
  const actions = segmentActions([
    press("up", 0, 5, 5),
    { t: 10, kind: "move", x: 0, y: 0, pointer: "touch" },
    { t: 20, kind: "move", x: 50, y: 0, pointer: "touch" },
    move(30, 0, 0),
    move(40, 3, 4),
    press("down", 50, 3, 4),
  ]);
  assert.deepEqual(actions, [{
    type: "move",
    points: [{ t: 30, x: 0, y: 0 }, { t: 40, x: 3, y: 4 }],
    clickGap: NaN,
  }]);
});

/** Right 10 px, right 30 px, then down 30 px, 100 ms apart. */
const BENT = [
  move(0, 0, 0),
  move(100, 10, 0),
  move(200, 40, 0),
  move(300, 40, 30),
];

Deno.test("actionFeatures() measures a bent, accelerating move exactly", () => {
  const [action] = segmentActions(BENT);
  const m = actionFeatures(action);
  assert.equal(m.duration, 0.3);
  assert.equal(m.path, 70);
  assert.equal(m.straightness, 50 / 70);
  assert.ok(Math.abs(m.speed - 70 / 0.3) < 1e-9);
  assert.equal(m.speedMax, 300);
  // Speeds 100, 300, 300 px/s at midpoints 0.05, 0.15, 0.25 s: accelerations 2000 and 0.
  assert.ok(Math.abs(m.accelPos - 1000) < 1e-6);
  assert.ok(Number.isNaN(m.accelNeg));
  assert.ok(Math.abs(m.curvature - Math.PI / 2 / 70) < 1e-12);
  // (40, 0) is 24 px from the line (0, 0)–(40, 30).
  assert.equal(m.deviation, 24);
  assert.ok(Math.abs(m.peakTime - 0.2 / 0.3) < 1e-12);
});

Deno.test("actionFeatures() keeps the last of positions with equal times", () => {
  const m = actionFeatures({
    type: "move",
    points: [{ t: 0, x: 0, y: 0 }, { t: 0, x: 9, y: 9 }, {
      t: 100,
      x: 12,
      y: 13,
    }],
    clickGap: NaN,
  });
  assert.equal(m.path, 5);
  assert.equal(m.speed, 50);
});

Deno.test("directionBin() bins by 45° counter-clockwise on screen (y grows downwards)", async (t) => {
  const cases: [number, number, number][] = [
    [1, 0, 0],
    [1, -1, 1],
    [0, -1, 2],
    [-1, 0, 4],
    [0, 1, 6],
    [1, 1, 7],
    [1, 0.3, 0],
  ];
  for (const [dx, dy, bin] of cases) {
    await t.step(`(${dx}, ${dy}) → ${bin}`, () => {
      assert.equal(directionBin(dx, dy), bin);
    });
  }
});

Deno.test("extractOwnerFeatures() of the bent move: action means, per-axis and per-direction values", () => {
  const f = extractOwnerFeatures(BENT);
  assert.deepEqual(Object.keys(f), [...OWNER_FEATURE_NAMES]);
  assert.equal(f.act_count, 1);
  assert.equal(f.act_move_share, 1);
  assert.equal(f.act_click_share, 0);
  assert.equal(f.act_drag_share, 0);
  assert.equal(f.act_path, 70);
  assert.equal(f.act_deviation, 24);
  assert.ok(Number.isNaN(f.click_gap));
  // x velocities 100, 300, 0; y velocities 0, 0, 300 (px/s).
  assert.ok(Math.abs(f.vx_abs - 400 / 3) < 1e-9);
  assert.ok(Math.abs(f.vy_abs - 100) < 1e-9);
  assert.ok(Math.abs(f.vx_std - Math.sqrt(140000 / 9)) < 1e-9);
  assert.ok(Math.abs(f.vy_std - Math.sqrt(20000)) < 1e-9);
  // 40 px right in 0.2 s, 30 px down in 0.1 s.
  assert.equal(f.dir_share_0, 40 / 70);
  assert.equal(f.dir_share_6, 30 / 70);
  assert.equal(f.dir_share_2, 0);
  assert.equal(f.dir_speed_0, 200);
  assert.equal(f.dir_speed_6, 300);
  assert.ok(Number.isNaN(f.dir_speed_2));
});

Deno.test("extractOwnerFeatures() of the three actions: type shares and the click's approach", () => {
  const f = extractOwnerFeatures(EVENTS);
  assert.equal(f.act_count, 3);
  assert.equal(f.act_move_share, 1 / 3);
  assert.equal(f.act_click_share, 1 / 3);
  assert.equal(f.act_drag_share, 1 / 3);
  assert.equal(f.click_gap, 100);
  // Durations 0.2, 0.2 and 0.2 s.
  assert.ok(Math.abs(f.act_duration - 0.2) < 1e-12);
});

Deno.test("extractOwnerFeatures() of a window without pointer movement is all missing but the count", () => {
  const f = extractOwnerFeatures([{
    t: 0,
    kind: "keydown",
    key: "char",
    id: 1,
  }]);
  assert.equal(f.act_count, 0);
  const others = OWNER_FEATURE_NAMES.filter((n) => n !== "act_count");
  assert.deepEqual(others.filter((n) => !Number.isNaN(f[n])), []);
});

Deno.test("actionVector() of the bent move: type, measures, direction and per-axis values", () => {
  const [action] = segmentActions(BENT);
  const v = actionVector(action)!;
  assert.equal(v.length, ACTION_FEATURE_NAMES.length);
  const expected: Record<string, number> = {
    type: 0,
    duration: 0.3,
    path: 70,
    chord: 50,
    straightness: 50 / 70,
    speed: 70 / 0.3,
    speed_max: 300,
    accel_pos: 1000,
    accel_neg: NaN,
    curvature: Math.PI / 2 / 70,
    deviation: 24,
    peak_time: 0.2 / 0.3,
    click_gap: NaN,
    direction: 7, // right and down
    chord_dx: 40,
    chord_dy: 30,
    vx_mean: 400 / 3,
    vy_mean: 100,
    vx_std: Math.sqrt(140000 / 9),
    vy_std: Math.sqrt(20000),
  };
  ACTION_FEATURE_NAMES.forEach((name, i) => {
    const want = expected[name];
    if (Number.isNaN(want)) assert.ok(Number.isNaN(v[i]), name);
    else assert.ok(Math.abs(v[i] - want) < 1e-6, `${name}: ${v[i]} ≠ ${want}`);
  });
});

Deno.test("extractActionVectors() drops actions shorter than MIN_ACTION_PATH_PX", () => {
  // The click approach moves 10 px, the drag 20 px, the first move 100 px: all kept, in order.
  assert.deepEqual(extractActionVectors(EVENTS).map((v) => v[0]), [0, 1, 2]);
  // A 3-px wiggle is no action.
  assert.deepEqual(extractActionVectors([move(0, 0, 0), move(50, 3, 0)]), []);
});

Deno.test("extractOwnerEvidence() reads the actions once and gives exactly the features and vectors of the two separate readings, on recorded human windows", async () => {
  const recorded = await readJsonl(
    new URL("../tests/fixtures/human_sapimouse_user50.jsonl", import.meta.url)
      .pathname,
  );
  const windows = [EVENTS, ...windowEvents(recorded, { windowMs: 5000 })];
  assert.ok(windows.length > 10);
  for (const events of windows) {
    assert.deepEqual(extractOwnerEvidence(events), {
      features: extractOwnerFeatures(events),
      actions: extractActionVectors(events),
    });
  }
});
