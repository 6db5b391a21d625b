/**
 * The user-verification protocol behind docs/user_verification.md: per-user sessions read from
 * SapiMouse and Balabit (through the collector importers and the product's 5-s windows), and per
 * user a verifier trained on the owner's training sessions against other people's, scored on
 * held-out sessions of the owner (genuine) and of other people (impostors).
 */
import {
  extractActionVectors,
  extractFeatures,
  extractOwnerFeatures,
} from "../../collector/mod.ts";
import {
  MAX_OTHER_WINDOWS,
  MAX_OWNER_WINDOWS,
  type TrainedProfile,
  trainProfile,
} from "../../middleware/detect/mod.ts";
import {
  ownerModelProbability,
  type OwnerWindow,
  trainOwnerModel,
  type VerifierOptions,
} from "../../detect/mod.ts";
import { seededRandom } from "../../tree/mod.ts";
import {
  evenlySpaced,
  listFiles,
  pointerWindows,
  readRecording,
} from "../dataset/dataset.ts";
import type { SessionScores } from "./verification_metrics.ts";

/** One recorded session as the product would see it: its windows in time order. */
export interface UserSession {
  id: string;
  windows: OwnerWindow[];
}

/** One person's sessions, split into profile training and held-out test. */
export interface UserData {
  user: string;
  train: UserSession[];
  test: UserSession[];
}

/** Window scores (P(owner)) of one user's test: per session, every window in order. */
export interface UserScores extends SessionScores {
  user: string;
  /** With `calibrate`: the profile's calibration, on window scores 1 − P(owner). */
  calibration?: number;
  /** With `calibrate`: the same as a threshold on P(owner), 1 − calibration. */
  threshold?: number;
  /** With `calibrate`: the profile's spread (per-user normalisation, profiles.ts). */
  spread?: number;
}

/** Options of one protocol run. */
export interface ProtocolOptions {
  verifier: VerifierOptions;
  /** Keep only the owner's first `ownerCap` training windows (the profile-size curve). */
  ownerCap?: number;
  /** Training windows kept per session, evenly spaced (Balabit sessions reach 2,000 windows). */
  trainPerSession: number;
  /** Whose training windows are "other" (default: everyone but the owner). */
  others?: (user: string) => boolean;
  /** Whose test sessions are impostors (default: everyone but the owner). */
  impostors?: (user: string) => boolean;
  /**
   * Build the profile as `deno task profiles` does: the owner's training windows newest first
   * (at most MAX_OWNER_WINDOWS), the others' in a seeded pseudo-random order (the store's md5
   * order; at most MAX_OTHER_WINDOWS), then `trainProfile`, which holds out the owner's newest
   * quarter and the first fifth of the others and calibrates on them.
   */
  calibrate?: boolean;
  /** With `calibrate`: users with fewer owner training windows get no profile (PROFILE_MIN_WINDOWS). */
  minOwnerWindows?: number;
}

/** Training windows kept per session (evenly spaced), as data/sessions.csv keeps 40 per session. */
export const TRAIN_PER_SESSION = 40;
/** Windows per test session in the per-window metric (evenly spaced). */
export const TEST_PER_SESSION = 40;
/** Windows a session decision is taken on: k = 1, 3, 6 (5, 15, 30 s). */
export const SESSION_KS: readonly number[] = [1, 3, 6];

/** SapiMouse's development users: the paper learns features on users 1–72 and evaluates 73–120. */
export function isDevUser(user: string): boolean {
  return Number(user.replace(/^user/, "")) <= 72;
}

const NUMERIC = (a: string, b: string) =>
  a.localeCompare(b, "en", { numeric: true });

/** Reads one recording as a session: every 5-s window with pointer events, in time order. */
export async function readSession(
  path: string,
  id: string,
): Promise<UserSession> {
  const events = await readRecording(path, id);
  return {
    id,
    windows: pointerWindows(events, { windowMs: 5000, minPointerEvents: 1 })
      .map((w) => ({
        ...extractFeatures(w),
        ...extractOwnerFeatures(w),
        actions: extractActionVectors(w),
      })),
  };
}

/** Groups files `<dir>/<user>/<file>` by user folder, users in natural order (user2 < user10). */
function byUser(files: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of files) {
    const parts = f.split("/");
    const user = parts[parts.length - 2];
    out.set(user, [...(out.get(user) ?? []), f]);
  }
  return new Map([...out].sort((a, b) => NUMERIC(a[0], b[0])));
}

/**
 * SapiMouse: per user, the 3-min session(s) train, the 1-min session(s) test (the paper's
 * protocol; users 35 and 62 recorded both twice, user 85's 5-min file is not used).
 */
export async function loadSapiMouse(
  dir: string,
  progress: (msg: string) => void,
): Promise<UserData[]> {
  const users = byUser(await listFiles(dir, /_(1|3)min\.csv$/));
  const out: UserData[] = [];
  for (const [user, files] of users) {
    const read = (kind: string) =>
      Promise.all(
        files.filter((f) => f.endsWith(`_${kind}.csv`)).map((f) =>
          readSession(f, `${user}/${f.split("/").pop()!.slice(0, -4)}`)
        ),
      );
    out.push({ user, train: await read("3min"), test: await read("1min") });
    if (out.length % 20 === 0) progress(`sapimouse: read ${out.length} users`);
  }
  return out;
}

/** Balabit: per user, sessions in name order, the first half (rounded up) train, the rest test. */
export async function loadBalabit(
  dir: string,
  progress: (msg: string) => void,
): Promise<UserData[]> {
  const users = byUser(await listFiles(dir, /^session_/));
  const out: UserData[] = [];
  for (const [user, files] of users) {
    const sessions = [];
    for (const f of files) {
      sessions.push(await readSession(f, `${user}/${f.split("/").pop()}`));
    }
    const half = Math.ceil(sessions.length / 2);
    out.push({
      user,
      train: sessions.slice(0, half),
      test: sessions.slice(half),
    });
    progress(`balabit: read ${user} (${sessions.length} sessions)`);
  }
  return out;
}

function trainWindows(s: UserSession, perSession: number): OwnerWindow[] {
  return evenlySpaced(s.windows.length, perSession).map((i) => s.windows[i]);
}

/** The owner's training windows, in time order (oldest first). */
export function ownerWindowsOf(
  u: UserData,
  o: ProtocolOptions,
): OwnerWindow[] {
  const owner = u.train.flatMap((s) => trainWindows(s, o.trainPerSession));
  return o.ownerCap === undefined ? owner : owner.slice(0, o.ownerCap);
}

/**
 * User `index`'s profile from the training sessions: with `calibrate` as `deno task profiles`
 * trains it (`trainProfile`), else a plain verifier (calibration NaN). Others: every other user's
 * training windows (those `o.others` keeps).
 */
export function userProfile(
  users: readonly UserData[],
  index: number,
  o: ProtocolOptions,
): TrainedProfile {
  const owner = ownerWindowsOf(users[index], o);
  const others = users.filter((u, j) =>
    j !== index && (o.others?.(u.user) ?? true)
  ).flatMap((u) => u.train).flatMap((s) => trainWindows(s, o.trainPerSession));
  const seed = o.verifier.seed ?? 1;
  return o.calibrate
    ? trainProfile(
      [...owner].reverse().slice(0, MAX_OWNER_WINDOWS),
      storeOrder(others, seed).slice(0, MAX_OTHER_WINDOWS),
      o.verifier,
    )
    : {
      model: trainOwnerModel(owner, others, o.verifier),
      calibration: NaN,
      spread: NaN,
    };
}

/**
 * Trains user `index`'s verifier and scores every test session: the owner's (genuine) and the
 * impostors'. By default everyone else is both "other" in training and an impostor in test (the
 * impostors' own training sessions were seen, as in a closed population of users).
 */
export function scoreUser(
  users: readonly UserData[],
  index: number,
  o: ProtocolOptions,
): UserScores {
  const me = users[index];
  const impostors = users.filter((u, j) =>
    j !== index && (o.impostors?.(u.user) ?? true)
  ).flatMap((u) => u.test);
  const profile = userProfile(users, index, o);
  const score = (s: UserSession) =>
    s.windows.map((w) => ownerModelProbability(profile.model, w));
  return {
    user: me.user,
    genuine: me.test.map(score),
    impostor: impostors.map(score),
    ...(o.calibrate
      ? {
        calibration: profile.calibration,
        threshold: 1 - profile.calibration,
        spread: profile.spread,
      }
      : {}),
  };
}

/**
 * A fixed pseudo-random order of the items, as the store returns other people's windows (ordered
 * by md5 of session and seq, db/_profiles.ts); here a seeded random key per item.
 */
export function storeOrder<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  return items.map((item) => ({ item, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

/** {@link scoreUser} for every user that `evaluate` keeps (default all), with progress. */
export function runProtocol(
  users: readonly UserData[],
  o: ProtocolOptions & { name: string; evaluate?: (user: string) => boolean },
  progress: (msg: string) => void,
): UserScores[] {
  const out: UserScores[] = [];
  users.forEach((u, i) => {
    if (o.evaluate && !o.evaluate(u.user)) return;
    // No profile: `deno task profiles` skips users below PROFILE_MIN_WINDOWS.
    if (o.calibrate && ownerWindowsOf(u, o).length < (o.minOwnerWindows ?? 0)) {
      return;
    }
    out.push(scoreUser(users, i, o));
    if (out.length % 20 === 0) progress(`${o.name}: ${out.length} users`);
  });
  return out;
}
