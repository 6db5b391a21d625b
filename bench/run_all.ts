/**
 * `deno task bench`: runs every benchmark in turn, each in its own process so one cannot skew
 * another's memory or JIT state. Each prints its own table with ratios against a baseline measured
 * in the same run (nginx, raw multi-row inserts, scikit-learn, the page's own fetch).
 *
 * Pass `--quick` to shorten the tree benchmark to 10k and 100k rows. Benchmarks are never part of
 * `deno task test`.
 *
 * @module
 */

const quick = Deno.args.includes("--quick");
/** The browser benches give the page's main thread a core of its own where there are two. */
const pin = Deno.build.os === "linux" && navigator.hardwareConcurrency >= 2
  ? ["--pin"]
  : [];
const BENCHES: { name: string; args: string[] }[] = [
  { name: "proxy", args: ["bench/proxy.ts"] },
  { name: "ingest", args: ["bench/ingest.ts"] },
  { name: "fleet_db", args: ["bench/fleet_db.ts"] },
  { name: "tree", args: ["bench/tree.ts", ...(quick ? ["--quick"] : [])] },
  {
    name: "collector long tasks",
    args: ["bench/collector_longtask.ts", ...pin],
  },
  { name: "collector unload", args: ["bench/collector_unload.ts", ...pin] },
];

let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n=== bench: ${bench.name} ===`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...bench.args],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    console.error(`bench ${bench.name} exited with code ${code}`);
    failed++;
  }
}
Deno.exit(failed === 0 ? 0 : 1);
