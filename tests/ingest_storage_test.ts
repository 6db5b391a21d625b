/** What ingest stores of a window beside its features: raw events, owner vectors. */
import assert from "node:assert/strict";
import { openTestStore } from "./db_helpers.ts";
import { post, startIngest, validPost } from "./ingest_helpers.ts";

Deno.test("createIngestRoute() stores raw events only when RETAIN_RAW", async () => {
  const store = await openTestStore("pglite");
  try {
    const off = await startIngest("pglite", {}, store);
    assert.equal(
      (await post(off.url, "sess-raw-off-000000000", validPost(1)))
        .status,
      200,
    );
    await off.close();
    assert.equal(await off.count("raw_events"), 0);
    const on = await startIngest("pglite", { retainRaw: true }, store);
    assert.equal(
      (await post(on.url, "sess-raw-on-0000000000", validPost(1)))
        .status,
      200,
    );
    await on.close();
    assert.equal(await on.count("raw_events"), 12);
    assert.equal(await on.count("feature_windows"), 2);
  } finally {
    await store.cleanup();
  }
});

Deno.test("createIngestRoute() stores owner vectors only when the owner check is on", async () => {
  const store = await openTestStore("pglite");
  try {
    for (
      const [ownerEvidence, session, user] of [[
        false,
        "sess-owner-off-0000000",
        "off",
      ], [true, "sess-owner-on-00000000", "on"]] as const
    ) {
      const rig = await startIngest("pglite", { ownerEvidence }, store);
      assert.equal((await post(rig.url, session, validPost(1))).status, 200);
      await rig.close();
      await store.store.setUserIdentity(session, user);
      const [w] = await store.store.profileWindows(user, "owner", 10);
      assert.equal(typeof w.speed_mean, "number", `${user}: the bot features`);
      assert.deepEqual(
        ["act_count" in w, Array.isArray(w.actions)],
        [ownerEvidence, ownerEvidence],
        `${user}: owner vectors`,
      );
    }
  } finally {
    await store.cleanup();
  }
});
