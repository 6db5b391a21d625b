/**
 * Trains user profiles from the store: for every identity with at least PROFILE_MIN_WINDOWS clean
 * windows (db/_profiles.ts: sessions never revoked, detected or labelled bot), a verifier
 * (verifier.ts) of that user's windows against a reproducible sample of everyone else's, saved
 * with a content version and a calibration. Run by `deno task profiles` (profiles_cli.ts), e.g.
 * nightly; the owner check picks new profiles up within PROFILE_TTL_MS.
 *
 * Calibration, and why: a verifier scores the owner's windows from a NEW session far less
 * confidently than its training windows (behaviour drifts between sessions; on SapiMouse most
 * genuine one-minute sessions scored 0.6–1.0 "not owner"), so 0.5 is no zero point. The newest
 * quarter of the owner's windows (at least 3) and a fifth of the others' are held out; the model
 * is trained on the rest, and the held-out scores give the threshold where false rejects equal
 * false accepts ({@link eerThreshold}). The owner check centres each window's evidence there.
 *
 * @module
 */
import type { FeatureVector } from "../../collector/mod.ts";
import type { Store } from "../../db/mod.ts";
import { type Model, serializeModel } from "../../tree/mod.ts";
import {
  ownerProbability,
  trainVerifier,
  type VerifierOptions,
} from "./verifier.ts";

/** Options of {@link trainProfiles}. */
export interface TrainProfilesOptions {
  /** PROFILE_MIN_WINDOWS: identities with fewer clean windows get no profile. */
  minWindows: number;
  /** Only these identities (default: every candidate). */
  identities?: readonly string[];
  /** Newest owner windows used (default 720: an hour of 5-s windows). */
  maxOwner?: number;
  /** Other people's windows sampled (default 1000). */
  maxOthers?: number;
  verifier?: VerifierOptions;
  now?: Date;
}

/**
 * The score threshold t at which the share of owner scores above t (false rejects) and of other
 * scores at or below t (false accepts) are closest, scores being 1 − P(owner); the lowest such t.
 * NaN scores are ignored; 0.5 when either side is empty.
 */
export function eerThreshold(
  ownerScores: readonly number[],
  otherScores: readonly number[],
): number {
  const own = ownerScores.filter((s) => !Number.isNaN(s));
  const other = otherScores.filter((s) => !Number.isNaN(s));
  if (own.length === 0 || other.length === 0) return 0.5;
  let best = 0.5, gap = Infinity;
  for (const t of [...own, ...other].sort((a, b) => a - b)) {
    const frr = own.filter((s) => s > t).length / own.length;
    const far = other.filter((s) => s <= t).length / other.length;
    if (Math.abs(frr - far) < gap) {
      gap = Math.abs(frr - far);
      best = t;
    }
  }
  return best;
}

/** A trained profile before it is stored. */
export interface TrainedProfile {
  model: Model;
  /** The stored profile's calibration (db ProfileRow, and the module doc). */
  calibration: number;
}

/**
 * Trains one profile: holds out the newest quarter of `owner` (at least 3 windows; `owner` is
 * newest first) and the first fifth of `others`, trains the verifier on the rest and calibrates
 * it on the held-out windows. Pure; the evaluation (sim/) runs exactly this.
 *
 * @throws RangeError from trainVerifier when too few windows are left to train on
 */
export function trainProfile(
  owner: readonly FeatureVector[],
  others: readonly FeatureVector[],
  options?: VerifierOptions,
): TrainedProfile {
  const held = Math.max(3, Math.floor(owner.length / 4));
  const heldOthers = Math.max(1, Math.floor(others.length / 5));
  const model = trainVerifier(
    owner.slice(held),
    others.slice(heldOthers),
    options,
  );
  const score = (v: FeatureVector) => 1 - ownerProbability(model, v);
  const calibration = eerThreshold(
    owner.slice(0, held).map(score),
    others.slice(0, heldOthers).map(score),
  );
  return { model, calibration };
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
  const candidates = (await store.profileCandidates(options.minWindows))
    .filter((c) => !wanted || wanted.has(c.identity));
  const reports: ProfileReport[] = [];
  for (const { identity } of candidates) {
    const owner = await store.profileWindows(
      identity,
      "owner",
      options.maxOwner ?? 720,
    );
    const others = await store.profileWindows(
      identity,
      "others",
      options.maxOthers ?? 1000,
    );
    try {
      const { model: trained, calibration } = trainProfile(
        owner,
        others,
        options.verifier,
      );
      const model = serializeModel(trained);
      const version = await versionOf(model);
      await store.saveProfile({
        identity,
        model,
        version,
        ownerWindows: owner.length,
        calibration,
        trainedAt: options.now ?? new Date(),
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
