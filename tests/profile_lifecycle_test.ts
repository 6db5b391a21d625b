/**
 * Owner profiles stay fresh and private (issue 17 item 4), on both stores: windows older than
 * PROFILE_WINDOW_DAYS train no profile, the guard retrains on its PROFILE_RETRAIN_MS timer, and
 * `deno task forget-user` removes a user's windows, scores, raw events and profile.
 */
import assert from "node:assert/strict";
import type { Store, WindowRow } from "../db/mod.ts";
import { forgetIdentity } from "../db/forget_cli.ts";
import {
  startProfileRetrain,
  trainProfiles,
} from "../middleware/detect/mod.ts";
import type { ProfileReport } from "../middleware/detect/mod.ts";
import { backends, features, windowRow, withStore } from "./db_helpers.ts";

const DAY = 86_400_000;

/** `n` windows of one session, features offset by `base` (each person their own region). */
function rows(
  session: string,
  n: number,
  base: number,
  receivedAt?: Date,
): WindowRow[] {
  return Array.from({ length: n }, (_, i) => ({
    ...windowRow(session, i),
    features: features(base + (i % 7) / 10),
    receivedAt,
  }));
}

async function seedUser(
  store: Store,
  session: string,
  identity: string,
  windows: WindowRow[],
): Promise<void> {
  await store.setUserIdentity(session, identity);
  await store.insertWindows(windows);
}

const profile = (identity: string) => ({
  identity,
  model: "{}",
  version: "v1",
  ownerWindows: 3,
  calibration: 0.5,
  trainedAt: new Date(),
});

for (const { name, ignore } of backends()) {
  Deno.test({
    name:
      `Store.forgetUser() removes the identity's windows, scores, raw events and profile (${name})`,
    ignore,
    fn: () =>
      withStore(name, async (store) => {
        await seedUser(store, "a1", "alice", rows("a1", 3, 1));
        await seedUser(store, "a2", "alice", rows("a2", 2, 1));
        await seedUser(store, "b1", "bob", rows("b1", 3, 5));
        for (const session of ["a1", "b1"]) {
          await store.recordScore({
            session,
            seq: 0,
            score: 0.4,
            verdict: "pending",
            modelVersion: "owner:v1",
          });
        }
        await store.insertRawEvents("a1", [
          { t: 1, kind: "move", x: 0, y: 0 },
          { t: 2, kind: "move", x: 1, y: 1 },
        ]);
        await store.saveProfile(profile("alice"));
        await store.saveProfile(profile("bob"));

        const lines: string[] = [];
        const io = { out: (l: string) => lines.push(l), err: () => {} };
        assert.deepEqual(await forgetIdentity(store, "alice", io), {
          sessions: 2,
          windows: 5,
          scores: 1,
          rawEvents: 2,
          profiles: 1,
        });
        assert.deepEqual(lines, [
          'forget-user: "alice": 2 sessions, 5 windows, 1 scores, 2 raw events, 1 profiles',
        ]);
        assert.equal((await store.getSession("a1"))?.userIdentity, null);
        assert.equal((await store.getSession("a2"))?.userIdentity, null);
        assert.deepEqual(await store.listWindows("a1"), []);
        assert.deepEqual(await store.listRawEvents("a1"), []);
        assert.equal(await store.getProfile("alice"), null);
        // Bob is untouched.
        assert.equal((await store.getSession("b1"))?.userIdentity, "bob");
        assert.equal((await store.listWindows("b1")).length, 3);
        assert.equal((await store.getProfile("bob"))?.version, "v1");
        // Forgetting again finds nothing.
        assert.deepEqual(await store.forgetUser("alice"), {
          sessions: 0,
          windows: 0,
          scores: 0,
          rawEvents: 0,
          profiles: 0,
        });
      }),
  });

  Deno.test({
    name:
      `trainProfiles() leaves windows older than PROFILE_WINDOW_DAYS out (${name})`,
    ignore,
    fn: () =>
      withStore(name, async (store) => {
        const now = new Date();
        await seedUser(
          store,
          "a1",
          "alice",
          rows("a1", 30, 1, new Date(now.getTime() - 40 * DAY)),
        );
        await seedUser(store, "b1", "bob", rows("b1", 30, 5, now));
        await seedUser(store, "c1", "carol", rows("c1", 30, 9, now));
        const trained = (reports: ProfileReport[]) =>
          reports.map((r) => [r.identity, r.ownerWindows, "version" in r]);
        assert.deepEqual(
          trained(
            await trainProfiles(store, { minWindows: 24, windowDays: 30, now }),
          ),
          [["bob", 30, true], ["carol", 30, true]],
        );
        assert.equal(await store.getProfile("alice"), null);
        assert.deepEqual(
          (await store.profileCandidates(24, {
            since: new Date(now.getTime() - 30 * DAY),
          })).map((c) => c.identity),
          ["bob", "carol"],
        );
        // Without the age limit alice's old windows still count.
        assert.deepEqual(
          trained(await trainProfiles(store, { minWindows: 24, now })),
          [["alice", 30, true], ["bob", 30, true], ["carol", 30, true]],
        );
      }),
  });

  Deno.test({
    name: `startProfileRetrain() trains the profiles on its timer (${name})`,
    ignore,
    fn: () =>
      withStore(name, async (store) => {
        await seedUser(store, "a1", "alice", rows("a1", 30, 1));
        await seedUser(store, "b1", "bob", rows("b1", 30, 5));
        const runs: ProfileReport[][] = [];
        let done!: () => void;
        const twice = new Promise<void>((resolve) => done = resolve);
        const stop = startProfileRetrain(store, {
          intervalMs: 20,
          minWindows: 24,
          windowDays: 30,
          onReports: (reports) => {
            runs.push(reports);
            if (runs.length === 2) done();
          },
        });
        try {
          assert.equal(await store.getProfile("alice"), null);
          await twice;
        } finally {
          await stop();
        }
        assert.deepEqual(
          runs[1].map((r) => [r.identity, "version" in r]),
          [["alice", true], ["bob", true]],
        );
        assert.equal((await store.getProfile("alice"))?.ownerWindows, 30);
        assert.equal((await store.getProfile("bob"))?.ownerWindows, 30);
      }),
  });
}
