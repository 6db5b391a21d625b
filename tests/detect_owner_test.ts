/**
 * The owner check end to end over HTTP, on real human behaviour: SapiMouse windows from the
 * committed data/sessions.csv (derived rows, see data/README.md). A profile is trained for
 * "alice" from user 1's three-minute session against users 21–60's; then user 1's own one-minute
 * session stays logged in, and on alice's account (a stolen cookie) users 61–70's one-minute
 * sessions are judged offline by the same profile and rule, and the first caught is played
 * through the guard's detection (its `onWindow` hook, as the ingest route calls it: the committed
 * rows are feature vectors, and HTTP ingest takes only raw events, which SapiMouse's licence keeps
 * out of the repository): the online actions must equal the offline verdict, window for window,
 * and the next navigation is redirected over HTTP. The
 * floor (8 of 10 impostors caught within a minute) is this owner's at the default OWNER_THRESHOLD
 * 16, on these rows alone: they carry no owner features or action vectors (no events), so the
 * profile is the window forest on movement features (tests/owner_replay_e2e_test.ts runs the
 * full owner model on raw events); rates over all users are in docs/user_verification.md.
 */
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { FEATURE_NAMES, type FeatureVector } from "../collector/mod.ts";
import { tinyModelJson } from "../middleware/detect/_testing.ts";
import { calibratedScore } from "../detect/mod.ts";
import { trainProfiles } from "../middleware/detect/profiles.ts";
import { sessionVerdict } from "../detect/verdict.ts";
import { ownerModelProbability, parseOwnerModel } from "../detect/mod.ts";
import { startNamingSite, startTestGuard } from "./detect_harness.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** SapiMouse windows per session name ("sapimouse/userN/session_…_3min"), in window order. */
async function sapimouse(): Promise<Map<string, FeatureVector[]>> {
  const rows = parse(await Deno.readTextFile(`${ROOT}data/sessions.csv`), {
    columns: true,
  }) as Record<string, string>[];
  const out = new Map<string, FeatureVector[]>();
  for (const r of rows) {
    if (!r.session.startsWith("sapimouse/")) continue;
    const v = Object.fromEntries(
      FEATURE_NAMES.map((n) => [n, r[n] === "" ? NaN : Number(r[n])]),
    ) as FeatureVector;
    out.set(r.session, [...out.get(r.session) ?? [], v]);
  }
  return out;
}

function windowsOf(
  all: Map<string, FeatureVector[]>,
  user: number,
  kind: string,
) {
  const key = [...all.keys()].find((k) =>
    k.startsWith(`sapimouse/user${user}/`) && k.endsWith(`_${kind}`)
  );
  assert.ok(key, `no ${kind} session of user ${user}`);
  return all.get(key)!;
}

Deno.test("owner check: alice's own new session stays, another person on alice's account is logged out as unauthorized", async () => {
  const all = await sapimouse();
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/model.json`, tinyModelJson());
  const site = startNamingSite();
  const guard = await startTestGuard({
    upstream: `http://127.0.0.1:${site.addr.port}`,
    collector: { code: "/*c*/", hash: "test" },
    env: {
      MODEL_PATH: `${dir}/model.json`,
      MODE: "enforce",
      USER_HEADER: "X-Guard-User",
      OWNER_ACTION: "logout",
    },
  });
  const nav = { "sec-fetch-mode": "navigate", accept: "text/html" };
  try {
    // History: alice's past session, and 40 other users' sessions.
    const t0 = Date.now() - 86_400_000;
    const history: [string, string, FeatureVector[]][] = [
      ["past-alice", "alice", windowsOf(all, 1, "3min")],
    ];
    for (let u = 21; u <= 60; u++) {
      history.push([`past-u${u}`, `u${u}`, windowsOf(all, u, "3min")]);
    }
    for (const [session, identity, windows] of history) {
      await guard.store.insertWindows(windows.map((features, i) => ({
        session,
        seq: i + 1,
        t0: i * 5000,
        t1: i * 5000 + 5000,
        nEvents: 60,
        features,
        receivedAt: new Date(t0 + i * 5000),
      })));
      await guard.store.setUserIdentity(session, identity);
    }
    const reports = await trainProfiles(guard.store, {
      minWindows: 30,
      identities: ["alice"],
    });
    assert.equal(reports.length, 1);
    assert.ok("version" in reports[0], JSON.stringify(reports[0]));
    assert.equal(reports[0].ownerWindows, 36);
    const profile = (await guard.store.getProfile("alice"))!;
    const model = parseOwnerModel(profile.model, "profile");

    const visit = async (user: string): Promise<string> => {
      const res = await fetch(`${guard.url}/account`, {
        headers: { ...nav, cookie: `user=${user}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-guard-user"), null); // stripped
      await res.body?.cancel();
      return `${res.headers.getSetCookie()[0].split(";")[0]}; user=${user}`;
    };
    const play = async (cookie: string, windows: FeatureVector[]) => {
      const session = cookie.split("=")[1].split(".")[0];
      const actions: string[] = [];
      for (const [i, features] of windows.entries()) {
        const action = await guard.detection.onWindow({
          session,
          seq: i + 1,
          nEvents: 60,
          features,
        });
        actions.push(action.action);
        if (action.action === "logout") break;
      }
      return actions;
    };
    const verdict = { threshold: 16, minWindows: 6, decay: 0.8 }; // config.ts defaults
    const offline = (windows: FeatureVector[]) =>
      sessionVerdict(
        windows.map((v) =>
          calibratedScore(
            1 - ownerModelProbability(model, v),
            profile.calibration,
            profile.spread,
          )
        ),
        verdict,
      ).detectedAt;

    const own = windowsOf(all, 1, "1min");
    const genuine = await play(await visit("alice"), own);
    assert.deepEqual(genuine, own.map(() => "none"));
    assert.equal(offline(own), null);

    const impostors = Array.from(
      { length: 10 },
      (_, i) => windowsOf(all, 61 + i, "1min"),
    );
    const caught = impostors.map(offline);
    assert.ok(
      caught.filter((at) => at !== null).length >= 8,
      `impostors caught at windows ${caught.join(",")}`,
    );
    const first = caught.findIndex((at) => at !== null);
    const other = impostors[first], at = caught[first]!;
    const intruder = await visit("alice");
    const actions = await play(intruder, other);
    // Online equals offline: none until the verdict, logout on it.
    assert.deepEqual(
      actions,
      other.slice(0, at).map((_, i) => i + 1 < at ? "none" : "logout"),
    );
    const id = intruder.split("=")[1].split(".")[0];
    const detail = await guard.store.getSession(id);
    assert.equal(detail?.state, "revoked");
    assert.equal(detail?.userIdentity, "alice");
    assert.deepEqual(detail?.detections.map((d) => d.verdict), [
      "unauthorized",
    ]);
    const explanation = detail!.detections[0].explanation as Record<
      string,
      unknown
    >;
    assert.equal(explanation.identity, "alice");
    assert.equal(explanation.action, "logged out");
    assert.equal(explanation.windows, at);
    const again = await fetch(`${guard.url}/account`, {
      headers: { ...nav, cookie: intruder },
      redirect: "manual",
    });
    await again.body?.cancel();
    assert.equal(again.status, 303);
  } finally {
    await guard.close();
    await site.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
