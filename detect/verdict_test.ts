import assert from "node:assert/strict";
import {
  DEFAULT_CLIP,
  initialEvidence,
  sessionVerdict,
  stepEvidence,
  verdictOptionsOf,
  windowLogOdds,
} from "./verdict.ts";

const OPTIONS = { threshold: 6, minWindows: 3, decay: 0.8 };

Deno.test("windowLogOdds() clips and treats NaN as no evidence", async (t) => {
  const cases: [number, number][] = [
    [0.5, 0],
    [1, DEFAULT_CLIP],
    [0, -DEFAULT_CLIP],
    [Number.NaN, 0],
    [0.9, Math.log(9)],
    [0.2, Math.log(0.25)],
  ];
  for (const [score, expected] of cases) {
    await t.step(`score ${score}`, () => {
      assert.ok(Math.abs(windowLogOdds(score) - expected) < 1e-12);
    });
  }
  assert.equal(windowLogOdds(1, 2), 2);
});

Deno.test("stepEvidence() decays then adds the window's log-odds", () => {
  const s1 = stepEvidence(initialEvidence(), 0.9, OPTIONS);
  assert.ok(Math.abs(s1.evidence - Math.log(9)) < 1e-12);
  const s2 = stepEvidence(s1, 0.5, OPTIONS);
  assert.ok(Math.abs(s2.evidence - 0.8 * Math.log(9)) < 1e-12);
  assert.equal(s2.windows, 2);
  assert.equal(s2.detectedAt, null);
});

Deno.test("sessionVerdict() waits for minWindows before a bot verdict", () => {
  // Two certain windows give 5 + 0.8·5 = 9 ≥ 6, but minWindows is 3.
  const two = sessionVerdict([1, 1], OPTIONS);
  assert.equal(two.verdict, "human");
  assert.equal(two.detectedAt, null);
  const three = sessionVerdict([1, 1, 1], OPTIONS);
  assert.equal(three.verdict, "bot");
  assert.equal(three.detectedAt, 3);
  assert.ok(Math.abs(three.evidence - (5 + 0.8 * 5 + 0.64 * 5)) < 1e-12);
});

Deno.test("sessionVerdict() is not moved by one odd window among human ones", () => {
  const scores = [0.1, 0.05, 1, 0.1, 0.2, 1, 0.1, 0.1];
  const v = sessionVerdict(scores, OPTIONS);
  assert.equal(v.verdict, "human");
  assert.equal(v.windows, 8);
});

Deno.test("sessionVerdict() catches a bot taking over after a human stretch", () => {
  const human = Array.from({ length: 50 }, () => 0);
  const v = sessionVerdict([...human, 1, 1, 1, 1], OPTIONS);
  // E after 50 human windows ≈ −25; four certain windows: −25·0.8⁴ + 5·(1+0.8+0.64+0.512) ≈ 4.5,
  // the fifth lifts it to 4.5·0.8 + 5 ≈ 8.6 ≥ 6.
  assert.equal(v.verdict, "human");
  const w = sessionVerdict([...human, 1, 1, 1, 1, 1, 1], OPTIONS);
  assert.equal(w.verdict, "bot");
  assert.equal(w.detectedAt, 55);
});

Deno.test("sessionVerdict() latches the first detection", () => {
  const v = sessionVerdict([1, 1, 1, 0, 0, 0, 0], OPTIONS);
  assert.equal(v.verdict, "bot");
  assert.equal(v.detectedAt, 3);
  assert.ok(v.evidence < 6);
});

Deno.test("sessionVerdict() of no scores is human with no evidence", () => {
  assert.deepEqual(sessionVerdict([], OPTIONS), {
    evidence: 0,
    windows: 0,
    detectedAt: null,
    verdict: "human",
  });
});

const AMBIGUOUS = {
  ...OPTIONS,
  ambiguity: { windows: 4, humanness: 0.7 },
};

Deno.test("stepEvidence() flags an unknown bot that is never positively human (open-set rule)", () => {
  // Bot score 0.3 (the bot model does not know this kind) and humanness 0.2: nothing like a
  // person, window after window. Log-odds alone would never get there (they are negative).
  const scores = [0.3, 0.3, 0.3, 0.3, 0.3];
  const human = [0.2, 0.2, 0.2, 0.2, 0.2];
  assert.equal(sessionVerdict(scores, OPTIONS, human).detectedAt, null);
  const v = sessionVerdict(scores, AMBIGUOUS, human);
  assert.equal(v.detectedAt, 4);
  assert.equal(v.sinceHuman, 5);
});

Deno.test("stepEvidence() resets the ambiguity run on a positively human window", () => {
  const scores = [0.3, 0.3, 0.3, 0.1, 0.3, 0.3, 0.3];
  // Window 4 is positively human (bot 0.1 < 0.5, humanness 0.9 ≥ 0.7).
  const human = [0.2, 0.2, 0.2, 0.9, 0.2, 0.2, 0.2];
  const v = sessionVerdict(scores, AMBIGUOUS, human);
  assert.equal(v.detectedAt, null);
  assert.equal(v.sinceHuman, 3);
  // Humanness high but the bot model's score 0.6 ≥ 0.5: not positively human.
  assert.equal(
    sessionVerdict([0.6, 0.6, 0.6, 0.6], AMBIGUOUS, [0.9, 0.9, 0.9, 0.9])
      .detectedAt,
    4,
  );
});

Deno.test("stepEvidence() leaves the ambiguity run alone for windows the model did not score", () => {
  // Keyboard-only or touch windows carry no humanness: they neither count nor reset.
  let state = initialEvidence();
  for (let i = 0; i < 10; i++) state = stepEvidence(state, 0.2, AMBIGUOUS);
  assert.equal(state.detectedAt, null);
  assert.equal(state.sinceHuman, undefined);
  for (let i = 0; i < 3; i++) state = stepEvidence(state, 0.2, AMBIGUOUS, 0.1);
  assert.equal(state.sinceHuman, 3);
  assert.equal(state.detectedAt, null);
  state = stepEvidence(state, 0.2, AMBIGUOUS);
  assert.equal(state.sinceHuman, 3);
  state = stepEvidence(state, 0.2, AMBIGUOUS, 0.1);
  assert.equal(state.detectedAt, 15);
});

Deno.test("verdictOptionsOf() maps VERDICT_* and turns the ambiguity rule off at 0 windows", () => {
  const c = {
    VERDICT_THRESHOLD: 2,
    VERDICT_MIN_WINDOWS: 3,
    VERDICT_DECAY: 0.8,
    VERDICT_CLIP: 3,
    VERDICT_AMBIGUOUS_WINDOWS: 5,
    VERDICT_AMBIGUOUS_HUMANNESS: 0.6,
  };
  assert.deepEqual(verdictOptionsOf(c), {
    threshold: 2,
    minWindows: 3,
    decay: 0.8,
    clip: 3,
    ambiguity: { windows: 5, humanness: 0.6 },
  });
  assert.deepEqual(verdictOptionsOf({ ...c, VERDICT_AMBIGUOUS_WINDOWS: 0 }), {
    threshold: 2,
    minWindows: 3,
    decay: 0.8,
    clip: 3,
  });
});
