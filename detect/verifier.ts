/**
 * User verification ("is this the account owner?"): a per-user forest that tells the owner's
 * feature windows (class "owner") from other humans' windows ("other"). Pure: numbers in, a
 * {@link Model} out; storing profiles and wiring them to sessions is the caller's job.
 *
 * A profile is one model, JSON-serialisable with tree/ `serializeModel` / `parseModel` (pass no
 * expected feature list, or {@link VERIFIER_FEATURES}: the model names the features it uses); with
 * the defaults it was 240–460 KB of JSON on three SapiMouse and three Balabit users. It needs at least
 * {@link MIN_OWNER_WINDOWS} owner windows with pointer evidence (fewer throw) and should have
 * {@link RECOMMENDED_OWNER_WINDOWS} (2 min of mouse use) before its verdicts are used, plus other
 * people's windows (up to `maxOthers`, e.g. other users' stored windows).
 *
 * This is the window forest of a profile; owner_model.ts adds the action forest beside it and
 * profiles.ts normalises the pair per user. What to expect of the pair (docs/user_verification.md,
 * "Results" and "What each change bought"): on SapiMouse (120 people, one clicking task) mean
 * per-user AUC 0.88 per 5-s window and 0.90 for the first 15 s; on Balabit (another logger, 10
 * people) 0.97 per user for whole sessions, 0.962 pooled after per-user normalisation. No
 * threshold is built in: the product decides per session with a sequential rule (owner.ts) on
 * normalised window evidence ({@link calibratedScore}); its measured rates are in
 * docs/user_verification.md, "The guard's rule".
 *
 * @example
 * ```ts
 * const model = trainVerifier(ownerWindows, otherPeoplesWindows, { seed: 1 });
 * const text = serializeModel(model); // store as the user's profile
 * const p = ownerProbability(parseModel(text, "profile user42"), window); // P(owner), NaN: no evidence
 * const session = sessionOwnerProbability([p1, p2, p3]); // compare with a threshold
 * ```
 *
 * @module
 */
import {
  FEATURE_NAMES,
  type FeatureName,
  type FeatureVector,
  hasPointerEvidence,
  OWNER_FEATURE_NAMES,
  type OwnerFeatureName,
  type OwnerFeatures,
} from "../collector/mod.ts";
import {
  datasetFromRows,
  type Model,
  predictProba,
  seededRandom,
  trainForest,
} from "../tree/mod.ts";

/**
 * What a verifier scores: a window's features, with its owner features (collector
 * owner_features.ts) when they were computed (absent ones count as missing, NaN).
 */
export type VerifierVector = FeatureVector & Partial<OwnerFeatures>;

/** A feature a verifier may split on: a bot-model feature or an owner feature. */
export type VerifierFeature = FeatureName | OwnerFeatureName;

/** The owner's class label in a verifier model. */
export const OWNER = "owner";
/** Everyone else's class label. */
export const OTHER = "other";

/**
 * Features a verifier splits on by default: the rate- and direction-invariant movement and click
 * features the shipped bot model uses (sim/dataset/train_model.ts DEFAULT_BLANK removes per-axis/count and
 * typing features), without the environment flags (untrusted_share, webdriver: the same for every
 * human) and without the event-interval features (interval_mean/std/cv: the mouse's and browser's
 * sampling, so they describe the device more than the person; leaving them out raised the mean
 * window AUC from 0.840 to 0.852). Chosen on SapiMouse users 1–72: docs/user_verification.md,
 * "Choosing features and options".
 */
export const VERIFIER_FEATURES: readonly FeatureName[] = [
  "speed_mean",
  "speed_std",
  "speed_max",
  "accel_mean",
  "accel_std",
  "jerk_mean",
  "curvature_mean",
  "straightness",
  "pause_share",
  "click_dwell_mean",
  "click_dwell_std",
  "click_no_move_share",
  "scroll_interval_cv",
];

/**
 * What the window forest splits on by default: {@link VERIFIER_FEATURES} and the owner features
 * (collector owner_features.ts: action shares and means, per-direction and per-axis speed).
 * Owner features absent from every owner training window (windows stored before they were
 * computed) are left out of that profile's forest.
 */
export const OWNER_CHECK_FEATURES: readonly VerifierFeature[] = [
  ...VERIFIER_FEATURES,
  ...OWNER_FEATURE_NAMES,
];

/** Fewest owner windows (with pointer evidence) a profile is trained from: 30 s of mouse use. */
export const MIN_OWNER_WINDOWS = 6;

/**
 * Owner windows a profile should have before its verdicts are used: 2 min of mouse use. On
 * SapiMouse the per-user AUC of a 15-s session rose from 0.77 (6 windows) to 0.82 (12) and 0.86
 * (24), then only to 0.87 (36) (docs/user_verification.md, "Profile size").
 */
export const RECOMMENDED_OWNER_WINDOWS = 24;

/** Options of {@link trainVerifier}. */
export interface VerifierOptions {
  /** Trees in the forest (default 50). */
  trees?: number;
  /** Maximum depth, 0 unlimited (default 0). */
  maxDepth?: number;
  /** Minimum training windows per leaf (default 3). */
  minSamplesLeaf?: number;
  /** Seed of the others' subsample and of the forest (default 1). */
  seed?: number;
  /** Others' windows kept, a seeded sample when there are more (default 3000). */
  maxOthers?: number;
  /** Features the forest may split on (default {@link OWNER_CHECK_FEATURES}). */
  features?: readonly VerifierFeature[];
  /** Train the action forest too (owner_model.ts; default true). */
  actions?: boolean;
}

/**
 * The defaults of {@link VerifierOptions}. 3000 others' windows and 3 windows per leaf (were 1000
 * and 10) were chosen on SapiMouse users 1–72 (users 1–36 verified against 37–72: first-15-s
 * per-user AUC 0.905 → 0.921) and held on users 73–120 (docs/user_verification.md, "What each
 * change bought").
 */
export const DEFAULT_VERIFIER_OPTIONS: Readonly<
  Required<Omit<VerifierOptions, "features">>
> = {
  trees: 50,
  maxDepth: 0,
  minSamplesLeaf: 3,
  seed: 1,
  maxOthers: 3000,
  actions: true,
};

/**
 * A seeded sample of `max` items, in input order (all of them when there are no more than `max`):
 * how {@link trainVerifier} picks the others' windows it trains on.
 */
export function sampleOthers<T>(
  items: readonly T[],
  max: number,
  seed: number,
): T[] {
  if (items.length <= max) return [...items];
  const random = seededRandom(seed);
  const idx = Array.from(items, (_, i) => i);
  // Partial Fisher-Yates: the first `max` slots are a uniform sample; sorted back to input order.
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, max).sort((a, b) => a - b).map((i) => items[i]);
}

const KNOWN: ReadonlySet<string> = new Set([
  ...FEATURE_NAMES,
  ...OWNER_FEATURE_NAMES,
]);

/** A window's value of one feature; NaN when absent (an owner feature never computed). */
const valueOf = (v: VerifierVector, f: string) =>
  (v as Record<string, number | undefined>)[f] ?? NaN;

function checkFeatures(features: readonly string[]): void {
  if (features.length === 0) {
    throw new RangeError("Cannot train verifier: no features");
  }
  for (const f of features) {
    if (!KNOWN.has(f)) {
      throw new RangeError(
        `Cannot train verifier: feature "${f}" is not in FEATURE_NAMES or OWNER_FEATURE_NAMES`,
      );
    }
  }
}

/**
 * Trains the owner's profile: a forest (balanced class weights, sqrt features per split, seeded)
 * on the owner's windows against a seeded sample of at most `maxOthers` other people's windows.
 * Windows without pointer evidence (collector `hasPointerEvidence`) are left out: the features are
 * all pointer features, so such a window says nothing about who moves the mouse.
 *
 * @throws RangeError when fewer than {@link MIN_OWNER_WINDOWS} owner windows or no other window
 * has pointer evidence, or an option is out of range
 */
export function trainVerifier(
  owner: readonly VerifierVector[],
  others: readonly VerifierVector[],
  options: VerifierOptions = {},
): Model {
  const d = DEFAULT_VERIFIER_OPTIONS;
  const o = {
    trees: options.trees ?? d.trees,
    maxDepth: options.maxDepth ?? d.maxDepth,
    minSamplesLeaf: options.minSamplesLeaf ?? d.minSamplesLeaf,
    seed: options.seed ?? d.seed,
    maxOthers: options.maxOthers ?? d.maxOthers,
  };
  const requested = options.features ?? OWNER_CHECK_FEATURES;
  checkFeatures(requested);
  if (!(Number.isInteger(o.maxOthers) && o.maxOthers >= 1)) {
    throw new RangeError(
      `Option "maxOthers" must be an integer >= 1, got ${o.maxOthers}`,
    );
  }
  const mine = owner.filter(hasPointerEvidence);
  if (mine.length < MIN_OWNER_WINDOWS) {
    throw new RangeError(
      `Cannot train verifier: ${mine.length} owner windows with pointer evidence, need at least ${MIN_OWNER_WINDOWS}`,
    );
  }
  const theirs = sampleOthers(
    others.filter(hasPointerEvidence),
    o.maxOthers,
    o.seed,
  );
  if (theirs.length === 0) {
    throw new RangeError(
      "Cannot train verifier: no other people's windows with pointer evidence",
    );
  }
  // An owner feature no owner window has (stored before it was computed) says nothing.
  const features = requested.filter((f) =>
    !(OWNER_FEATURE_NAMES as readonly string[]).includes(f) ||
    mine.some((v) => !Number.isNaN(valueOf(v, f)))
  );
  const row = (v: VerifierVector) => features.map((f) => valueOf(v, f));
  const data = datasetFromRows(
    [...features],
    [...mine.map(row), ...theirs.map(row)],
    [...mine.map(() => OWNER), ...theirs.map(() => OTHER)],
  );
  const model = trainForest(data, {
    trees: o.trees,
    maxDepth: o.maxDepth,
    minSamplesLeaf: o.minSamplesLeaf,
    classWeight: "balanced",
    maxFeatures: "sqrt",
    seed: o.seed,
  });
  // The score (1 − P(negative)) is then P(owner), whatever the class order.
  return { ...model, negative: OTHER };
}

/**
 * P(owner) of one window under a profile, or NaN when the window has no pointer evidence (no
 * evidence either way, as the bot detector treats it).
 */
export function ownerProbability(
  model: Model,
  features: VerifierVector,
): number {
  const owner = model.classes.indexOf(OWNER);
  if (owner < 0 || !model.classes.includes(OTHER)) {
    throw new TypeError(
      `Cannot verify: the model's classes are not "${OWNER}" and "${OTHER}"`,
    );
  }
  if (!hasPointerEvidence(features)) return NaN;
  const row = model.features.map((f) => valueOf(features, f));
  return predictProba(model, row)[owner];
}

/**
 * A session's P(owner) so far: the mean of its windows' probabilities, NaN windows (no pointer
 * evidence) skipped; NaN when none is left. The mean, not summed log-odds: on SapiMouse users 1–72
 * it separated owners from others as well or better at both 15 and 30 s in 13 of 16 compared
 * configurations (docs/user_verification.md).
 */
export function sessionOwnerProbability(
  probabilities: readonly number[],
): number {
  let sum = 0, n = 0;
  for (const p of probabilities) {
    if (Number.isNaN(p)) continue;
    sum += p;
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * Window log-odds of "not the owner" per unit of a profile's spread: with a spread, a window
 * scoring the held-out others' mean gets about +OWNER_EVIDENCE_SCALE / 2, one scoring the held-out
 * owner's mean about −OWNER_EVIDENCE_SCALE / 2 (chosen with OWNER_THRESHOLD on SapiMouse users
 * 1–72, docs/user_verification.md "The guard's rule").
 */
export const OWNER_EVIDENCE_SCALE = 8;

/**
 * The window score s = 1 − P(owner) as the owner check weighs it. With the profile's `spread`
 * (per-user normalisation, profiles.ts): sigmoid(OWNER_EVIDENCE_SCALE × (s − c) / spread), so
 * every profile's held-out owner and other windows sit at the same evidence whatever the scale
 * of its scores. Without (older profiles): s re-centred on c, sigmoid(logit(s) − logit(c)).
 */
export function calibratedScore(
  score: number,
  calibration: number,
  spread?: number,
): number {
  if (spread !== undefined && spread > 0) {
    return 1 /
      (1 + Math.exp(-OWNER_EVIDENCE_SCALE * (score - calibration) / spread));
  }
  const c = Math.min(1 - 1e-6, Math.max(1e-6, calibration));
  return 1 / (1 + Math.exp(-(logOdds(score) - logOdds(c))));
}

const logOdds = (p: number) => Math.log(p / (1 - p));
