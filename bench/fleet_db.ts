/**
 * The database side of a fleet (issue 14 items 5 and 7): how many per-window shared-state
 * statements one PostgreSQL (DATABASE_URL) or PGlite answers per second, against the raw
 * multi-row window insert of the same database in the same run. Each accepted and scored window
 * costs, besides its share of a batched insert: one ingest claim (`claimIngestPost`), one evidence
 * swap (`casSessionState`), one score insert, and one silence read (`getSessionState`). The claim
 * is also measured as the ingest route sends it under load: 250 sessions' posts per statement
 * (`claimIngestPosts`), and the score insert as the guard sends it: grouped per round trip
 * (`recordScores` through db/group_commit.ts). And the same multi-row insert when every window
 * carries the owner check's evidence (owner features and action vectors of the committed human
 * fixture's real windows, as ingest stores them with USER_HEADER set).
 *
 * `deno run -A bench/fleet_db.ts [--ops 20000] [--concurrency 32] [--sessions 2000]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { extractOwnerEvidence, FEATURE_NAMES } from "../collector/mod.ts";
import type { FeatureVector } from "../collector/mod.ts";
import { createGroupCommit } from "../db/mod.ts";
import type {
  ScoreRow,
  SessionStateSwap,
  Store,
  WindowRow,
} from "../db/mod.ts";
import { fixtureWindows } from "./_ingest_posts.ts";
import { reportResult } from "./_result.ts";
import { forEachBenchStore } from "./_stores.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    ops: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "32" },
    sessions: { type: "string", default: "2000" },
  },
});
const OPS = Number(values.ops);
const C = Number(values.concurrency);
const S = Number(values.sessions);

function features(i: number): FeatureVector {
  const f = {} as FeatureVector;
  FEATURE_NAMES.forEach((n, j) => f[n] = (i % 97) + j * 0.25);
  return f;
}

/** Runs `op(i)` OPS times, C at a time; returns operations per second. */
async function rate(op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < OPS) await op(next++);
  }));
  return OPS / ((performance.now() - t0) / 1000);
}

const evidence = (await fixtureWindows()).map((w) =>
  extractOwnerEvidence(w.slice(1))
);

async function measure(name: string, store: Store) {
  const rows: WindowRow[] = Array.from({ length: 20_000 }, (_, i) => ({
    session: `raw-${i % 500}`,
    seq: Math.floor(i / 500),
    t0: 0,
    t1: 1,
    nEvents: 40,
    features: features(i),
  }));
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await store.insertWindows(rows.slice(i, i + 1000));
  }
  const raw = rows.length / ((performance.now() - t0) / 1000);
  const owned: WindowRow[] = rows.map((r, i) => {
    const e = evidence[i % evidence.length];
    return {
      ...r,
      session: `owned-${i % 500}`,
      ownerFeatures: e.features,
      ownerActions: e.actions,
    };
  });
  const t1 = performance.now();
  for (let i = 0; i < owned.length; i += 1000) {
    await store.insertWindows(owned.slice(i, i + 1000));
  }
  const rawOwned = owned.length / ((performance.now() - t1) / 1000);
  const seqs = new Map<string, number>();
  const claim = await rate((i) => {
    const session = `s${i % S}`;
    const seq = (seqs.get(session) ?? 0) + 1;
    seqs.set(session, seq);
    return store.claimIngestPost({
      session,
      seq,
      capacity: 1e6,
      perMs: 1,
      nowMs: Date.now(),
    });
  });
  // The same claims as the ingest route sends them under load (middleware/ingest/_claims.ts):
  // many sessions' posts in one statement, two statements at a time.
  const batch = 250;
  let nextBatch = 0;
  const tb = performance.now();
  await Promise.all([0, 1].map(async () => {
    while (nextBatch * batch < OPS) {
      const from = nextBatch++ * batch;
      await store.claimIngestPosts({
        capacity: 1e6,
        perMs: 1,
        posts: Array.from({ length: batch }, (_, k) => {
          const session = `b${(from + k) % S}`;
          const seq = (seqs.get(session) ?? 0) + 1;
          seqs.set(session, seq);
          return { session, seq, nowMs: Date.now() };
        }),
      });
    }
  }));
  const claimBatched = OPS / ((performance.now() - tb) / 1000);
  const versions = new Map<string, number>();
  const cas = await rate(async (i) => {
    const session = `s${i % S}`;
    const v = versions.get(session) ?? 0;
    versions.set(session, v + 1); // reserved before the await: no self-conflict
    await store.casSessionState(session, "evidence", v, {
      evidence: 1.5,
      windows: v + 1,
      detectedAt: null,
      scores: [0.4, 0.9],
      signals: {},
    });
  });
  // The same swaps as the guard sends them (middleware/detect/shared_state.ts): different
  // sessions' swaps asked during one statement go together in the next.
  const groupedCas = createGroupCommit(
    (swaps: SessionStateSwap[]) => store.casSessionStates(swaps),
    { keyOf: (swap) => swap.session },
  );
  const gVersions = new Map<string, number>();
  const casBatched = await rate(async (i) => {
    const session = `s${i % S}`;
    const v = gVersions.get(session) ?? 0;
    gVersions.set(session, v + 1);
    await groupedCas({
      session,
      kind: "silence",
      expected: v,
      state: { counted: v + 1, firstAt: 1, lastAt: 2, evidenceAt: null },
    });
  });
  const read = await rate((i) =>
    store.getSessionState(`s${i % S}`, "evidence")
  );
  const score = await rate((i) =>
    store.recordScore({
      session: `s${i % S}`,
      seq: i,
      score: 0.5,
      verdict: "pending",
      modelVersion: "bench",
    })
  );
  // The same score inserts as the guard sends them (middleware/detect/setup.ts): the C callers'
  // rows that arrive while one insert runs go together in the next (db/group_commit.ts).
  const grouped = createGroupCommit((rows: ScoreRow[]) =>
    store.recordScores(rows)
  );
  const scoreBatched = await rate((i) =>
    grouped({
      session: `g${i % S}`,
      seq: i,
      score: 0.5,
      verdict: "pending",
      modelVersion: "bench",
    })
  );
  const perWindow = 1 / (1 / claim + 1 / cas + 1 / read + 1 / score + 1 / raw);
  const perWindowBatched = 1 /
    (1 / claimBatched + 1 / casBatched + 1 / read + 1 / scoreBatched + 1 / raw);
  const f = (x: number) => x.toFixed(0);
  console.log(
    `${name}: raw multi-row insert ${f(raw)} windows/s (with owner evidence ${
      f(rawOwned)
    } = ${(rawOwned / raw).toFixed(3)}x); single statements/s: ingest claim ${
      f(claim)
    }, evidence swap ${f(cas)}, state read ${f(read)}, score insert ${
      f(score)
    }; all five per window ⇒ ${f(perWindow)} windows/s = ${
      (perWindow / raw).toFixed(3)
    }x raw insert; ` +
      `claims batched ${batch} per statement ${
        f(claimBatched)
      }/s, swaps grouped ${f(casBatched)}/s, score inserts grouped ${
        f(scoreBatched)
      }/s ⇒ ${f(perWindowBatched)} windows/s = ${
        (perWindowBatched / raw).toFixed(3)
      }x raw insert`,
  );
  reportResult({
    bench: "fleet_db",
    name,
    values: {
      raw_insert_windows_per_s: raw,
      owner_insert_windows_per_s: rawOwned,
      claim_per_s: claim,
      claim_batched_per_s: claimBatched,
      shared_windows_batched_claims_per_s: perWindowBatched,
      evidence_swap_per_s: cas,
      evidence_swap_grouped_per_s: casBatched,
      state_read_per_s: read,
      score_insert_per_s: score,
      score_insert_grouped_per_s: scoreBatched,
      shared_windows_per_s: perWindow,
    },
    baseline: "raw multi-row insert windows/s",
    ratio: perWindow / raw,
  });
}

console.log(
  `fleet db bench: ${OPS} ops per statement, ${C} concurrent, ${S} sessions`,
);
await forEachBenchStore(({ name, store }) => measure(name, store));
