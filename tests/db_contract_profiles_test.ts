import assert from "node:assert/strict";
import { OWNER_FEATURE_NAMES, type OwnerFeatures } from "../collector/mod.ts";
import { backends, features, windowRow, withStore } from "./db_helpers.ts";

// The store contract for user profiles, on both backends (see db_contract_test.ts).

for (const backend of backends()) {
  Deno.test({
    name:
      `Store (${backend.name}) profiles: save/replace/get, candidates and windows from clean sessions only`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        // alice: three clean sessions; one revoked, one detected and one labelled bot don't count.
        const sessions: [string, string, number][] = [
          ["a1", "alice", 4],
          ["a2", "alice", 3],
          ["a3", "alice", 2],
          ["a-revoked", "alice", 5],
          ["a-detected", "alice", 5],
          ["a-bot", "alice", 5],
          ["b1", "bob", 3],
          ["c1", "carol", 2],
          ["anon", "", 9],
        ];
        for (const [id, identity, n] of sessions) {
          const rows = Array.from(
            { length: n },
            (_, i) => ({ ...windowRow(id, i + 1), features: features(i) }),
          );
          await store.insertWindows(rows);
          if (identity) await store.setUserIdentity(id, identity);
        }
        await store.revokeSession("a-revoked", "bot", "i1");
        await store.recordDetection({
          session: "a-detected",
          verdict: "bot",
          explanation: {},
        });
        await store.setLabel("a-bot", "bot", "admin");
        await store.setLabel("a3", "human", "admin");
        assert.deepEqual(await store.profileCandidates(3), [
          { identity: "alice", windows: 9 },
          { identity: "bob", windows: 3 },
        ]);
        assert.equal(
          (await store.profileWindows("alice", "owner", 100)).length,
          9,
        );
        assert.equal(
          (await store.profileWindows("alice", "owner", 4)).length,
          4,
        );
        const others = await store.profileWindows("alice", "others", 100);
        assert.equal(others.length, 5); // bob 3 + carol 2; anonymous sessions have no identity
        assert.deepEqual(
          await store.profileWindows("alice", "others", 3),
          others.slice(0, 3),
        );
        assert.equal(Number.isNaN(others[0].speed_mean), false);

        assert.equal(await store.getProfile("alice"), null);
        const trainedAt = new Date("2026-11-01T00:00:00Z");
        const profile = {
          identity: "alice",
          model: '{"v":1}',
          version: "p1",
          ownerWindows: 9,
          calibration: 0.62,
          trainedAt,
        };
        await store.saveProfile(profile);
        await store.saveProfile({
          ...profile,
          model: '{"v":2}',
          version: "p2",
        });
        assert.deepEqual(await store.getProfile("alice"), {
          ...profile,
          model: '{"v":2}',
          version: "p2",
        });
      }),
  });

  Deno.test({
    name:
      `Store (${backend.name}) profiles: a window's owner features are stored and come back with it, missing values as NaN`,
    ignore: backend.ignore,
    fn: () =>
      withStore(backend.name, async (store) => {
        const owner = Object.fromEntries(
          OWNER_FEATURE_NAMES.map((n, i) => [n, i % 5 === 0 ? NaN : i + 0.25]),
        ) as OwnerFeatures;
        await store.insertWindows([
          {
            ...windowRow("w1", 1),
            features: features(1),
            ownerFeatures: owner,
          },
          { ...windowRow("w1", 2), features: features(2) }, // stored before migration 007's column
        ]);
        await store.setUserIdentity("w1", "alice");
        await store.insertWindows([
          { ...windowRow("w2", 1), features: features(3) },
        ]);
        await store.setUserIdentity("w2", "bob");
        const [newest, oldest] = await store.profileWindows(
          "alice",
          "owner",
          10,
        );
        const [older, newer] = newest.act_count === undefined
          ? [oldest, newest]
          : [newest, oldest];
        assert.deepEqual(
          OWNER_FEATURE_NAMES.map((n) => older[n]),
          OWNER_FEATURE_NAMES.map((n) => owner[n]),
        );
        assert.equal(older.speed_mean, features(1).speed_mean);
        assert.equal(newer.act_count, undefined);
        assert.equal(newer.speed_mean, features(2).speed_mean);
        const [bob] = await store.profileWindows("alice", "others", 10);
        assert.equal(bob.act_count, undefined);
      }),
  });
}
