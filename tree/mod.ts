/**
 * Our own CART decision tree and forest, matching scikit-learn's DecisionTreeClassifier: Gini or
 * entropy, depth/size limits, class weights, missing values routed by a learned direction,
 * cost-complexity pruning; deterministic JSON models with a validating loader; fast prediction on
 * flat typed arrays. Pure numbers and labels: nothing here knows HTTP, SQL or what features mean.
 *
 * @example
 * ```ts
 * import { datasetFromRows, parseModel, predictProba, serializeModel, trainTree } from "./mod.ts";
 * const data = datasetFromRows(["speed", "pause"], [[1, 0.2], [9, 0], [2, 0.4]], ["human", "bot", "human"]);
 * const model = trainTree(data, { maxDepth: 3 });
 * const again = parseModel(serializeModel(model), "model.json", ["speed", "pause"]);
 * predictProba(again, [8, 0.1]); // Float64Array [1, 0]: classes ["bot", "human"]
 * ```
 *
 * @module
 */
export type {
  Criterion,
  Dataset,
  DecisionStep,
  FlatTree,
  Metrics,
  Model,
  TreeModel,
  TreeOptions,
} from "./types.ts";
export {
  datasetFromRows,
  rowOf,
  seededRandom,
  subsetDataset,
} from "./dataset.ts";
export {
  classWeights,
  maxFeaturesCount,
  resolveOptions,
  trainForest,
  trainTree,
  treeImportances,
} from "./train.ts";
export {
  decisionPath,
  explain,
  leafOf,
  predict,
  predictProba,
  predictProbaInto,
  score,
} from "./predict.ts";
export { modelSchema, serializeModel } from "./model_json.ts";
export { loadModel, parseModel } from "./model_load.ts";
export { renderTree } from "./render.ts";
export {
  featureImportances,
  formatImportances,
  formatMetrics,
} from "./report.ts";
export {
  type CsvDataset,
  type CsvOptions,
  DEFAULT_DROP,
  readCsvDataset,
} from "./csv.ts";
export {
  chooseCcpAlpha,
  crossValidate,
  type CvOptions,
  type CvResult,
  foldsOf,
  negativeClass,
} from "./cv.ts";
export {
  metrics,
  type MetricsInput,
  rocAuc,
  thresholdForFpr,
} from "./metrics.ts";
export { collapseAlphas, pruneTree, pruningPath } from "./prune.ts";
export { impurity } from "./_split.ts";
export {
  type BackgroundOptions,
  backgroundRows,
  contrastDataset,
} from "./background.ts";
export { type CliIo, runTrain } from "./train_cli.ts";
export { runEvaluate } from "./evaluate_cli.ts";
