import assert from "node:assert/strict";
import { renderMetrics } from "../metrics.ts";
import { exposeBufferMetrics } from "./metrics.ts";

Deno.test("exposeBufferMetrics() serves the buffer's stats at scrape time", async () => {
  let stats = { buffered: 3, written: 10, dropped: 0, failures: 1 };
  exposeBufferMetrics(() => stats);
  const lines = async () =>
    (await renderMetrics()).body.split("\n").filter((l) =>
      l.startsWith("guard_ingest_")
    );
  assert.deepEqual(await lines(), [
    "guard_ingest_buffered 3",
    "guard_ingest_written 10",
    "guard_ingest_dropped 0",
    "guard_ingest_write_failures 1",
  ]);
  stats = { buffered: 0, written: 12, dropped: 7, failures: 2 };
  assert.deepEqual(await lines(), [
    "guard_ingest_buffered 0",
    "guard_ingest_written 12",
    "guard_ingest_dropped 7",
    "guard_ingest_write_failures 2",
  ]);
});
