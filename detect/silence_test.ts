import assert from "node:assert/strict";
import {
  DEFAULT_SILENCE_OPTIONS,
  hasBehaviour,
  initialSilence,
  isUnverified,
  newestEvidenceAt,
  noteActivity,
  noteEvidence,
  type SilenceState,
} from "./silence.ts";

/** Runs counted requests at the given times; returns the state and the time of the verdict. */
function run(times: number[], state: SilenceState = initialSilence()) {
  let at: number | null = null;
  for (const t of times) {
    const step = noteActivity(state, t);
    state = step.state;
    if (step.becameUnverified) {
      assert.equal(at, null, "the verdict comes once");
      at = t;
    }
  }
  return { state, at };
}

Deno.test("DEFAULT_SILENCE_OPTIONS are 3 requests and 15 s", () => {
  assert.deepEqual(DEFAULT_SILENCE_OPTIONS, { requests: 3, graceMs: 15_000 });
});

Deno.test("noteActivity() makes a session unverified after 3 requests spanning 15 s", async (t) => {
  await t.step("3 requests within the grace: not yet", () => {
    const { state, at } = run([0, 5_000, 14_999]);
    assert.equal(at, null);
    assert.equal(isUnverified(state), false);
    assert.deepEqual(state, {
      counted: 3,
      firstAt: 0,
      lastAt: 14_999,
      evidenceAt: null,
      unverifiedAt: null,
    });
  });
  await t.step("the third request at exactly 15 s: unverified", () => {
    const { state, at } = run([0, 5_000, 15_000]);
    assert.equal(at, 15_000);
    assert.equal(state.unverifiedAt, 15_000);
  });
  await t.step("one long read (2 requests, 10 min apart): never", () => {
    assert.equal(run([0, 600_000]).at, null);
  });
  await t.step("fast requests, then the grace passes: the next request", () => {
    assert.equal(run([0, 100, 200, 300, 15_100]).at, 15_100);
  });
  await t.step("the verdict latches: later requests do not repeat it", () => {
    const { state, at } = run([0, 1, 15_000, 20_000, 40_000]);
    assert.equal(at, 15_000);
    assert.equal(state.counted, 5);
    assert.equal(state.unverifiedAt, 15_000);
  });
  await t.step("a clock stepping back never counts as elapsed time", () => {
    assert.equal(run([20_000, 0, 1_000]).at, null);
  });
  await t.step("custom thresholds", () => {
    const a = noteActivity(initialSilence(), 0, { requests: 1, graceMs: 0 });
    assert.equal(a.becameUnverified, true);
    let s = initialSilence();
    for (const t of [0, 1_000, 2_000, 3_000]) {
      s = noteActivity(s, t, { requests: 5, graceMs: 1_000 }).state;
    }
    assert.equal(isUnverified(s), false);
  });
});

Deno.test("noteEvidence() starts the count over; an unverified session stays unverified", async (t) => {
  await t.step(
    "evidence before the verdict resets count and first time",
    () => {
      const before = run([0, 5_000]).state;
      const after = noteEvidence(before, 6_000);
      assert.equal(after.becameUnverified, false);
      assert.deepEqual(after.state, {
        counted: 0,
        firstAt: null,
        lastAt: null,
        evidenceAt: 6_000,
        unverifiedAt: null,
      });
      // A human: a page, evidence every 5 s, pages keep coming: never unverified.
      assert.equal(run([10_000, 16_000], after.state).at, null);
      assert.equal(run([10_000, 16_000, 26_000], after.state).at, 26_000);
    },
  );
  await t.step("evidence after the verdict does not undo it", () => {
    const judged = run([0, 1, 15_000]).state;
    const after = noteEvidence(judged, 16_000).state;
    assert.equal(isUnverified(after), true);
    assert.equal(after.unverifiedAt, 15_000);
    assert.equal(noteActivity(after, 17_000).becameUnverified, false);
  });
  await t.step("evidence time never moves back", () => {
    const s = noteEvidence(noteEvidence(initialSilence(), 9_000).state, 1_000);
    assert.equal(s.state.evidenceAt, 9_000);
  });
});

Deno.test("hasBehaviour() needs an event other than meta and visibility", async (t) => {
  const cases: [string, Parameters<typeof hasBehaviour>[0], boolean][] = [
    ["meta only", { events: [{ kind: "meta" }] }, false],
    ["meta and visibility", {
      events: [{ kind: "meta" }, { kind: "visibility" }],
    }, false],
    ["a move", { events: [{ kind: "meta" }, { kind: "move" }] }, true],
    ["a keydown alone", { events: [{ kind: "keydown" }] }, true],
    ["no events", { events: [] }, false],
    ["events win over a large count", {
      nEvents: 40,
      events: [{ kind: "meta" }],
    }, false],
    ["count fallback: 1 (the meta)", { nEvents: 1 }, false],
    ["count fallback: 2", { nEvents: 2 }, true],
    ["count fallback: 0", { nEvents: 0 }, false],
    ["nothing known", {}, false],
  ];
  for (const [name, window, expected] of cases) {
    await t.step(name, () => assert.equal(hasBehaviour(window), expected));
  }
});

Deno.test("newestEvidenceAt() takes the newest window with behaviour received since the time", () => {
  const at = (ms: number) => new Date(ms);
  const windows = [
    { receivedAt: at(1_000), events: [{ kind: "move" }] }, // before: not counted
    { receivedAt: at(5_000), events: [{ kind: "meta" }, { kind: "scroll" }] },
    {
      receivedAt: at(9_000),
      events: [{ kind: "meta" }, { kind: "visibility" }],
    }, // no behaviour
    { receivedAt: at(7_000), nEvents: 3 }, // not decoded: its count says behaviour
  ];
  assert.equal(newestEvidenceAt(windows, 2_000), 7_000);
  assert.equal(newestEvidenceAt(windows, 7_001), null);
  assert.equal(newestEvidenceAt(windows, 0), 7_000);
  assert.equal(newestEvidenceAt([], 0), null);
});
