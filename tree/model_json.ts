/**
 * The model's JSON form (`format: "guard-tree/1"`): deterministic serialisation, validating load
 * (zod) and a text rendering.
 *
 * @module
 */
import { z } from "zod";
import type { FlatTree, Metrics, Model } from "./types.ts";

const num = z.number().finite();
const int = z.number().int();

const treeSchema = z.strictObject({
  feature: z.array(int.min(-1)),
  threshold: z.array(z.union([num, z.literal("Infinity")])),
  left: z.array(int.min(-1)),
  right: z.array(int.min(-1)),
  nanLeft: z.array(z.union([z.literal(0), z.literal(1)])),
  value: z.array(z.array(num.min(0))),
  // Gini of a pure node can round to about -1e-15 (as in scikit-learn): tolerate, do not clamp.
  impurity: z.array(num.min(-1e-9)),
  nSamples: z.array(int.min(0)),
  weightedNSamples: z.array(num.min(0)),
});

const metricsSchema = z.strictObject({
  n: int.min(0),
  accuracy: num,
  precision: num,
  recall: num,
  f1: num,
  rocAuc: num.nullable(),
  confusion: z.array(z.array(int.min(0))),
  threshold: num,
  fpr: num,
});

const optionsSchema = z.strictObject({
  criterion: z.enum(["gini", "entropy"]),
  maxDepth: int.min(0),
  minSamplesSplit: int.min(2),
  minSamplesLeaf: int.min(1),
  minImpurityDecrease: num.min(0),
  classWeight: z.union([
    z.literal("balanced"),
    z.record(z.string(), num.min(0)),
  ]).optional(),
  ccpAlpha: num.min(0),
  trees: int.min(1),
  maxFeatures: z.union([z.enum(["sqrt", "log2", "all"]), num.positive()]),
  seed: int,
});

/** The zod schema of a model file. */
export const modelSchema = z.strictObject({
  format: z.literal("guard-tree/1"),
  kind: z.enum(["tree", "forest"]),
  features: z.array(z.string().min(1)).min(1),
  classes: z.array(z.string().min(1)).min(1),
  negative: z.string().min(1),
  threshold: num,
  options: optionsSchema,
  dataSha256: z.string().regex(/^([0-9a-f]{64})?$/),
  metrics: metricsSchema.optional(),
  importances: z.array(num.min(0)),
  trees: z.array(treeSchema).min(1),
});

type ModelJson = z.infer<typeof modelSchema>;

function treeJson(t: FlatTree, nClasses: number) {
  const value: number[][] = [];
  for (let i = 0; i < t.nodeCount; i++) {
    value.push(Array.from(t.value.subarray(i * nClasses, (i + 1) * nClasses)));
  }
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold, (x) => x === Infinity ? "Infinity" : x),
    left: Array.from(t.left),
    right: Array.from(t.right),
    nanLeft: Array.from(t.nanLeft),
    value,
    impurity: Array.from(t.impurity),
    nSamples: Array.from(t.nSamples),
    weightedNSamples: Array.from(t.weightedNSamples),
  };
}

function metricsJson(m: Metrics) {
  return { ...m, rocAuc: Number.isNaN(m.rocAuc) ? null : m.rocAuc };
}

/** The model as JSON text: fixed key order, one top-level key per line, so equal models give equal bytes. */
export function serializeModel(model: Model): string {
  const o = model.options;
  const options = {
    criterion: o.criterion,
    maxDepth: o.maxDepth,
    minSamplesSplit: o.minSamplesSplit,
    minSamplesLeaf: o.minSamplesLeaf,
    minImpurityDecrease: o.minImpurityDecrease,
    ...(o.classWeight === undefined ? {} : { classWeight: o.classWeight }),
    ccpAlpha: o.ccpAlpha,
    trees: o.trees,
    maxFeatures: o.maxFeatures,
    seed: o.seed,
  };
  const entries: [string, unknown][] = [
    ["format", model.format],
    ["kind", model.kind],
    ["features", model.features],
    ["classes", model.classes],
    ["negative", model.negative],
    ["threshold", model.threshold],
    ["options", options],
    ["dataSha256", model.dataSha256],
    ...(model.metrics
      ? [["metrics", metricsJson(model.metrics)] as [string, unknown]]
      : []),
    ["importances", Array.from(model.importances)],
    ["trees", model.trees.map((t) => treeJson(t, model.classes.length))],
  ];
  return "{\n" +
    entries.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(",\n") +
    "\n}\n";
}

/** Why a tree of a parsed model file is inconsistent, or undefined when it is fine. */
export function checkTree(
  t: ModelJson["trees"][number],
  nFeatures: number,
  nClasses: number,
): string | undefined {
  const n = t.feature.length;
  const lists = {
    threshold: t.threshold,
    left: t.left,
    right: t.right,
    nanLeft: t.nanLeft,
    value: t.value,
    impurity: t.impurity,
    nSamples: t.nSamples,
    weightedNSamples: t.weightedNSamples,
  };
  for (const [key, list] of Object.entries(lists)) {
    if (list.length !== n) {
      return `"${key}" has ${list.length} entries, expected ${n}`;
    }
  }
  if (n === 0) return "it has no nodes";
  for (let i = 0; i < n; i++) {
    if (t.value[i].length !== nClasses) {
      return `node ${i} has ${
        t.value[i].length
      } class totals, expected ${nClasses}`;
    }
    if (t.feature[i] >= nFeatures) {
      return `node ${i} tests feature ${t.feature[i]} of ${nFeatures}`;
    }
    const leaf = t.feature[i] < 0;
    if (leaf && (t.left[i] !== -1 || t.right[i] !== -1)) {
      return `leaf ${i} has children`;
    }
    // Pre-order numbering, left child first: children come after their parent (no cycles), and
    // prediction relies on left = i + 1.
    if (
      !leaf &&
      !(t.left[i] === i + 1 && t.right[i] > i + 1 && t.right[i] < n)
    ) return `node ${i} has bad children`;
  }
  return undefined;
}
