/**
 * The one contract between a benchmark and `deno task bench`'s JSON summary: a benchmark calls
 * `reportResult` once per table row it prints, and bench/run_all.ts collects every such line from
 * the benchmarks' stdout into bench/results.json (not committed) so runs can be compared.
 *
 * A result names its baseline and the ratio against it, both measured in the same run.
 *
 * @module
 */

/** The stdout prefix bench/run_all.ts looks for. */
export const RESULT_PREFIX = "BENCH_RESULT ";

/** One measured row: values by name (units in the name: `rps`, `p50_ms`, `windows_per_s`). */
export interface BenchResult {
  /** The benchmark (file stem), e.g. `proxy`. */
  bench: string;
  /** The row, e.g. `guard` or `postgres/http_ingest`. */
  name: string;
  /** Measured values; units are part of each key. */
  values: Record<string, number>;
  /** What the ratio compares against, measured in the same run, e.g. `nginx rps`. */
  baseline?: string;
  /** This row's value over the baseline's. */
  ratio?: number;
}

/** Prints one result as a single machine-readable line (after the human table). */
export function reportResult(result: BenchResult): void {
  console.log(RESULT_PREFIX + JSON.stringify(result));
}

/** Every result line in a benchmark's output, in order; other lines are ignored. */
export function parseResults(output: string): BenchResult[] {
  return output.split("\n")
    .filter((line) => line.startsWith(RESULT_PREFIX))
    .map((line) => JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult);
}
