/**
 * The owner model a profile stores: two forests whose P(owner) are averaged per window.
 *
 * - The window forest ({@link trainVerifier}): the window's movement features and its owner
 *   features (collector owner_features.ts: action-type shares, action means, per-direction and
 *   per-axis speed).
 * - The action forest: one row per action of the window (`extractActionVectors`: type, duration,
 *   path, straightness, speeds, accelerations, curvature, deviation, time to click, direction and
 *   per-axis displacement and velocity), as the published Balabit work classifies actions
 *   (Antal & Egyed-Zsigmond 2019). A window's action score is the mean P(owner) of its actions.
 *
 * A window's P(owner) is the mean of the two (either alone when the other has no evidence: no
 * action long enough, or no pointer evidence). On SapiMouse and Balabit the mean separated owners
 * from others better than either forest alone (docs/user_verification.md, "What each change
 * bought"). A profile trained from windows without stored actions (rows from before migration
 * 007) has no action forest and is stored as the plain window forest, as before. With the
 * defaults a stored profile of both forests was 1.0–1.5 MB of JSON (three SapiMouse and three
 * Balabit users; the window forest alone 240–460 KB): one row per user, read once per
 * PROFILE_TTL_MS by each instance.
 *
 * @module
 */
import { ACTION_FEATURE_NAMES } from "../collector/mod.ts";
import {
  datasetFromRows,
  type Model,
  parseModel,
  predictProba,
  serializeModel,
  trainForest,
} from "../tree/mod.ts";
import {
  DEFAULT_VERIFIER_OPTIONS,
  OTHER,
  OWNER,
  ownerProbability,
  sampleOthers,
  trainVerifier,
  type VerifierOptions,
  type VerifierVector,
} from "./verifier.ts";

/** A window as the owner model scores it: its features, owner features and action vectors. */
export type OwnerWindow = VerifierVector & {
  /** The window's action vectors (ACTION_FEATURE_NAMES order), when computed. */
  actions?: readonly (readonly number[])[];
};

/** A profile's model: the window forest, and the action forest when there were actions. */
export interface OwnerModel {
  window: Model;
  actions: Model | null;
}

/** The JSON format tag of a stored two-forest profile. */
export const OWNER_MODEL_FORMAT = "guard-owner/1";
/** Fewest owner actions an action forest is trained from; fewer: the window forest alone. */
export const MIN_OWNER_ACTIONS = 30;
/** Owner and others' actions each sampled (seeded) for the action forest. */
export const MAX_ACTIONS = 3000;
/** Minimum actions per leaf of the action forest (chosen on SapiMouse users 1–72). */
export const ACTION_MIN_SAMPLES_LEAF = 5;

/**
 * Trains a profile's owner model: the window forest as {@link trainVerifier} trains it, and an
 * action forest (same trees, seed; balanced classes, √features per split) on at most
 * {@link MAX_ACTIONS} of the owner's actions against as many of the others'.
 *
 * @throws RangeError as trainVerifier does
 */
export function trainOwnerModel(
  owner: readonly OwnerWindow[],
  others: readonly OwnerWindow[],
  options: VerifierOptions = {},
): OwnerModel {
  const window = trainVerifier(owner, others, options);
  const seed = options.seed ?? DEFAULT_VERIFIER_OPTIONS.seed;
  const actionsOf = (ws: readonly OwnerWindow[]) =>
    ws.flatMap((w) => (w.actions ?? []) as number[][]);
  const mine = sampleOthers(actionsOf(owner), MAX_ACTIONS, seed);
  const theirs = sampleOthers(actionsOf(others), MAX_ACTIONS, seed);
  const wanted = options.actions ?? DEFAULT_VERIFIER_OPTIONS.actions;
  if (!wanted || mine.length < MIN_OWNER_ACTIONS || theirs.length === 0) {
    return { window, actions: null };
  }
  const data = datasetFromRows(
    [...ACTION_FEATURE_NAMES],
    [...mine, ...theirs],
    [...mine.map(() => OWNER), ...theirs.map(() => OTHER)],
  );
  const actions = trainForest(data, {
    trees: options.trees ?? DEFAULT_VERIFIER_OPTIONS.trees,
    maxDepth: 0,
    minSamplesLeaf: ACTION_MIN_SAMPLES_LEAF,
    classWeight: "balanced",
    maxFeatures: "sqrt",
    seed,
  });
  return { window, actions: { ...actions, negative: OTHER } };
}

/** Mean P(owner) of the window's actions under the action forest; NaN without actions. */
function actionProbability(model: Model, w: OwnerWindow): number {
  const owner = model.classes.indexOf(OWNER);
  const actions = w.actions ?? [];
  if (actions.length === 0) return NaN;
  let sum = 0;
  for (const a of actions) {
    sum += predictProba(model, a.map((v) => v ?? NaN))[owner];
  }
  return sum / actions.length;
}

/**
 * A window's P(owner) under an owner model: the mean of the window forest's and the action
 * forest's, either alone when the other is NaN; NaN when both are (no evidence).
 */
export function ownerModelProbability(
  model: OwnerModel,
  w: OwnerWindow,
): number {
  const p = ownerProbability(model.window, w);
  const a = model.actions ? actionProbability(model.actions, w) : NaN;
  if (Number.isNaN(a)) return p;
  if (Number.isNaN(p)) return a;
  return (p + a) / 2;
}

/** The stored text: the plain window forest (tree/ JSON) without actions, else both forests. */
export function serializeOwnerModel(model: OwnerModel): string {
  if (model.actions === null) return serializeModel(model.window);
  return `{"format":"${OWNER_MODEL_FORMAT}","window":${
    serializeModel(model.window)
  },"actions":${serializeModel(model.actions)}}`;
}

/**
 * Reads a stored profile model: a two-forest {@link OWNER_MODEL_FORMAT} object, or a plain forest
 * (profiles trained before action forests, or without actions).
 *
 * @throws SyntaxError or TypeError from parseModel, naming `where`
 */
export function parseOwnerModel(text: string, where: string): OwnerModel {
  const parsed = JSON.parse(text);
  if (parsed?.format !== OWNER_MODEL_FORMAT) {
    return { window: parseModel(text, where), actions: null };
  }
  return {
    window: parseModel(JSON.stringify(parsed.window), `${where} (window)`),
    actions: parseModel(JSON.stringify(parsed.actions), `${where} (actions)`),
  };
}
