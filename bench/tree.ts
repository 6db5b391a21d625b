/**
 * Benchmark: our CART vs scikit-learn's DecisionTreeClassifier, single thread, default options
 * (unlimited depth), on the same data: 10k, 100k and 1M rows x 20 features (`--quick`: 10k, 100k).
 * The data is generated once per size (seeded) and written to a temp file both sides read.
 * Prints fit time ratios (ours / scikit-learn, <= 1.0 means we are faster) and predict cost per
 * row: one row scored repeatedly as the proxy does (target <= 200 ns), and 100k distinct rows
 * (cache-cold walks of a tree with tens of thousands of nodes), against scikit-learn's batch
 * predict per row and its one-row call.
 *
 * Run: deno run -A bench/tree.ts [--quick]
 *
 * @module
 */
import { predictProbaInto, seededRandom, trainTree } from "../tree/mod.ts";
import type { Dataset } from "../tree/mod.ts";
import { reportResult } from "./_result.ts";

const F = 20;

/** Seeded data: 8 informative features (2 interactions), 12 noise, 3% label noise, 2% NaN-free. */
function makeData(n: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const X = new Float32Array(n * F);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let f = 0; f < F; f++) {
      const v = random() * 2 - 1;
      X[f * n + r] = v;
      if (f < 6) s += v * (f % 2 === 0 ? 1 : -0.7);
    }
    s += X[6 * n + r] * X[7 * n + r] * 2;
    y[r] = (s > 0 ? 1 : 0) ^ (random() < 0.03 ? 1 : 0);
  }
  return {
    features: Array.from({ length: F }, (_, i) => `f${i}`),
    X,
    nRows: n,
    y,
    classes: ["bot", "human"],
  };
}

async function writeData(d: Dataset): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".bin" });
  const bytes = new Uint8Array(d.X.byteLength + d.nRows);
  bytes.set(new Uint8Array(d.X.buffer, d.X.byteOffset, d.X.byteLength));
  bytes.set(Uint8Array.from(d.y), d.X.byteLength);
  await Deno.writeFile(path, bytes);
  return path;
}

async function sklearn(path: string, n: number) {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./tree_sklearn.py", import.meta.url).pathname,
      path,
      String(n),
      String(F),
    ],
    env: {
      OMP_NUM_THREADS: "1",
      OPENBLAS_NUM_THREADS: "1",
      MKL_NUM_THREADS: "1",
    },
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`scikit-learn side failed for n=${n}`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as {
    fit_s: number;
    batch_ns: number;
    single_ns: number;
    nodes: number;
    depth: number;
  };
}

/** ns per call of predictProbaInto over `rows` cycled `calls` times (after a warm-up pass). */
function predictNs(
  model: ReturnType<typeof trainTree>,
  rows: Float64Array[],
  calls: number,
): number {
  const out = new Float64Array(2);
  let sink = 0;
  let ns = 0;
  for (let rep = 0; rep < 2; rep++) {
    const t0 = performance.now();
    for (let k = 0; k < calls; k++) {
      sink += predictProbaInto(model, rows[k % rows.length], out)[0];
    }
    ns = (performance.now() - t0) / calls * 1e6;
  }
  if (sink < 0) console.log(sink);
  return ns;
}

function ours(d: Dataset) {
  const t0 = performance.now();
  const model = trainTree(d);
  const fitS = (performance.now() - t0) / 1000;
  const m = Math.min(d.nRows, 100_000);
  const rows = Array.from(
    { length: m },
    (_, r) => Float64Array.from({ length: F }, (_, f) => d.X[f * d.nRows + r]),
  );
  // The proxy scores one window at a time: one row, hot in cache, many calls.
  const single = predictNs(model, rows.slice(0, 1), 200_000);
  const many = predictNs(model, rows, m);
  return { fitS, single, many, nodes: model.trees[0].nodeCount };
}

const sizes = Deno.args.includes("--quick")
  ? [10_000, 100_000]
  : [10_000, 100_000, 1_000_000];
console.log(
  "rows      fit ours   fit sklearn  ratio | predict ns: ours 1 row  ours distinct rows  sklearn batch/row  sklearn 1 row | nodes ours/sklearn",
);
for (const n of sizes) {
  const d = makeData(n, n);
  const path = await writeData(d);
  try {
    const sk = await sklearn(path, n);
    const me = ours(d);
    console.log(
      `${String(n).padEnd(9)} ${me.fitS.toFixed(3).padStart(8)}s ${
        sk.fit_s.toFixed(3).padStart(10)
      }s  ${(me.fitS / sk.fit_s).toFixed(2).padStart(5)}  | ` +
        `${me.single.toFixed(0).padStart(22)}  ${
          me.many.toFixed(0).padStart(18)
        }  ${sk.batch_ns.toFixed(0).padStart(17)}  ${
          sk.single_ns.toFixed(0).padStart(13)
        } | ${me.nodes}/${sk.nodes}`,
    );
    reportResult({
      bench: "tree",
      name: `fit ${n} rows`,
      values: {
        fit_s: me.fitS,
        sklearn_fit_s: sk.fit_s,
        predict_one_row_ns: me.single,
        predict_distinct_rows_ns: me.many,
        sklearn_predict_one_row_ns: sk.single_ns,
      },
      baseline: "scikit-learn fit_s",
      ratio: me.fitS / sk.fit_s,
    });
  } finally {
    await Deno.remove(path);
  }
}
