/**
 * Reads a Chromium performance trace (puppeteer `page.tracing`) and measures the page's main-thread
 * tasks, and which of them ran the collector's code.
 *
 * A task is a top-level `RunTask` on the page renderer's `CrRendererMain` thread: everything the
 * thread did without yielding (input dispatch, timers, network callbacks, microtasks, GC inside
 * them). A task is the collector's when a `FunctionCall` or `EvaluateScript` inside it ran a
 * script whose URL contains `scriptUrlPart`; the collector's own time in it is the sum of those
 * calls (GC they trigger included). Promise continuations run in microtask checkpoints that carry
 * no URL: they count in the whole-task numbers, which are reported for every task of the page.
 *
 * @module
 */

/** The categories {@link startTracing} asks for: timeline tasks and JS calls, nothing heavier. */
export const TRACE_CATEGORIES: readonly string[] = [
  "-*",
  "toplevel",
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8.execute",
  "blink.user_timing",
];

/** Part of a trace: the tasks that start before, or at and after, a `performance.mark`. */
export interface TraceRange {
  mark: string;
  side: "before" | "after";
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread CPU time: the wall time minus the time the thread was preempted. */
  tdur?: number;
  args?: {
    name?: string;
    data?: { url?: string; functionName?: string; columnNumber?: number };
  };
}

/** Task durations of one traced phase, in milliseconds: wall time, and the thread's CPU time. */
export interface TaskSummary {
  /** Every main-thread task of the page. */
  tasks: number[];
  tasksCpu: number[];
  /** Tasks that ran collector code: the whole task's duration. */
  collectorTasks: number[];
  collectorTasksCpu: number[];
  /** Tasks that ran collector code: the collector's own time in it. */
  collectorTime: number[];
  collectorCpu: number[];
  /** The collector's CPU time minus the garbage collections (MinorGC/MajorGC) inside its calls. */
  collectorCpuNoGc: number[];
  /**
   * The three tasks with the most collector CPU time and the three with the most collector wall
   * time (fewer when they coincide): what ran in them, for the report ({@link topTasks}).
   */
  worst: TaskNote[];
}

/** One task that ran collector code: the collector's own CPU and wall ms in it, and what ran. */
export interface TaskNote {
  cpu: number;
  wall: number;
  text: string;
}

/** The texts of the `n` notes with the most `by` time, most first. */
export function topTasks(
  notes: readonly TaskNote[],
  by: "cpu" | "wall",
  n = 3,
): string[] {
  return notes.toSorted((a, b) => b[by] - a[by]).slice(0, n).map((w) => w.text);
}

/**
 * Summarises a trace: see the module doc for what counts as a task and as the collector's. With
 * `range`, only the tasks on one side of the mark count.
 */
export function summariseTrace(
  traceJson: Uint8Array,
  scriptUrlPart: string,
  range?: TraceRange,
): TaskSummary {
  const { traceEvents } = JSON.parse(new TextDecoder().decode(traceJson)) as {
    traceEvents: TraceEvent[];
  };
  const mains = new Set(
    traceEvents.filter((e) =>
      e.name === "thread_name" && e.args?.name === "CrRendererMain"
    ).map((e) => `${e.pid}:${e.tid}`),
  );
  // The page's renderer: the main thread that parsed the HTML.
  const parsed = traceEvents.find((e) =>
    e.name === "ParseHTML" && mains.has(`${e.pid}:${e.tid}`)
  );
  if (!parsed) throw new Error("Trace has no ParseHTML on a renderer");
  const onMain = traceEvents.filter((e) =>
    e.pid === parsed.pid && e.tid === parsed.tid && e.ph === "X" &&
    e.dur !== undefined
  ).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  let markTs: number | undefined;
  if (range) {
    markTs = traceEvents.find((e) => e.name === range.mark)?.ts;
    if (markTs === undefined) {
      throw new Error(`Trace has no mark "${range.mark}"`);
    }
  }
  const inRange = (ts: number) =>
    markTs === undefined ||
    (range!.side === "before" ? ts < markTs : ts >= markTs);
  const tasks: TraceEvent[] = [];
  let end = -Infinity;
  for (const e of onMain) {
    if (e.name === "RunTask" && e.ts >= end) {
      if (inRange(e.ts)) tasks.push(e);
      end = e.ts + e.dur!;
    }
  }
  const calls = onMain.filter((e) =>
    (e.name === "FunctionCall" || e.name === "EvaluateScript") &&
    e.args?.data?.url?.includes(scriptUrlPart)
  );
  const summary: TaskSummary = {
    tasks: [],
    tasksCpu: [],
    collectorTasks: [],
    collectorTasksCpu: [],
    collectorTime: [],
    collectorCpu: [],
    collectorCpuNoGc: [],
    worst: [],
  };
  const gcs = onMain.filter((e) =>
    e.name === "MinorGC" || e.name === "MajorGC"
  );
  const gcWithin = (from: number, to: number) =>
    gcs.reduce((sum, g) => g.ts >= from && g.ts < to ? sum + g.dur! : sum, 0);
  const cpu = (e: TraceEvent) => (e.tdur ?? e.dur!) / 1000;
  const notes: TaskNote[] = [];
  let c = 0;
  for (const task of tasks) {
    const taskEnd = task.ts + task.dur!;
    summary.tasks.push(task.dur! / 1000);
    summary.tasksCpu.push(cpu(task));
    let own = 0, ownCpu = 0, gc = 0, callEnd = -Infinity;
    const ran: string[] = [];
    while (c < calls.length && calls[c].ts < taskEnd) {
      const call = calls[c++];
      if (call.ts < task.ts || call.ts < callEnd) continue; // outside, or nested in the last call
      own += call.dur!;
      ownCpu += cpu(call);
      callEnd = call.ts + call.dur!;
      gc += gcWithin(call.ts, callEnd);
      const d = call.args?.data;
      ran.push(
        `${
          call.name === "EvaluateScript"
            ? "EvaluateScript"
            : `${d?.functionName || "(anonymous)"}@${d?.columnNumber}`
        } ${(call.dur! / 1000).toFixed(2)} ms (cpu ${cpu(call).toFixed(2)})`,
      );
    }
    if (own > 0) {
      summary.collectorTasks.push(task.dur! / 1000);
      summary.collectorTasksCpu.push(cpu(task));
      summary.collectorTime.push(own / 1000);
      summary.collectorCpu.push(ownCpu);
      summary.collectorCpuNoGc.push(Math.max(0, ownCpu - gc / 1000));
      notes.push({
        cpu: ownCpu,
        wall: own / 1000,
        text: `cpu ${ownCpu.toFixed(2)} ms own (wall ${
          (own / 1000).toFixed(2)
        }, gc ${(gc / 1000).toFixed(2)}) in a ${
          (task.dur! / 1000).toFixed(2)
        } ms task: ${ran.join(", ")}`,
      });
    }
  }
  const byCpu = notes.toSorted((a, b) => b.cpu - a.cpu).slice(0, 3);
  const byWall = notes.toSorted((a, b) => b.wall - a.wall).slice(0, 3);
  summary.worst = [...new Set([...byCpu, ...byWall])];
  return summary;
}

/** "max 1.23 ms, p99 0.80 ms, 0/431 over 5 ms" for a list of durations. */
export function describeDurations(ms: number[], budgetMs = 5): string {
  const d = durationStats(ms, budgetMs);
  if (d === null) return "none";
  return `max ${d.max.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, ` +
    `${d.over}/${ms.length} over ${budgetMs} ms`;
}

/** Max, p99 and the count over `budgetMs` of some durations (ms); null when there are none. */
export function durationStats(
  ms: number[],
  budgetMs = 5,
): { max: number; p99: number; over: number } | null {
  if (ms.length === 0) return null;
  const sorted = [...ms].sort((a, b) => a - b);
  const p99 =
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
  const over = ms.filter((x) => x > budgetMs).length;
  return { max: sorted.at(-1)!, p99, over };
}
