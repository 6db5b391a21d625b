import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeEvents, encodeEvents, PEN, TOUCH, UNTRUSTED } from "./codec.ts";
import type { WindowEvent } from "./features.ts";

const T0 = 1_764_342_229_123.4;

Deno.test("encodeEvents() codes a hand-worked window exactly", () => {
  const events: WindowEvent[] = [
    { t: T0, kind: "meta", webdriver: true },
    { t: T0 + 16.7, kind: "move", x: 100, y: 50 },
    { t: T0 + 33.3, kind: "move", x: 103, y: 48, trusted: false },
    { t: T0 + 40, kind: "down", x: 103, y: 48, button: 0, pointer: "touch" },
    { t: T0 + 120, kind: "up", x: 104, y: 48, button: 0, pointer: "pen" },
    { t: T0 + 200, kind: "wheel", dx: 0, dy: 100.4 },
    { t: T0 + 210, kind: "keydown", key: "backspace", id: 7 },
    { t: T0 + 290, kind: "keyup", key: "backspace", id: 7 },
    { t: T0 + 300, kind: "focus" },
    { t: T0 + 301, kind: "visibility", visible: false },
  ];
  const codes = encodeEvents(events, T0);
  assert.deepEqual(codes, [
    8,
    0,
    1,
    0,
    167,
    100,
    50,
    0 + UNTRUSTED,
    166,
    3,
    -2,
    1 + TOUCH,
    67,
    0,
    0,
    0,
    2 + PEN,
    800,
    0,
    1,
    0,
    3,
    800,
    0,
    100,
    5,
    100,
    1,
    7,
    6,
    800,
    1,
    7,
    9,
    100,
    7,
    10,
    0,
  ]);
  const decoded = decodeEvents(codes, T0);
  assert.ok(decoded.ok);
  assert.deepEqual(
    decoded.events.map((e) => e.kind),
    events.map((e) => e.kind),
  );
  assert.deepEqual(decoded.events[2], {
    t: T0 + 33.3,
    kind: "move",
    x: 103,
    y: 48,
    trusted: false,
  });
  assert.deepEqual(decoded.events[3].pointer, "touch");
  assert.deepEqual(decoded.events[5], {
    t: T0 + 200,
    kind: "wheel",
    dx: 0,
    dy: 100,
  });
});

const arbEvent: fc.Arbitrary<WindowEvent> = fc.oneof(
  fc.record({
    kind: fc.constant("move" as const),
    x: fc.integer({ min: -50, max: 4000 }),
    y: fc.integer({ min: -50, max: 4000 }),
  }),
  fc.record({
    kind: fc.constantFrom("down" as const, "up" as const),
    x: fc.integer({ min: 0, max: 4000 }),
    y: fc.integer({ min: 0, max: 4000 }),
    button: fc.integer({ min: 0, max: 4 }),
    pointer: fc.constantFrom("touch" as const, "pen" as const),
  }),
  fc.record({
    kind: fc.constantFrom("wheel" as const, "scroll" as const),
    dx: fc.integer({ min: -5000, max: 5000 }),
    dy: fc.integer({ min: -5000, max: 5000 }),
  }),
  fc.record({
    kind: fc.constantFrom("keydown" as const, "keyup" as const),
    key: fc.constantFrom(
      "char" as const,
      "backspace" as const,
      "other" as const,
    ),
    id: fc.integer({ min: 0, max: 5000 }),
    trusted: fc.constant(false),
  }),
  fc.record({ kind: fc.constant("focus" as const) }),
  fc.record({
    kind: fc.constant("visibility" as const),
    visible: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("meta" as const), webdriver: fc.boolean() }),
) as fc.Arbitrary<WindowEvent>;

Deno.test("decodeEvents() inverts encodeEvents() on any window of whole-pixel events at 0.1 ms (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 50_000 }), arbEvent), {
        maxLength: 120,
      }),
      (pairs) => {
        let t = Math.round(T0 * 10);
        const events = pairs.map(([dt, e]) => ({ ...e, t: (t += dt) / 10 }));
        const decoded = decodeEvents(encodeEvents(events, T0), T0);
        assert.ok(decoded.ok);
        assert.deepEqual(decoded.events, events);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("decodeEvents() names the first bad integer of any junk and never throws (property)", () => {
  const junk = fc.oneof(
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.double(),
    fc.string({ maxLength: 3 }),
    fc.constant(null),
  );
  fc.assert(
    fc.property(fc.array(junk, { maxLength: 40 }), (codes) => {
      const result = decodeEvents(codes, T0);
      if (!result.ok) assert.match(result.field, /^e(\.\d+)?$/);
    }),
    { numRuns: 2000 },
  );
  assert.deepEqual(decodeEvents([0, 1, 2], T0), {
    ok: false,
    field: "e.0",
    reason: "truncated event",
  });
  assert.deepEqual(decodeEvents([3 + TOUCH, 0, 1, 1], T0), {
    ok: false,
    field: "e.0",
    reason: "unknown event code",
  });
  assert.deepEqual(decodeEvents([5, 0, 3, 1], T0), {
    ok: false,
    field: "e.2",
    reason: "key class must be 0..2",
  });
  assert.deepEqual(decodeEvents({ length: 3 }, T0), {
    ok: false,
    field: "e",
    reason: "must be an array",
  });
});
