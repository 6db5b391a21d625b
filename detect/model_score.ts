/**
 * The mouse model's view of one window: its score and why. Split from detector.ts, which
 * re-exports these, so the detector stays about evidence and its side effects.
 *
 * @module
 */
import type { FeatureVector } from "../collector/mod.ts";
import { explain, type Model, predictProbaInto } from "../tree/mod.ts";

/** One step of a tree's decision path, JSON-ready (NaN values as null). */
export interface PathStep {
  feature: string;
  threshold: number;
  value: number | null;
  wentLeft: boolean;
}

/** The model's explanation of one window. */
export interface WindowExplanation {
  topFeatures: { feature: string; importance: number }[];
  path: PathStep[];
  paths: PathStep[][];
}

const rows = new WeakMap<Model, (v: FeatureVector) => Float64Array>();

/** A row in the model's own feature order (a model may use a subset of FEATURE_NAMES). */
export function rowFor(model: Model): (v: FeatureVector) => Float64Array {
  let fn = rows.get(model);
  if (fn === undefined) {
    const names = model.features as (keyof FeatureVector)[];
    fn = (v) => Float64Array.from(names, (n) => v[n] ?? Number.NaN);
    rows.set(model, fn);
  }
  return fn;
}

/** Score of one window: 1 − P(negative class, "human"). */
export function scoreWindow(model: Model, features: FeatureVector): number {
  const p = predictProbaInto(
    model,
    rowFor(model)(features),
    new Float64Array(model.classes.length),
  );
  return 1 - p[model.classes.indexOf(model.negative)];
}

/** Why the model said what it did: top features and the strongest trees' paths, JSON-ready. */
export function explainWindow(
  model: Model,
  features: FeatureVector,
): WindowExplanation {
  const why = explain(model, rowFor(model)(features));
  const paths = why.paths.map((p) =>
    p.map((s) => ({ ...s, value: Number.isNaN(s.value) ? null : s.value }))
  );
  return {
    topFeatures: why.topFeatures.slice(0, 5),
    path: paths[0] ?? [],
    paths,
  };
}
