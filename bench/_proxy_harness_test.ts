import assert from "node:assert/strict";
import { parseWrk } from "./_proxy_harness.ts";

const REPORT = `Running 8s test @ http://127.0.0.1:18080/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    25.97ms   27.39ms 214.46ms   91.53%
    Req/Sec     1.58k   718.47     3.59k    71.13%
  Latency Distribution
     50%  500.00us
     75%   25.10ms
     90%   48.16ms
     99%    1.20s
  15409 requests in 10.01s, 312.46MB read
Requests/sec:   1539.45
Transfer/sec:     31.22MB
`;

Deno.test("parseWrk() reads req/s, requests and the 50 % and 99 % latencies in ms", () => {
  assert.deepEqual(parseWrk(REPORT), {
    rps: 1539.45,
    p50: 0.5,
    p99: 1200,
    requests: 15409,
  });
});

Deno.test("parseWrk() throws SyntaxError on a report without a latency distribution", () => {
  assert.throws(
    () => parseWrk(REPORT.replace(/ {5}99%.*\n/, "")),
    SyntaxError,
  );
});
