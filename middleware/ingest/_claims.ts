/**
 * The fleet's ingest claims (db `ingest_sessions`: the shared token bucket and last seq), sent as
 * a group: a claim asked for while a statement is running waits for the next one, which carries
 * every claim queued by then (one multi-row upsert, `Store.claimIngestPosts`). So the database
 * sees one statement per batch instead of one per post, and batches grow with the load, as the
 * durable acknowledgement's group commit does (db/buffer.ts). With nothing running, a claim is
 * sent at once: an idle guard adds no delay.
 *
 * A claim is answered (or failed) within `timeoutMs` of being asked: one still queued after that
 * is failed, not sent, and a statement may run only for what is left of its oldest claim's time.
 * Its caller accepts a failed claim's post on memory (middleware/ingest/_state.ts), and while the
 * database hangs the queue holds at most `timeoutMs` of posts. (One timer per statement, not per
 * claim: a timer per post was 3.4 % of the ingest thread's busy time under wrk.)
 *
 * Each claim is answered exactly as a claim of its own would be. A session is in at most one
 * statement at a time, so its posts are claimed in the order they were asked (two statements in
 * flight could lock its row in either order, and a later seq claimed first would turn the earlier
 * one into a replay).
 *
 * @module
 */
import { withTimeout } from "../../db/mod.ts";
import type { IngestClaim, IngestClaimInput, Store } from "../../db/mod.ts";

/** Options of {@link createClaimBatcher}. */
export interface ClaimBatcherOptions {
  /** INGEST_RATE_PER_MIN: the bucket's capacity. */
  capacity: number;
  /** Tokens refilled per ms. */
  perMs: number;
  /** A statement slower than this fails its claims (and frees its slot). */
  timeoutMs: number;
  /** Most claims in one statement (default 1000). */
  maxBatch?: number;
  /**
   * Statements running at once (default 1: the next batch fills while one runs). With 2, batches
   * were half as large under load, and each statement's fixed cost (plan, commit) was paid twice
   * as often: seven alternated 5-s wrk rounds of bench/_ingest_server.ts (buffered, no owner
   * check, 64 connections, loaded box) cost PostgreSQL 89.7 µs of CPU per post at 2 and 77.1 at 1
   * (lower in all seven pairs), the guard 196 and 175 µs, and stored 4,660 and 4,979 posts/s
   * (means), with the same p99. An idle guard still sends a claim at once.
   */
  maxInFlight?: number;
}

/** One post to claim: the session, its seq and the instance's clock. */
export type ClaimPost = Omit<IngestClaimInput, "capacity" | "perMs">;

interface Pending {
  post: ClaimPost;
  done: PromiseWithResolvers<IngestClaim>;
  /** performance.now() when it was asked. */
  at: number;
}

/** Builds the batcher; `claim` resolves to the fleet's answer, or rejects when the store fails. */
export function createClaimBatcher(
  store: Pick<Store, "claimIngestPosts">,
  options: ClaimBatcherOptions,
): { claim(post: ClaimPost): Promise<IngestClaim> } {
  const maxBatch = options.maxBatch ?? 1000;
  const maxInFlight = options.maxInFlight ?? 1;
  let queue: Pending[] = [];
  let inFlight = 0;
  /** Sessions with a claim in a running statement. */
  const busy = new Set<string>();

  /** The queued claims of sessions not yet in this batch nor running; the rest stay queued. */
  function take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const seen = new Set<string>();
    // Less than a millisecond left is no time for a statement: failed as not sent.
    const stale = performance.now() - options.timeoutMs + 1;
    for (const item of queue) {
      const session = item.post.session;
      if (item.at < stale) {
        item.done.reject(
          new Error(`Ingest claim not sent within ${options.timeoutMs} ms`),
        );
      } else if (
        batch.length < maxBatch && !seen.has(session) && !busy.has(session)
      ) {
        seen.add(session);
        batch.push(item);
      } else rest.push(item);
    }
    queue = rest;
    return batch;
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = take();
      if (batch.length === 0) return; // every queued session is running: its end pumps again
      inFlight++;
      for (const item of batch) busy.add(item.post.session);
      // The statement gets what is left of its oldest claim's time, so every claim is answered
      // within timeoutMs of being asked without a timer of its own.
      const left = options.timeoutMs - (performance.now() - batch[0].at);
      withTimeout(
        store.claimIngestPosts({
          capacity: options.capacity,
          perMs: options.perMs,
          posts: batch.map((item) => item.post),
        }),
        Math.max(1, Math.round(left)),
      ).then(
        (claims) => batch.forEach((item, k) => item.done.resolve(claims[k])),
        (error) => batch.forEach((item) => item.done.reject(error)),
      ).finally(() => {
        inFlight--;
        for (const item of batch) busy.delete(item.post.session);
        pump();
      });
    }
  }

  return {
    claim(post) {
      const done = Promise.withResolvers<IngestClaim>();
      queue.push({ post, done, at: performance.now() });
      pump();
      return done.promise;
    },
  };
}
