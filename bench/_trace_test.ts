import assert from "node:assert/strict";
import { describeDurations, summariseTrace } from "./_trace.ts";

const MAIN = { pid: 7, tid: 7 };
const url = (u: string) => ({
  data: { url: u, functionName: "f", columnNumber: 3 },
});

function trace(events: object[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ traceEvents: events }));
}

Deno.test("summariseTrace() attributes main-thread tasks to the collector by script URL", () => {
  const t = trace([
    {
      name: "thread_name",
      ph: "M",
      ...MAIN,
      ts: 0,
      args: { name: "CrRendererMain" },
    },
    {
      name: "thread_name",
      ph: "M",
      pid: 9,
      tid: 9,
      ts: 0,
      args: { name: "CrRendererMain" },
    },
    { name: "ParseHTML", ph: "X", ...MAIN, ts: 10, dur: 100 },
    // Task 1: 2 ms, the page's own script only.
    { name: "RunTask", ph: "X", ...MAIN, ts: 0, dur: 2000, tdur: 1500 },
    {
      name: "FunctionCall",
      ph: "X",
      ...MAIN,
      ts: 100,
      dur: 900,
      args: url("http://x/app.js"),
    },
    // Task 2: 6 ms wall, 4 ms CPU; two collector calls (one nested call is not counted twice).
    { name: "RunTask", ph: "X", ...MAIN, ts: 5000, dur: 6000, tdur: 4000 },
    {
      name: "FunctionCall",
      ph: "X",
      ...MAIN,
      ts: 5100,
      dur: 3000,
      tdur: 2500,
      args: url("http://x/__guard/c.1.js"),
    },
    {
      name: "FunctionCall",
      ph: "X",
      ...MAIN,
      ts: 5200,
      dur: 1000,
      args: url("http://x/__guard/c.1.js"),
    },
    {
      name: "EvaluateScript",
      ph: "X",
      ...MAIN,
      ts: 9000,
      dur: 500,
      tdur: 400,
      args: url("http://x/__guard/c.1.js"),
    },
    { name: "MinorGC", ph: "X", ...MAIN, ts: 5300, dur: 600 },
    { name: "MinorGC", ph: "X", ...MAIN, ts: 12000, dur: 600 }, // outside any collector call
    // A nested RunTask is part of its parent, not a task of its own.
    { name: "RunTask", ph: "X", ...MAIN, ts: 9600, dur: 100 },
    // Another renderer's task and a collector call there are ignored.
    { name: "RunTask", ph: "X", pid: 9, tid: 9, ts: 5000, dur: 9000 },
    {
      name: "FunctionCall",
      ph: "X",
      pid: 9,
      tid: 9,
      ts: 5001,
      dur: 8000,
      args: url("http://x/__guard/c.1.js"),
    },
  ]);
  const s = summariseTrace(t, "/__guard/c.");
  assert.deepEqual(s.tasks, [2, 6]);
  assert.deepEqual(s.tasksCpu, [1.5, 4]);
  assert.deepEqual(s.collectorTasks, [6]);
  assert.deepEqual(s.collectorTasksCpu, [4]);
  assert.deepEqual(s.collectorTime, [3.5]);
  assert.deepEqual(s.collectorCpu, [2.9]);
  assert.deepEqual(s.collectorCpuNoGc, [2.3]);
  assert.deepEqual(s.worst, [
    "cpu 2.90 ms own (wall 3.50, gc 0.60) in a 6.00 ms task: f@3 3.00 ms (cpu 2.50), EvaluateScript 0.50 ms (cpu 0.40)",
  ]);
});

Deno.test("summariseTrace() names a trace without a page", () => {
  assert.throws(() => summariseTrace(trace([]), "c.js"), /no ParseHTML/);
});

Deno.test("describeDurations() reports max, p99 and the count over budget", () => {
  assert.equal(describeDurations([]), "none");
  assert.equal(
    describeDurations([1, 6, 2, 5]),
    "max 6.00 ms, p99 6.00 ms, 1/4 over 5 ms",
  );
});
