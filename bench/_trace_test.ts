import assert from "node:assert/strict";
import { describeDurations, summariseTrace, topTasks } from "./_trace.ts";

const MAIN = { pid: 7, tid: 7 };
/** Names the MAIN thread as a renderer's main thread. */
const MAIN_NAME = {
  name: "thread_name",
  ph: "M",
  ...MAIN,
  ts: 0,
  args: { name: "CrRendererMain" },
};
const url = (u: string) => ({
  data: { url: u, functionName: "f", columnNumber: 3 },
});

function trace(events: object[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ traceEvents: events }));
}

Deno.test("summariseTrace() attributes main-thread tasks to the collector by script URL", () => {
  const t = trace([
    MAIN_NAME,
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
  assert.deepEqual(topTasks(s.worst, "cpu"), [
    "cpu 2.90 ms own (wall 3.50, gc 0.60) in a 6.00 ms task: f@3 3.00 ms (cpu 2.50), EvaluateScript 0.50 ms (cpu 0.40)",
  ]);
  assert.deepEqual(topTasks(s.worst, "wall"), topTasks(s.worst, "cpu"));
});

Deno.test("summariseTrace() splits tasks at a mark and ranks the worst by CPU and by wall", () => {
  const collector = (ts: number, dur: number, tdur: number) => [
    { name: "RunTask", ph: "X", ...MAIN, ts, dur: dur + 100, tdur: tdur + 50 },
    {
      name: "FunctionCall",
      ph: "X",
      ...MAIN,
      ts: ts + 10,
      dur,
      tdur,
      args: url("http://x/c.js"),
    },
  ];
  const t = trace([
    MAIN_NAME,
    { name: "ParseHTML", ph: "X", ...MAIN, ts: 10, dur: 100 },
    ...collector(1000, 2000, 1900), // before the mark: 2 ms wall, 1.9 ms CPU
    ...collector(4000, 1000, 1000), // before: 1 ms, 1 ms
    { name: "leave", ph: "R", ...MAIN, ts: 6000 },
    ...collector(7000, 30000, 3000), // after: 30 ms wall, 3 ms CPU (waiting)
    ...collector(40000, 4000, 3900), // after: 4 ms, 3.9 ms
  ]);
  const before = summariseTrace(t, "c.js", { mark: "leave", side: "before" });
  assert.deepEqual(before.collectorTime, [2, 1]);
  assert.deepEqual(before.collectorCpu, [1.9, 1]);
  const after = summariseTrace(t, "c.js", { mark: "leave", side: "after" });
  assert.deepEqual(after.collectorTime, [30, 4]);
  assert.match(
    topTasks(after.worst, "cpu")[0],
    /^cpu 3\.90 ms own \(wall 4\.00/,
  );
  assert.match(
    topTasks(after.worst, "wall")[0],
    /^cpu 3\.00 ms own \(wall 30\.00/,
  );
  assert.deepEqual(summariseTrace(t, "c.js").collectorTime, [2, 1, 30, 4]);
  assert.throws(
    () => summariseTrace(t, "c.js", { mark: "gone", side: "after" }),
    /no mark "gone"/,
  );
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
