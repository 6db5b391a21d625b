import assert from "node:assert/strict";
import { FEATURE_NAMES } from "../../collector/mod.ts";
import { openTestStore } from "../../tests/detect_harness.ts";
import { loadModel } from "../../tree/mod.ts";
import { createDetector, scoreWindow } from "./detector.ts";
import { tinyModelJson, vectorWith } from "./_testing.ts";

const loaded = {
  model: loadModel(JSON.parse(tinyModelJson()), "tiny", FEATURE_NAMES),
  version: "tiny0001",
  path: "tiny",
};
const VERDICT = { threshold: 6, minWindows: 3, decay: 0.8 };

Deno.test("scoreWindow() is 1 − P(human)", () => {
  assert.equal(scoreWindow(loaded.model, vectorWith(0)), 1);
  assert.equal(scoreWindow(loaded.model, vectorWith(900)), 0);
});

Deno.test("createDetector() in enforce mode revokes, records and alerts once", async () => {
  const { store, close } = await openTestStore();
  const revoked: string[] = [];
  try {
    const detect = createDetector({
      store,
      model: () => loaded,
      mode: "enforce",
      verdict: VERDICT,
      loginUrl: "/login",
      minEvents: 8,
      revoke: async (id, reason) => {
        revoked.push(`${id}:${reason}`);
        await store.revokeSession(id, reason, "test");
      },
    });
    await store.touchSession("bot_session_1");
    await store.touchSession("human_session_1");
    const bot = (seq: number) =>
      detect({ session: "bot_session_1", seq, features: vectorWith(0) });
    const human = (seq: number) =>
      detect({ session: "human_session_1", seq, features: vectorWith(900) });
    assert.deepEqual(
      await detect({
        session: "bot_session_1",
        seq: 0,
        nEvents: 7,
        features: vectorWith(0),
      }),
      { action: "none" },
    );
    assert.deepEqual(await bot(1), { action: "none" });
    assert.deepEqual(await human(1), { action: "none" });
    assert.deepEqual(await bot(2), { action: "none" });
    assert.deepEqual(await bot(3), { action: "logout", redirect: "/login" });
    assert.deepEqual(await bot(4), { action: "logout", redirect: "/login" });
    // A near-empty window is no evidence, but the detected session still hears the logout.
    assert.deepEqual(
      await detect({
        session: "bot_session_1",
        seq: 5,
        nEvents: 2,
        features: vectorWith(0),
      }),
      { action: "logout", redirect: "/login" },
    );
    for (let seq = 2; seq <= 10; seq++) {
      assert.deepEqual(await human(seq), { action: "none" });
    }
    assert.deepEqual(revoked, ["bot_session_1:bot detected by the guard"]);

    const detail = await store.getSession("bot_session_1");
    assert.ok(detail);
    assert.equal(detail.state, "revoked");
    assert.deepEqual(
      detail.scores.map((s) => [s.seq, s.score, s.verdict, s.modelVersion]),
      [
        [1, 1, "pending", "tiny0001"],
        [2, 1, "pending", "tiny0001"],
        [3, 1, "bot", "tiny0001"],
        [4, 1, "bot", "tiny0001"],
      ],
    );
    assert.equal(detail.detections.length, 1);
    const why = detail.detections[0].explanation as Record<string, unknown>;
    assert.equal(why.mode, "enforce");
    assert.equal(why.action, "logged out");
    assert.equal(why.windows, 3);
    assert.deepEqual(why.scores, [1, 1, 1]);
    assert.equal(why.evidence, 5 + 0.8 * 5 + 0.64 * 5);
    assert.deepEqual(why.topFeatures, [{
      feature: "speed_std",
      importance: 1,
    }]);
    assert.deepEqual(why.path, [
      {
        feature: "speed_std",
        threshold: (4.75 + 200) / 2,
        value: 0,
        wentLeft: true,
      },
    ]);

    const human1 = await store.getSession("human_session_1");
    assert.equal(human1?.state, "active");
    assert.equal(human1?.detections.length, 0);

    const alerts = await store.claimDueAlerts(10);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].session, "bot_session_1");
    assert.equal(alerts[0].dedupeKey, "detection:bot_session_1");
    assert.deepEqual(alerts[0].payload, why);
  } finally {
    await close();
  }
});

Deno.test("createDetector() in monitor mode records the verdict and does not act", async () => {
  const { store, close } = await openTestStore();
  const revoked: string[] = [];
  try {
    const detect = createDetector({
      store,
      model: () => loaded,
      mode: "monitor",
      verdict: VERDICT,
      loginUrl: "/login",
      revoke: (id) => {
        revoked.push(id);
        return Promise.resolve();
      },
    });
    await store.touchSession("bot_session_2");
    for (let seq = 1; seq <= 5; seq++) {
      assert.deepEqual(
        await detect({
          session: "bot_session_2",
          seq,
          features: vectorWith(1),
        }),
        { action: "none" },
      );
    }
    assert.deepEqual(revoked, []);
    const detail = await store.getSession("bot_session_2");
    assert.equal(detail?.state, "active");
    assert.equal(detail?.detections.length, 1);
    assert.equal(
      (detail?.detections[0].explanation as { action: string }).action,
      "none (monitor mode)",
    );
    assert.equal((await store.claimDueAlerts(10)).length, 1);
  } finally {
    await close();
  }
});

Deno.test("createDetector() rebuilds a session's evidence from stored scores after a restart", async () => {
  const { store, close } = await openTestStore();
  try {
    const make = () =>
      createDetector({
        store,
        model: () => loaded,
        mode: "enforce",
        verdict: VERDICT,
        loginUrl: "/login",
        revoke: (id) => store.revokeSession(id, "bot", "test"),
      });
    await store.touchSession("bot_session_3");
    const first = make();
    for (const seq of [1, 2]) {
      assert.deepEqual(
        await first({ session: "bot_session_3", seq, features: vectorWith(0) }),
        { action: "none" },
      );
    }
    // A new process: two stored windows plus this one make three.
    const second = make();
    assert.deepEqual(
      await second({
        session: "bot_session_3",
        seq: 3,
        features: vectorWith(0),
      }),
      { action: "logout", redirect: "/login" },
    );
    assert.equal(
      (await store.getSession("bot_session_3"))?.detections.length,
      1,
    );
  } finally {
    await close();
  }
});

Deno.test("createDetector() gives windows without pointer evidence no weight (typing only)", async () => {
  const { store, close } = await openTestStore();
  try {
    const detect = createDetector({
      store,
      model: () => loaded,
      mode: "enforce",
      verdict: VERDICT,
      loginUrl: "/login",
      minEvents: 8,
      revoke: (id, reason) => store.revokeSession(id, reason, "test"),
    });
    await store.touchSession("typist_1");
    for (let seq = 1; seq <= 6; seq++) {
      const action = await detect({
        session: "typist_1",
        seq,
        nEvents: 40,
        features: vectorWith(0, false),
      });
      assert.deepEqual(action, { action: "none" });
    }
    assert.equal(await store.isRevoked("typist_1"), false);
    assert.equal((await store.getSession("typist_1"))?.scores.length, 0);
    // The same windows with pointer evidence are judged, and the bot is caught at window 3.
    const actions = [];
    for (let seq = 7; seq <= 9; seq++) {
      actions.push(
        await detect({ session: "typist_1", seq, features: vectorWith(0) }),
      );
    }
    assert.deepEqual(actions.at(-1), { action: "logout", redirect: "/login" });
  } finally {
    await close();
  }
});
