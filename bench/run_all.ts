/**
 * `deno task bench`: runs every benchmark in turn, each in its own process so one cannot skew
 * another's memory or JIT state. Each prints its own table with ratios against a baseline measured
 * in the same run (nginx, raw multi-row inserts, scikit-learn, the page's own fetch).
 *
 * Every benchmark also prints one `BENCH_RESULT` line per row (bench/_result.ts); this runner
 * collects them into bench/results.json (not committed): the date, the commit, the core count and
 * every result with its baseline and ratio, so two runs can be compared with any JSON diff.
 *
 * Pass `--quick` to shorten the tree benchmark to 10k and 100k rows. Benchmarks are never part of
 * `deno task test`.
 *
 * @module
 */

import { type BenchResult, parseResults } from "./_result.ts";

const quick = Deno.args.includes("--quick");
/** The browser benches give the page's main thread a core of its own where there are two. */
const pin = Deno.build.os === "linux" && navigator.hardwareConcurrency >= 2
  ? ["--pin"]
  : [];
const BENCHES: { name: string; args: string[] }[] = [
  {
    name: "proxy",
    // 1 and 2 workers when a PostgreSQL is given (workers share state through it).
    args: [
      "bench/proxy.ts",
      ...(Deno.env.get("BENCH_DATABASE_URL") ? ["--workers", "1,2"] : []),
    ],
  },
  { name: "proxy clients", args: ["bench/proxy_clients.ts"] },
  { name: "ingest", args: ["bench/ingest.ts"] },
  { name: "fleet_db", args: ["bench/fleet_db.ts"] },
  { name: "tree", args: ["bench/tree.ts", ...(quick ? ["--quick"] : [])] },
  {
    name: "collector long tasks",
    args: ["bench/collector_longtask.ts", ...pin],
  },
  { name: "collector unload", args: ["bench/collector_unload.ts", ...pin] },
];

/** Runs one benchmark, echoing its output as it comes; returns its exit code and whole stdout. */
async function run(args: string[]): Promise<{ code: number; stdout: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const decoder = new TextDecoder();
  let stdout = "";
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    stdout += decoder.decode(chunk, { stream: true });
  }
  const { code } = await child.status;
  return { code, stdout };
}

async function commit(): Promise<string | null> {
  try {
    const { success, stdout } = await new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout).trim() : null;
  } catch {
    return null;
  }
}

const results: BenchResult[] = [];
const failures: string[] = [];
for (const bench of BENCHES) {
  console.log(`\n=== bench: ${bench.name} ===`);
  const { code, stdout } = await run(bench.args);
  results.push(...parseResults(stdout));
  if (code !== 0) {
    console.error(`bench ${bench.name} exited with code ${code}`);
    failures.push(bench.name);
  }
}
const out = new URL("./results.json", import.meta.url);
await Deno.writeTextFile(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      commit: await commit(),
      cores: navigator.hardwareConcurrency,
      quick,
      failed: failures,
      results,
    },
    null,
    2,
  ) + "\n",
);
console.log(`\n${results.length} results written to bench/results.json`);
Deno.exit(failures.length === 0 ? 0 : 1);
