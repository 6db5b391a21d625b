/**
 * Trains user profiles from the store: for every identity with at least PROFILE_MIN_WINDOWS clean
 * windows (db/_profiles.ts: sessions never revoked, detected or labelled bot), a verifier
 * (verifier.ts) of that user's windows against a reproducible sample of everyone else's, saved
 * with a content version and a calibration. Only windows of the last PROFILE_WINDOW_DAYS count.
 * Run every PROFILE_RETRAIN_MS by the guard ({@link startProfileRetrain}) or by
 * `deno task profiles` (profiles_cli.ts) from cron; the owner check picks new profiles up within
 * PROFILE_TTL_MS.
 *
 * Calibration, and why: a verifier scores the owner's windows from a NEW session far less
 * confidently than its training windows (behaviour drifts between sessions; on SapiMouse most
 * genuine one-minute sessions scored 0.6–1.0 "not owner"), so 0.5 is no zero point. The newest
 * quarter of the owner's windows (at least 3) and a fifth of the others' are held out; the model
 * is trained on the rest, and the held-out scores set the profile's zero point (calibration) and
 * scale (spread), per user ({@link trainProfile}). The owner check weighs each window's evidence
 * by them, so one OWNER_THRESHOLD fits every profile.
 *
 * @module
 */
import type { Store } from "../../db/mod.ts";
import { log } from "../../log.ts";
import { createProfileWorker } from "./profile_worker.ts";
import {
  type OwnerModel,
  ownerModelProbability,
  type OwnerWindow,
  serializeOwnerModel,
  trainOwnerModel,
  type VerifierOptions,
} from "../../detect/mod.ts";

/** Owner windows a profile is trained from by default, the newest: an hour of 5-s windows. */
export const MAX_OWNER_WINDOWS = 720;
/**
 * Other people's windows sampled for a profile by default (the store's pseudo-random order): as
 * many as the verifier trains on (DEFAULT_VERIFIER_OPTIONS.maxOthers), before the held-out fifth.
 */
export const MAX_OTHER_WINDOWS = 3000;

/** Options of {@link trainProfiles}. */
export interface TrainProfilesOptions {
  /** PROFILE_MIN_WINDOWS: identities with fewer clean windows get no profile. */
  minWindows: number;
  /** Only these identities (default: every candidate). */
  identities?: readonly string[];
  /** Newest owner windows used (default {@link MAX_OWNER_WINDOWS}). */
  maxOwner?: number;
  /** Other people's windows sampled (default {@link MAX_OTHER_WINDOWS}). */
  maxOthers?: number;
  verifier?: VerifierOptions;
  now?: Date;
  /**
   * PROFILE_WINDOW_DAYS: only windows received within this many days of `now` count, for the
   * candidates as for training (default: all kept windows).
   */
  windowDays?: number;
  /** Trains one profile, serialised (default: on this thread; the guard's timer: a worker). */
  train?: ProfileTrainer;
}

/** One profile's training, its model serialised as stored. */
export type ProfileTrainer = (
  owner: readonly OwnerWindow[],
  others: readonly OwnerWindow[],
  verifier?: VerifierOptions,
) => Promise<SerializedProfile>;

/** A trained profile as it is stored: the model's JSON, calibration midpoint and spread. */
export interface SerializedProfile {
  model: string;
  calibration: number;
  spread: number;
}

/** {@link trainProfile} on this thread, serialised. */
export function trainHere(
  owner: readonly OwnerWindow[],
  others: readonly OwnerWindow[],
  verifier?: VerifierOptions,
): Promise<SerializedProfile> {
  // A failure rejects, as it does through the worker.
  return Promise.try(() => {
    const { model, calibration, spread } = trainProfile(
      owner,
      others,
      verifier,
    );
    return { model: serializeOwnerModel(model), calibration, spread };
  });
}

/**
 * Equal error rate of scores where higher means "more like the owner" (a score ≥ t is accepted):
 * over t = each observed score, the t where |FRR − FAR| is smallest, the lowest such
 * t on ties (the most lenient to the owner); the EER is (FRR + FAR) / 2 there. NaN scores are
 * ignored; both NaN when either side is empty. The one definition for the calibration
 * ({@link eerThreshold}) and the evaluation (sim/users/verification_metrics.ts).
 */
export function equalErrorRate(
  genuine: readonly number[],
  impostor: readonly number[],
): { eer: number; threshold: number } {
  const ascending = (a: number, b: number) => a - b;
  const g = genuine.filter((s) => !Number.isNaN(s)).sort(ascending);
  const im = impostor.filter((s) => !Number.isNaN(s)).sort(ascending);
  if (g.length === 0 || im.length === 0) return { eer: NaN, threshold: NaN };
  let best = { gap: Infinity, eer: NaN, threshold: NaN };
  let gi = 0, ii = 0;
  for (const t of new Set([...g, ...im].sort(ascending))) {
    // Sorted scores: advance past everything below t (rejected at t).
    while (gi < g.length && g[gi] < t) gi++;
    while (ii < im.length && im[ii] < t) ii++;
    const frr = gi / g.length, far = (im.length - ii) / im.length;
    const gap = Math.abs(frr - far);
    if (gap < best.gap) best = { gap, eer: (frr + far) / 2, threshold: t };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/**
 * The calibration threshold t on window scores 1 − P(owner): a window at or below t counts as the
 * owner's. It is {@link equalErrorRate} of the negated scores, negated back (exact, so t is an
 * observed score): where owner scores above t (false rejects) and other scores at or below t
 * (false accepts) are closest, the highest such t on ties. 0.5 when either side has no score.
 */
export function eerThreshold(
  ownerScores: readonly number[],
  otherScores: readonly number[],
): number {
  const negate = (s: number) => -s;
  const { threshold } = equalErrorRate(
    ownerScores.map(negate),
    otherScores.map(negate),
  );
  return Number.isNaN(threshold) ? 0.5 : -threshold;
}

/** A trained profile before it is stored. */
export interface TrainedProfile {
  model: OwnerModel;
  /** The stored profile's calibration (db ProfileRow, and the module doc). */
  calibration: number;
  /** The profile's score scale (db ProfileRow `spread`), at least {@link MIN_SPREAD}. */
  spread: number;
}

/**
 * The smallest spread a profile gets: a profile whose held-out owner and other windows score
 * almost alike would otherwise turn noise into strong evidence.
 */
export const MIN_SPREAD = 0.05;

const meanOf = (xs: readonly number[]) => {
  const v = xs.filter((x) => !Number.isNaN(x));
  return v.reduce((a, b) => a + b, 0) / v.length;
};

/**
 * Trains one profile: holds out the newest quarter of `owner` (at least 3 windows; `owner` is
 * newest first) and the first fifth of `others`, trains the owner model (owner_model.ts: window
 * and action forests) on the rest and normalises it per user on the held-out windows' scores
 * s = 1 − P(owner): `spread` is the others' mean s minus the owner's (at least
 * {@link MIN_SPREAD}), `calibration` the midpoint of the two means. The owner check then weighs
 * a window by (s − calibration) / spread (`calibratedScore`), so one OWNER_THRESHOLD fits every
 * profile. When a side has no scored held-out window, the calibration is the EER threshold
 * ({@link eerThreshold}, 0.5 without scores) and the spread 1. Pure; the evaluation (sim/) runs
 * exactly this.
 *
 * @throws RangeError from trainVerifier when too few windows are left to train on
 */
export function trainProfile(
  owner: readonly OwnerWindow[],
  others: readonly OwnerWindow[],
  options?: VerifierOptions,
): TrainedProfile {
  const held = Math.max(3, Math.floor(owner.length / 4));
  const heldOthers = Math.max(1, Math.floor(others.length / 5));
  const model = trainOwnerModel(
    owner.slice(held),
    others.slice(heldOthers),
    options,
  );
  const score = (v: OwnerWindow) => 1 - ownerModelProbability(model, v);
  const mine = owner.slice(0, held).map(score);
  const theirs = others.slice(0, heldOthers).map(score);
  const ownMean = meanOf(mine), otherMean = meanOf(theirs);
  if (Number.isNaN(ownMean) || Number.isNaN(otherMean)) {
    return { model, calibration: eerThreshold(mine, theirs), spread: 1 };
  }
  return {
    model,
    calibration: (ownMean + otherMean) / 2,
    spread: Math.max(MIN_SPREAD, otherMean - ownMean),
  };
}

/** What happened to one identity. */
export type ProfileReport =
  | { identity: string; ownerWindows: number; version: string }
  | { identity: string; ownerWindows: number; error: string };

async function versionOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest).slice(0, 6),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** Trains and saves the profiles; one report per candidate identity, in candidate order. */
export async function trainProfiles(
  store: Pick<Store, "profileCandidates" | "profileWindows" | "saveProfile">,
  options: TrainProfilesOptions,
): Promise<ProfileReport[]> {
  const wanted = options.identities && new Set(options.identities);
  const now = options.now ?? new Date();
  const window = {
    since: options.windowDays === undefined
      ? undefined
      : new Date(now.getTime() - options.windowDays * 86_400_000),
  };
  const candidates = (await store.profileCandidates(options.minWindows, window))
    .filter((c) => !wanted || wanted.has(c.identity));
  const reports: ProfileReport[] = [];
  for (const { identity } of candidates) {
    const owner = await store.profileWindows(
      identity,
      "owner",
      options.maxOwner ?? MAX_OWNER_WINDOWS,
      window,
    );
    const others = await store.profileWindows(
      identity,
      "others",
      options.maxOthers ?? MAX_OTHER_WINDOWS,
      window,
    );
    try {
      const { model, calibration, spread } = await (options.train ?? trainHere)(
        owner,
        others,
        options.verifier,
      );
      const version = await versionOf(model);
      await store.saveProfile({
        identity,
        model,
        version,
        ownerWindows: owner.length,
        calibration,
        spread,
        trainedAt: now,
      });
      reports.push({ identity, ownerWindows: owner.length, version });
    } catch (error) {
      reports.push({
        identity,
        ownerWindows: owner.length,
        error: (error as Error).message,
      });
    }
  }
  return reports;
}

/** Options of {@link startProfileRetrain}. */
export interface ProfileRetrainOptions {
  /** PROFILE_RETRAIN_MS: how often; the first run is one interval after the start. */
  intervalMs: number;
  /** PROFILE_MIN_WINDOWS. */
  minWindows: number;
  /** PROFILE_WINDOW_DAYS. */
  windowDays: number;
  /** Called with each run's reports (default: one log line). */
  onReports?: (reports: ProfileReport[]) => void;
}

/**
 * Retrains every profile on a timer (main.ts starts it with USER_HEADER and PROFILE_RETRAIN_MS
 * > 0), as `deno task profiles` from cron would. A failed run is logged and retried at the next
 * tick; runs never overlap.
 *
 * @returns a function that stops the timer and waits for a run in progress
 */
export function startProfileRetrain(
  store: Pick<Store, "profileCandidates" | "profileWindows" | "saveProfile">,
  options: ProfileRetrainOptions,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const report = options.onReports ??
    ((reports: ProfileReport[]) =>
      log("info", "Profiles retrained", {
        identities: reports.length,
        failed: reports.filter((r) => "error" in r).length,
      }));
  const timer = setInterval(() => {
    running = running.then(async () => {
      // Training is CPU-bound (about 0.4 s a profile): off the thread that proxies.
      const worker = createProfileWorker();
      try {
        report(
          await trainProfiles(store, {
            minWindows: options.minWindows,
            windowDays: options.windowDays,
            train: worker.train,
          }),
        );
      } catch (error) {
        log("warn", "Profile retraining failed", { error });
      } finally {
        worker.close();
      }
    });
  }, options.intervalMs);
  return async function stopProfileRetrain() {
    clearInterval(timer);
    await running;
  };
}
