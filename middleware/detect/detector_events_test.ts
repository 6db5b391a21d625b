import assert from "node:assert/strict";
import { extractFeatures, FEATURE_NAMES } from "../../collector/mod.ts";
import { openTestStore } from "../../tests/detect_harness.ts";
import { loadModel } from "../../tree/mod.ts";
import { createDetector } from "./detector.ts";
import { tinyModelJson } from "./_testing.ts";
import {
  fixtureWindows,
  jitter,
  keystrokes,
  shifted,
} from "../../detect/_event_testing.ts";
import {
  type GuardEvent,
  MACHINE_SCORE,
  NEUTRAL_SCORE,
} from "../../detect/mod.ts";

// Windows with their server-decoded events (issue 12): integrity, replay, typing and touch,
// through the real detector on the embedded store, with the tiny speed_std model of _testing.ts.
const loaded = {
  model: loadModel(JSON.parse(tinyModelJson()), "tiny", FEATURE_NAMES),
  version: "tiny0001",
  path: "tiny",
};
const VERDICT = { threshold: 6, minWindows: 3, decay: 0.8 };
const EPOCH = 1_700_000_000_000;

/** An enforce-mode detector on a fresh store, and a poster of raw-event windows. */
async function eventDetector() {
  const { store, close } = await openTestStore();
  const detect = createDetector({
    store,
    model: () => loaded,
    mode: "enforce",
    verdict: VERDICT,
    loginUrl: "/login",
    minEvents: 8,
    revoke: (id, reason) => store.revokeSession(id, reason, "test"),
  });
  const post = (session: string, seq: number, events: GuardEvent[]) =>
    detect({
      session,
      seq,
      nEvents: events.length - 1,
      features: extractFeatures(
        events as Parameters<typeof extractFeatures>[0],
      ),
      events,
    });
  return { store, close, post };
}

const NONE = { action: "none" };
const LOGOUT = { action: "logout", redirect: "/login" };

Deno.test("detectWindow() flags a keyboard-only bot typing with page.type's zero delays within 3 windows", async () => {
  const { store, close, post } = await eventDetector();
  try {
    await store.touchSession("kbd_bot");
    const actions = [];
    for (let seq = 1; seq <= 3; seq++) {
      // Keys a CDP round trip apart; each window types another text (its own length), so this
      // pins the typing rule: equal texts would also match as replays at 4 ms resolution.
      const events = keystrokes(10 + seq, {
        start: EPOCH + seq * 5000,
        dwell: (i) => 0.2 + jitter(i * seq + seq),
        flight: (i) => 0.3 + jitter(i + 7 * seq),
      });
      actions.push(await post("kbd_bot", seq, events));
    }
    assert.deepEqual(actions, [NONE, NONE, LOGOUT]);
    const detail = await store.getSession("kbd_bot");
    assert.deepEqual(detail?.scores.map((s) => s.score), [
      MACHINE_SCORE,
      MACHINE_SCORE,
      MACHINE_SCORE,
    ]);
    const why = detail?.detections[0].explanation as { signals: unknown };
    assert.deepEqual(why.signals, { too_fast: 3 });
  } finally {
    await close();
  }
});

Deno.test("detectWindow() does not flag varied keyboard-only typing over 12 windows", async () => {
  const { store, close, post } = await eventDetector();
  try {
    await store.touchSession("kbd_human");
    for (let seq = 1; seq <= 12; seq++) {
      const events = keystrokes(14, {
        start: EPOCH + seq * 5000,
        key: seq % 3 === 0 ? "other" : "char", // every third window: Tab navigation
        dwell: (i) => 60 + 90 * jitter(i + 13 * seq),
        flight: (i) => 40 + 260 * jitter(i + 29 * seq),
      });
      assert.deepEqual(await post("kbd_human", seq, events), NONE);
    }
    const detail = await store.getSession("kbd_human");
    assert.equal(detail?.state, "active");
    assert.equal(detail?.detections.length, 0);
    assert.deepEqual(
      detail?.scores.map((s) => s.score),
      Array(12).fill(NEUTRAL_SCORE),
    );
  } finally {
    await close();
  }
});

Deno.test("detectWindow() flags untrusted events", async () => {
  const { store, close, post } = await eventDetector();
  try {
    const windows = await fixtureWindows();
    await store.touchSession("dispatcher");
    const actions = [];
    for (let seq = 1; seq <= 3; seq++) {
      // The fixture's human movement, dispatched by page script (isTrusted false).
      const events = shifted(windows[seq], EPOCH).map((e) =>
        e.kind === "meta" ? e : { ...e, trusted: false }
      );
      actions.push(await post("dispatcher", seq, events));
    }
    assert.deepEqual(actions, [NONE, NONE, LOGOUT]);
    const detail = await store.getSession("dispatcher");
    assert.deepEqual(detail?.scores.map((s) => s.score), [1, 1, 1]);
    const why = detail?.detections[0].explanation as {
      signals: Record<string, number>;
    };
    const untrusted = [1, 2, 3].reduce((n, i) => n + windows[i].length - 1, 0);
    assert.deepEqual(why.signals, { untrusted });
  } finally {
    await close();
  }
});

Deno.test("detectWindow() flags a window replayed from another session", async () => {
  const { store, close, post } = await eventDetector();
  try {
    const windows = await fixtureWindows();
    await store.touchSession("recorded_human");
    await store.touchSession("replayer");
    // The human's own windows: human by the model, never flagged.
    for (let seq = 1; seq <= 4; seq++) {
      assert.deepEqual(await post("recorded_human", seq, windows[seq]), NONE);
    }
    const actions = [];
    for (let seq = 1; seq <= 3; seq++) {
      actions.push(
        await post("replayer", seq, shifted(windows[seq], EPOCH + 3600_000)),
      );
    }
    assert.deepEqual(actions, [NONE, NONE, LOGOUT]);
    const human = await store.getSession("recorded_human");
    assert.deepEqual(human?.scores.map((s) => s.score), [0, 0, 0, 0]);
    const why = (await store.getSession("replayer"))?.detections[0]
      .explanation as { signals: unknown };
    assert.deepEqual(why.signals, { replay: 6 }); // exact + shape, three windows
  } finally {
    await close();
  }
});

Deno.test("detectWindow() keeps touch windows from the mouse model", async () => {
  const { store, close, post } = await eventDetector();
  try {
    await store.touchSession("thumb");
    for (let seq = 1; seq <= 4; seq++) {
      // Constant-speed strokes: the tiny model calls that a bot, but it has seen no touch.
      const events: GuardEvent[] = [
        { t: EPOCH + seq * 5000, kind: "meta", webdriver: false },
        ...Array.from({ length: 30 + seq }, (_, i): GuardEvent => ({
          t: EPOCH + seq * 5000 + i * 8.3 + jitter(i + seq),
          kind: "move",
          x: 10 + 5 * i + seq,
          y: 400 - 3 * i,
          pointer: "touch",
        })),
      ];
      assert.deepEqual(await post("thumb", seq, events), NONE);
    }
    assert.equal((await store.getSession("thumb"))?.scores.length, 0);
  } finally {
    await close();
  }
});
