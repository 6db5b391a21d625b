/**
 * Loading a model from parsed JSON: schema validation, structural checks, and matching its
 * features to the caller's feature list.
 *
 * @module
 */
import { probaOf } from "./_nodes.ts";
import { checkTree, modelSchema } from "./model_json.ts";
import type { FlatTree, Model } from "./types.ts";

type Parsed = ReturnType<typeof modelSchema.parse>;

function toFlatTree(t: Parsed["trees"][number], remap: Int32Array): FlatTree {
  const value = Float64Array.from(t.value.flat());
  return {
    nodeCount: t.feature.length,
    feature: Int32Array.from(t.feature, (f) => f < 0 ? -1 : remap[f]),
    threshold: Float64Array.from(
      t.threshold,
      (x) => x === "Infinity" ? Infinity : x,
    ),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    nanLeft: Uint8Array.from(t.nanLeft),
    value,
    impurity: Float64Array.from(t.impurity),
    nSamples: Int32Array.from(t.nSamples),
    weightedNSamples: Float64Array.from(t.weightedNSamples),
    proba: probaOf(value, t.value[0]?.length ?? 1),
  };
}

/** Maps the model's feature indices to positions in `expected`, or explains the mismatch. */
function featureRemap(
  source: string,
  features: string[],
  expected?: readonly string[],
): Int32Array {
  if (!expected) return Int32Array.from(features, (_, i) => i);
  for (const f of expected) {
    if (!features.includes(f)) {
      throw new TypeError(
        `Cannot load model "${source}": feature "${f}" is missing`,
      );
    }
  }
  for (const f of features) {
    if (!expected.includes(f)) {
      throw new TypeError(
        `Cannot load model "${source}": feature "${f}" is not in the expected feature list`,
      );
    }
  }
  return Int32Array.from(features, (f) => expected.indexOf(f));
}

/**
 * Validates a parsed model file and returns the model. With `expectedFeatures`, the model must use
 * exactly those features; it is re-indexed so rows are given in `expectedFeatures` order.
 * Throws TypeError naming `source` and the problem, e.g.
 * `Cannot load model "data/model.json": feature "scroll_speed" is missing`.
 */
export function loadModel(
  json: unknown,
  source: string,
  expectedFeatures?: readonly string[],
): Model {
  const parsed = modelSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0
      ? `"${issue.path.join(".")}"`
      : "the file";
    throw new TypeError(
      `Cannot load model "${source}": ${where}: ${issue.message}`,
    );
  }
  const m = parsed.data;
  const fail = (why: string) =>
    new TypeError(`Cannot load model "${source}": ${why}`);
  if (new Set(m.features).size !== m.features.length) {
    throw fail("feature names repeat");
  }
  if (new Set(m.classes).size !== m.classes.length) {
    throw fail("class labels repeat");
  }
  if (!m.classes.includes(m.negative)) {
    throw fail(`negative class "${m.negative}" is not one of the classes`);
  }
  if (m.importances.length !== m.features.length) {
    throw fail(
      `"importances" has ${m.importances.length} entries, expected ${m.features.length}`,
    );
  }
  m.trees.forEach((t, i) => {
    const why = checkTree(t, m.features.length, m.classes.length);
    if (why) throw fail(`tree ${i}: ${why}`);
  });
  const remap = featureRemap(source, m.features, expectedFeatures);
  const features = expectedFeatures ? [...expectedFeatures] : m.features;
  const importances = new Float64Array(features.length);
  m.importances.forEach((v, i) => importances[remap[i]] = v);
  return {
    format: m.format,
    kind: m.kind,
    features,
    classes: m.classes,
    negative: m.negative,
    threshold: m.threshold,
    options: m.options,
    dataSha256: m.dataSha256,
    ...(m.metrics
      ? { metrics: { ...m.metrics, rocAuc: m.metrics.rocAuc ?? NaN } }
      : {}),
    importances,
    trees: m.trees.map((t) => toFlatTree(t, remap)),
  };
}

/** Parses model JSON text and loads it; a JSON syntax error names `source`. */
export function parseModel(
  text: string,
  source: string,
  expectedFeatures?: readonly string[],
): Model {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(
      `Cannot load model "${source}": ${(err as Error).message}`,
    );
  }
  return loadModel(json, source, expectedFeatures);
}
