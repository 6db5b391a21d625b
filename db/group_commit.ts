/**
 * Group commit for one kind of row: a row asked for while `maxInFlight` statements are running
 * waits for the next one, which carries every row queued by then (at most `maxBatch`), so the database sees
 * one statement per round trip instead of one per row, and batches grow with the load. With
 * fewer than `maxInFlight` statements running, a row is sent at once: an idle guard adds no
 * delay. With `maxInFlight` 1 rows are written in the order they were asked; with more, two
 * statements may commit in either order.
 *
 * Each caller's promise settles with its statement: resolved once it committed, rejected with
 * its error. Nothing is retried here; callers that must not lose a row keep their own retry (the
 * window buffer does), callers that only log (scores) stay as they were with one row a statement.
 * The queue is bounded by the callers: each row's caller waits for it.
 *
 * @module
 */

/** Options of {@link createGroupCommit}. */
export interface GroupCommitOptions {
  /** Most rows in one statement (default 1000). */
  maxBatch?: number;
  /** Statements running at once (default 2: one fills while the other runs). */
  maxInFlight?: number;
}

/** Builds the writer: `write(row)` resolves once the statement carrying `row` committed. */
export function createGroupCommit<T>(
  writeMany: (rows: T[]) => Promise<void>,
  options: GroupCommitOptions = {},
): (row: T) => Promise<void> {
  const maxBatch = options.maxBatch ?? 1000;
  const maxInFlight = options.maxInFlight ?? 2;
  type Item = { row: T; done: PromiseWithResolvers<void> };
  const queue: Item[] = [];
  let inFlight = 0;

  function pump() {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      // A writer that throws instead of rejecting fails its rows the same way.
      Promise.try(() => writeMany(batch.map((item) => item.row))).then(
        () => settle(batch, true),
        (error) => settle(batch, false, error),
      );
    }
  }

  // The slot is free before the callers hear back: a row they ask for next goes at once.
  function settle(batch: Item[], ok: boolean, error?: unknown) {
    inFlight--;
    for (const item of batch) {
      if (ok) item.done.resolve();
      else item.done.reject(error);
    }
    pump();
  }

  return (row) => {
    const done = Promise.withResolvers<void>();
    queue.push({ row, done });
    pump();
    return done.promise;
  };
}
