/**
 * The ingest buffer between the HTTP route and the database.
 *
 * Windows are written in batches (one multi-row insert per batch) every `flushMs`. The buffer holds
 * at most `max` unwritten windows: when a push finds it full, the OLDEST unwritten window is dropped,
 * counted in `stats().dropped` and logged (one warning per flush cycle with the count). While the
 * database is down, proxying continues; the failed batch stays at the head of the queue and is
 * retried with exponential backoff (flushMs × 2^failures, at most 30 s). `flush()` drains
 * everything once (for SIGTERM) and rejects if the database refuses.
 *
 * `pushDurable` is the same queue with a receipt (INGEST_ACK=durable): its promise resolves once
 * the batch holding the window is committed, and rejects only when the window is dropped. It
 * starts a write at once when none is running (and no failure backoff is pending), so the windows
 * that arrive during a write go together in the next one: a group commit, whose batches grow with
 * the load.
 */
import { log } from "../log.ts";
import type { Store, StoredRawEvent, WindowRow } from "./store.ts";

/** Options of {@link createWindowBuffer}. */
export interface WindowBufferOptions {
  /** Most unwritten windows held (INGEST_BUFFER_MAX). */
  max: number;
  /** Delay between writes (INGEST_FLUSH_MS). */
  flushMs: number;
  /** Windows per insert statement (default 1000). */
  batchSize?: number;
  /** Longest retry delay while the database is down (default 30 000 ms). */
  maxBackoffMs?: number;
  /**
   * A write that has not settled by then counts as failed and is retried (default 10 000 ms): a
   * connection killed at the wrong moment can leave a query pending for a long time, and the
   * buffer must not stall behind it. Retrying is safe: inserts ignore duplicate (session, seq).
   */
  writeTimeoutMs?: number;
}

/** Counters of a {@link WindowBuffer}. */
export interface WindowBufferStats {
  /** Windows waiting to be written, including a batch being written. */
  buffered: number;
  written: number;
  dropped: number;
  /** Failed write attempts. */
  failures: number;
}

/** A bounded, batching, retrying write buffer. */
export interface WindowBuffer {
  /** Queues a window (and its raw events, when retained). Never blocks, never throws. */
  push(row: WindowRow, raw?: readonly StoredRawEvent[]): void;
  /**
   * Queues a window and resolves once it is committed (raw events included); rejects with a
   * RangeError when the full buffer drops it first. A failed write keeps it queued and waiting.
   */
  pushDurable(row: WindowRow, raw?: readonly StoredRawEvent[]): Promise<void>;
  /** Writes everything queued now; rejects if the database fails (the windows stay queued). */
  flush(): Promise<void>;
  stats(): WindowBufferStats;
  /** Stops the timer after a final flush attempt; later pushes are still queued. */
  close(): Promise<void>;
}

interface Item {
  row: WindowRow;
  raw?: readonly StoredRawEvent[];
  /** The receipt of a durable push. */
  done?: PromiseWithResolvers<void>;
}

/** Creates the buffer; its timer runs only while windows wait. */
export function createWindowBuffer(
  store: Store,
  options: WindowBufferOptions,
): WindowBuffer {
  const batchSize = options.batchSize ?? 1000;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const writeTimeout = options.writeTimeoutMs ?? 10_000;
  let queue: Item[] = [];
  let head = 0;
  let inFlight = 0;
  let written = 0;
  let dropped = 0;
  let droppedUnlogged = 0;
  let failures = 0;
  let streak = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> | undefined;
  let closed = false;
  /** Durable pushes still queued: while any waits, the next write starts at once. */
  let waiting = 0;

  const pending = () => queue.length - head;

  function schedule(): void {
    if (closed || pending() === 0) return;
    if (waiting > 0 && streak === 0) {
      if (writing) return; // the running drain loop takes them, or its end reschedules
      clearTimeout(timer);
      timer = undefined;
      writeAll().catch(() => {}).finally(schedule);
      return;
    }
    if (timer !== undefined) return;
    const delay = streak === 0
      ? options.flushMs
      : Math.min(maxBackoff, options.flushMs * 2 ** streak);
    timer = setTimeout(() => {
      timer = undefined;
      writeAll().catch(() => {}).finally(schedule);
    }, delay);
  }

  function logDrops(): void {
    if (droppedUnlogged === 0) return;
    log("warn", "Ingest buffer full: dropped oldest windows", {
      dropped: droppedUnlogged,
      total_dropped: dropped,
      max: options.max,
    });
    droppedUnlogged = 0;
  }

  async function writeBatch(): Promise<void> {
    const batch = queue.slice(head, head + batchSize);
    head += batch.length;
    inFlight = batch.length;
    try {
      await withTimeout(
        store.insertWindows(batch.map((i) => i.row)),
        writeTimeout,
      );
      for (const item of batch) {
        if (item.raw?.length) {
          await withTimeout(
            store.insertRawEvents(item.row.session, item.raw),
            writeTimeout,
          );
        }
      }
    } catch (error) {
      // Back at the head: these are the oldest, and inserts are idempotent on (session, seq).
      queue = [...batch, ...queue.slice(head)];
      head = 0;
      inFlight = 0;
      trim();
      failures++;
      streak++;
      log("warn", "Ingest buffer write failed; will retry", {
        error,
        buffered: pending(),
        failures,
      });
      throw error;
    } finally {
      inFlight = 0;
    }
    written += batch.length;
    streak = 0;
    settle(batch);
    if (head > 4096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  async function drain(): Promise<void> {
    while (pending() > 0) await writeBatch();
  }

  function writeAll(): Promise<void> {
    // `.finally` runs as a microtask, so it always clears after the assignment, even when there
    // is nothing to write (a synchronous clear would leave a settled promise in `writing`).
    writing ??= drain().finally(() => {
      writing = undefined;
      logDrops();
      if (waiting > 0) queueMicrotask(schedule);
    });
    return writing;
  }

  function trim(): void {
    const excess = pending() + inFlight - options.max;
    if (excess <= 0) return;
    const n = Math.min(excess, pending());
    settle(
      queue.slice(head, head + n),
      new RangeError("Ingest buffer full: the window was dropped unwritten"),
    );
    head += n;
    dropped += n;
    droppedUnlogged += n;
  }

  /** Resolves (or, with an error, rejects) the receipts of durable items. */
  function settle(items: Item[], error?: Error): void {
    for (const item of items) {
      if (item.done === undefined) continue;
      waiting--;
      if (error === undefined) item.done.resolve();
      else item.done.reject(error);
    }
  }

  async function flush(): Promise<void> {
    if (writing) await writing.catch(() => {});
    await writeAll();
  }

  return {
    push(row, raw) {
      queue.push({ row, raw });
      trim();
      schedule();
    },
    pushDurable(row, raw) {
      const done = Promise.withResolvers<void>();
      waiting++;
      queue.push({ row, raw, done });
      trim();
      schedule();
      return done.promise;
    },
    flush,
    stats: () => ({
      buffered: pending() + inFlight,
      written,
      dropped,
      failures,
    }),
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}

/** Rejects with an Error when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Database write timed out after ${ms} ms`)),
      ms,
    );
  });
  promise.catch(() => {}); // a late rejection after the timeout is expected
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
