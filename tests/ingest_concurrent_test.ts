import assert from "node:assert/strict";
import { backends } from "./db_helpers.ts";
import { post, startIngest, validPost } from "./ingest_helpers.ts";

const SESSIONS = 40;
const WINDOWS = 8;

for (const backend of backends()) {
  Deno.test({
    name:
      `createIngestRoute() (${backend.name}) stores exactly the accepted windows of many concurrent sessions`,
    ignore: backend.ignore,
    fn: async () => {
      const rig = await startIngest(backend.name);
      try {
        const sessions = Array.from(
          { length: SESSIONS },
          (_, i) =>
            `conc-${backend.name}-${String(i).padStart(3, "0")}-xxxxxxxx`,
        );
        // Every session posts its windows in order, all sessions at once.
        const inOrder = await Promise.all(sessions.map(async (s) => {
          const statuses = [];
          for (let seq = 1; seq <= WINDOWS; seq++) {
            statuses.push((await post(rig.url, s, validPost(seq))).status);
          }
          return statuses;
        }));
        assert.deepEqual(inOrder.flat(), Array(SESSIONS * WINDOWS).fill(200));
        // One more session fires 10 posts at once, out of order: a post is accepted only above the
        // last accepted seq, and what is accepted is what is stored.
        const racer = `conc-${backend.name}-racer-xxxxxxxxxx`;
        const seqs = [5, 3, 9, 1, 7, 2, 10, 4, 8, 6];
        const raced = await Promise.all(
          seqs.map((seq) => post(rig.url, racer, validPost(seq))),
        );
        const accepted = seqs.filter((_, i) => raced[i].status === 200).sort((
          a,
          b,
        ) => a - b);
        assert.ok(raced.every((r) => r.status === 200 || r.status === 409));
        assert.ok(accepted.length >= 1);
        await rig.buffer.flush();
        for (const s of sessions) {
          assert.deepEqual(
            (await rig.store.listWindows(s)).map((w) => w.seq),
            [1, 2, 3, 4, 5, 6, 7, 8],
          );
        }
        assert.deepEqual(
          (await rig.store.listWindows(racer)).map((w) => w.seq),
          accepted,
        );
        assert.equal(
          await rig.count("feature_windows"),
          SESSIONS * WINDOWS + accepted.length,
        );
        assert.deepEqual(rig.buffer.stats(), {
          buffered: 0,
          written: SESSIONS * WINDOWS + accepted.length,
          dropped: 0,
          failures: 0,
        });
        assert.equal(
          (await rig.store.listSessions({ limit: 1000 })).length,
          SESSIONS + 1,
        );
      } finally {
        await rig.close();
      }
    },
  });
}
