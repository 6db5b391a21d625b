/**
 * Prometheus metrics of the window write buffer (db/buffer.ts), read from its `stats()` at
 * scrape time: windows buffered now, written, dropped past the bound, and failed writes.
 *
 * @module
 */
import client from "prom-client";
import type { WindowBufferStats } from "../../db/mod.ts";

let source: (() => WindowBufferStats) | null = null;
let registered = false;

/**
 * Serves `stats` as `guard_ingest_*` metrics on prom-client's default registry. The metrics are
 * registered once per process; a later call (another app in the same test process) replaces
 * the source.
 */
export function exposeBufferMetrics(stats: () => WindowBufferStats): void {
  source = stats;
  if (registered) return;
  registered = true;
  const gauge = (
    name: string,
    help: string,
    key: keyof WindowBufferStats,
  ) =>
    new client.Gauge({
      name,
      help,
      collect() {
        this.set(source?.()[key] ?? 0);
      },
    });
  gauge(
    "guard_ingest_buffered",
    "Accepted windows waiting to be written.",
    "buffered",
  );
  gauge(
    "guard_ingest_written",
    "Windows written to the store.",
    "written",
  );
  gauge(
    "guard_ingest_dropped",
    "Accepted windows dropped because the buffer bound (INGEST_BUFFER_MAX) was reached.",
    "dropped",
  );
  gauge(
    "guard_ingest_write_failures",
    "Failed batch writes (each is retried with backoff).",
    "failures",
  );
}
