import { strict as assert } from "node:assert";
import { guardMetrics, recordRequest, renderMetrics } from "./metrics.ts";

function series(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

Deno.test("recordRequest() counts by status class and observes the latency", async () => {
  const before = (await renderMetrics()).body;
  recordRequest(204, 0.0004);
  recordRequest(302, 0.002);
  recordRequest(404, 0.02);
  recordRequest(502, 2);
  recordRequest(799, 0.1); // out of range: counted as 5xx, never thrown
  const { body, contentType } = await renderMetrics();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const delta = (name: string) => series(body, name) - series(before, name);
  assert.equal(delta('guard_requests_total{status_class="2xx"}'), 1);
  assert.equal(delta('guard_requests_total{status_class="3xx"}'), 1);
  assert.equal(delta('guard_requests_total{status_class="4xx"}'), 1);
  assert.equal(delta('guard_requests_total{status_class="5xx"}'), 2);
  assert.equal(delta("guard_request_duration_seconds_count"), 5);
  assert.equal(delta('guard_request_duration_seconds_bucket{le="0.0005"}'), 1);
  assert.equal(delta('guard_request_duration_seconds_bucket{le="2.5"}'), 5);
});

Deno.test("guardMetrics() registers once and returns the same handles", () => {
  assert.equal(guardMetrics(), guardMetrics());
});
