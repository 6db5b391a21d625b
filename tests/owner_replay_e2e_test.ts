/**
 * The owner check end to end on raw events, as the guard runs it: a stored user's profile flags
 * another person's replayed recording and keeps the owner's.
 *
 * History: "alice" is SapiMouse user 100 (her three-minute session), and users 2–31 are other
 * accounts (theirs); each recording was cut into the guard's 5-s windows, and each window is stored
 * with the features and the owner action vectors that ingest computes from the same events
 * (`extractFeatures`, `extractActionVectors`), as committed derived rows
 * (tests/fixtures/owner_history_sapimouse.json, made by tests/fixtures/make_owner_fixtures.ts). `trainProfiles` trains alice's profile from the
 * store. Then, over HTTP, each one-minute recording is replayed as collector posts (raw events,
 * ingest v2) on a session logged in as alice: her own (kept: no window is flagged) and user
 * user 50's (flagged "unauthorized", logged out in enforce mode with OWNER_ACTION=logout): the
 * first 60 s of each, committed excerpts in the public raw format (tests/fixtures/README.md). The
 * owner features of the replayed windows are computed by ingest from the posted events only.
 * Rates over all users are in docs/user_verification.md.
 */
import assert from "node:assert/strict";
import {
  ACTION_FEATURE_NAMES,
  FEATURE_NAMES,
  type FeatureVector,
  type WindowEvent,
  windowEvents,
} from "../collector/mod.ts";
import { tinyModelJson } from "../middleware/detect/_testing.ts";
import { trainProfiles } from "../middleware/detect/profiles.ts";
import { GUARD_COOKIE } from "../middleware/session/mod.ts";
import { startNamingSite, startTestGuard } from "./detect_harness.ts";
import { createHttpClient, navigate, postWindow } from "./_attack_http.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);

/** One committed derived row: a 5-s window's features and owner action vectors (null for NaN). */
interface HistoryWindow {
  t0: number;
  nEvents: number;
  features: Record<string, number | null>;
  ownerActions: (number | null)[][];
}

/** The committed past windows of the owner (user 100) and 30 other accounts. */
async function history(): Promise<
  { user: number; windows: HistoryWindow[] }[]
> {
  return JSON.parse(
    await Deno.readTextFile(new URL("owner_history_sapimouse.json", FIXTURES)),
  );
}

const nan = (v: number | null) => v ?? NaN;

/** A committed one-minute excerpt, cut into the guard's 5-s windows, times from 0. */
async function replayWindows(user: 50 | 100) {
  const text = await Deno.readTextFile(
    new URL(`human_sapimouse_user${user}.jsonl`, FIXTURES),
  );
  const events = text.trim().split("\n").map((line) => {
    const { session: _, ...e } = JSON.parse(line);
    return e as WindowEvent;
  });
  return windowEvents(events);
}

Deno.test("owner check: alice's replayed recording is kept, another person's replayed on her account is flagged unauthorized", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/model.json`, tinyModelJson());
  const site = startNamingSite();
  let skew = 0; // the guard's clock runs ahead as the replay posts 5 s of events per window
  const guard = await startTestGuard({
    upstream: `http://127.0.0.1:${site.addr.port}`,
    collector: { code: "/*c*/", hash: "test" },
    env: {
      MODEL_PATH: `${dir}/model.json`,
      MODE: "enforce",
      USER_HEADER: "X-Guard-User",
      OWNER_ACTION: "logout",
    },
    now: () => Date.now() + skew,
  });
  try {
    const past = Date.now() - 86_400_000;
    for (const { user, windows } of await history()) {
      const identity = user === 100 ? "alice" : `u${user}`;
      const session = `past-${identity}`;
      await guard.store.insertWindows(windows.map((w, i) => ({
        session,
        seq: i + 1,
        t0: w.t0,
        t1: w.t0 + 5000,
        nEvents: w.nEvents,
        features: Object.fromEntries(
          FEATURE_NAMES.map((name) => [name, nan(w.features[name])]),
        ) as FeatureVector,
        ownerActions: w.ownerActions.map((a) => a.map(nan)),
        receivedAt: new Date(past + i * 5000),
      })));
      await guard.store.setUserIdentity(session, identity);
    }
    const [report] = await trainProfiles(guard.store, {
      minWindows: 24,
      identities: ["alice"],
    });
    assert.ok("version" in report, JSON.stringify(report));

    /** Replays a one-minute recording on a new session logged in as alice; the replies' actions. */
    const replay = async (user: 50 | 100) => {
      const client = createHttpClient(guard.url);
      client.jar.set("user", "alice");
      const page = await navigate(client, "/account");
      assert.equal(page.status, 200);
      const start = Date.now() + 100;
      const actions: string[] = [];
      for (const [i, w] of (await replayWindows(user)).entries()) {
        const t0 = start + i * 5000, from = w[0].t - (w[0].t % 5000);
        skew += 5000;
        const res = await postWindow(client, {
          t0,
          t1: t0 + 5000,
          events: w.map((e) => ({ ...e, t: t0 + e.t - from })),
          vw: 1920,
          vh: 1080,
        });
        assert.equal(res.status, 200, res.body);
        const action = JSON.parse(res.body).action as string;
        actions.push(action);
        if (action === "logout") break;
      }
      return { actions, session: client.jar.get(GUARD_COOKIE)!.split(".")[0] };
    };

    const own = await replay(100);
    assert.ok(own.actions.length >= 10, `${own.actions.length} windows`);
    assert.deepEqual(own.actions, own.actions.map(() => "none"));
    const mine = await guard.store.getSession(own.session);
    assert.equal(mine?.state, "active");
    assert.deepEqual(mine?.detections, []);
    // Ingest stored the replayed windows with the owner features and actions it computed: alice's
    // newest clean windows are now these (the buffer flushes within 50 ms).
    await new Promise((r) => setTimeout(r, 300));
    const [newest] = await guard.store.profileWindows("alice", "owner", 1);
    assert.equal(typeof newest.act_count, "number");
    assert.ok(
      (newest.actions?.length ?? 0) > 0,
      JSON.stringify(newest.actions),
    );
    assert.equal(newest.actions![0].length, ACTION_FEATURE_NAMES.length);

    const other = await replay(50);
    assert.equal(other.actions.at(-1), "logout", other.actions.join(","));
    const theirs = await guard.store.getSession(other.session);
    assert.equal(theirs?.state, "revoked");
    assert.equal(theirs?.userIdentity, "alice");
    assert.deepEqual(theirs?.detections.map((d) => d.verdict), [
      "unauthorized",
    ]);
  } finally {
    await guard.close();
    await site.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
