/**
 * `deno task evaluate-users --balabit TRAIN_DIR --balabit-test TEST_DIR --labels LABELS_CSV --json`:
 * the owner check measured on labelled files, the Balabit challenge's protocol. Profiles come from
 * every session of TRAIN_DIR's users, trained as `deno task profiles` trains them (`userProfile`
 * with `calibrate`, sim/users/_protocol.ts); every labelled session of TEST_DIR (`<user>/session_<id>`, the
 * folder names the claimed user) is scored window by window against the claimed user's profile.
 * Impostors (is_illegal = 1) are the positive class of every AUC.
 */
import { parse } from "csv-parse/sync";
import { rocAuc } from "../../tree/mod.ts";
import { calibratedScore, sessionOwnerProbability } from "../../detect/mod.ts";
import { listFiles } from "../dataset/dataset.ts";
import {
  ownerWindowsOf,
  type ProtocolOptions,
  readSession,
  TRAIN_PER_SESSION,
  type UserData,
  userProfile,
} from "./_protocol.ts";
import { OWNER_RULE, PROFILE_MIN_WINDOWS, ruleRates } from "./_rule.ts";
import {
  DEFAULT_VERIFIER_OPTIONS,
  ownerModelProbability,
} from "../../detect/mod.ts";

/** One row of the labels file. */
export interface SessionLabel {
  filename: string;
  /** is_illegal = 1: the session is not its claimed user's. */
  impostor: boolean;
  line: number;
}

/** The header of a labels file. */
export const LABELS_COLUMNS = ["filename", "is_illegal"] as const;

/**
 * Reads LABELS_CSV (`filename,is_illegal`); throws a TypeError naming the file, line and field of
 * the first bad row (a missing column, an is_illegal other than 0 or 1, a repeated or malformed
 * filename).
 */
export function parseLabels(path: string, text: string): SessionLabel[] {
  const bad = (line: number, field: string, why: string) =>
    new TypeError(
      `Cannot read labels "${path}" line ${line}: field "${field}" ${why}`,
    );
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, {
      columns: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      bom: true,
    });
  } catch (error) {
    throw new SyntaxError(
      `Cannot read labels "${path}": ${(error as Error).message}`,
    );
  }
  const header = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0]
    .split(",").map((c) => c.trim());
  for (const column of LABELS_COLUMNS) {
    if (!header.includes(column)) throw bad(1, column, "is missing");
  }
  const seen = new Set<string>();
  return rows.map(({ record, info }) => {
    const line = info.lines;
    const filename = record.filename;
    if (!/^session_[\w-]+$/.test(filename)) {
      throw bad(line, "filename", `must be "session_<id>", got "${filename}"`);
    }
    if (seen.has(filename)) throw bad(line, "filename", "is repeated");
    seen.add(filename);
    const flag = record.is_illegal;
    if (flag !== "0" && flag !== "1") {
      throw bad(line, "is_illegal", `must be 0 or 1, got "${flag}"`);
    }
    return { filename, impostor: flag === "1", line };
  });
}

/** A labelled test session scored against its claimed user: P(owner) per window. */
export interface ScoredSession {
  user: string;
  filename: string;
  impostor: boolean;
  probabilities: number[];
}

/** The training users: every session of every user folder of `dir` trains the user's profile. */
export async function loadTrainUsers(dir: string): Promise<UserData[]> {
  const users = new Map<string, string[]>();
  for (const f of await listFiles(dir, /^session_/)) {
    const user = f.split("/").at(-2)!;
    users.set(user, [...(users.get(user) ?? []), f]);
  }
  const out: UserData[] = [];
  for (
    const [user, files] of [...users].sort((a, b) =>
      a[0].localeCompare(b[0], "en", { numeric: true })
    )
  ) {
    const train = [];
    for (const f of files) {
      train.push(await readSession(f, `${user}/${f.split("/").at(-1)}`));
    }
    out.push({ user, train, test: [] });
  }
  return out;
}

/**
 * The labelled sessions of TEST_DIR with their claimed user (the folder). Throws naming the labels
 * line when a labelled file is missing or under two folders.
 */
export async function locateTestSessions(
  dir: string,
  labelsPath: string,
  labels: readonly SessionLabel[],
): Promise<{ path: string; user: string; label: SessionLabel }[]> {
  const where = new Map<string, string[]>();
  for (const f of await listFiles(dir, /^session_/)) {
    const name = f.split("/").at(-1)!;
    where.set(name, [...(where.get(name) ?? []), f]);
  }
  return labels.map((label) => {
    const paths = where.get(label.filename) ?? [];
    if (paths.length !== 1) {
      throw new TypeError(
        `Cannot read labels "${labelsPath}" line ${label.line}: field "filename" names ${
          paths.length === 0 ? "no file" : `${paths.length} files`
        } under "${dir}"`,
      );
    }
    return { path: paths[0], user: paths[0].split("/").at(-2)!, label };
  });
}

const auc = (scores: number[], positive: boolean[]) =>
  scores.length === 0 ? NaN : rocAuc(scores, positive);

/** Pooled AUC of 1 − mean P(owner) over the first `k` scored windows (sessions with k of them). */
function aucAfter(sessions: readonly ScoredSession[], k: number) {
  const kept = sessions.map((s) => ({
    s,
    first: s.probabilities.filter((p) => !Number.isNaN(p)).slice(0, k),
  })).filter((x) => x.first.length === k);
  return {
    auc: auc(
      kept.map((x) => 1 - sessionOwnerProbability(x.first)),
      kept.map((x) => x.s.impostor),
    ),
    sessions: kept.length,
  };
}

/** The JSON report of the file-based evaluation. */
export interface FilesReport {
  trainUsers: number;
  profiles: number;
  sessions: {
    labelled: number;
    genuine: number;
    impostor: number;
    /** Claimed user without a profile, or no window with pointer evidence. */
    unscored: number;
  };
  /** Pooled ROC AUC of 1 − mean P(owner) over all windows, impostors positive. */
  sessionAuc: number;
  /**
   * The same on the guard's normalised window scores (`calibratedScore` with the profile's
   * calibration and spread: per-user normalisation), averaged over the session.
   */
  sessionAucCalibrated: number;
  /** Pooled AUC of the per-user normalised session score (mean s − calibration) / spread. */
  sessionAucNormalised: number;
  /** Mean of per-user AUCs, over claimed users with both genuine and impostor sessions. */
  meanUserAuc: number;
  usersWithAuc: number;
  aucAfter: Record<string, number>;
  sessionsAfter: Record<string, number>;
  rule: {
    threshold: number;
    minWindows: number;
    decay: number;
    ownersReported: number;
    ownersReportedShare: number;
    impostorsMissed: number;
    impostorsMissedShare: number;
    medianWindowsToVerdict: number;
  };
  seed: number;
}

/** Per claimed user, the AUC of their sessions; the mean over users having both classes. */
function meanUserAuc(sessions: readonly ScoredSession[]) {
  const users = [...new Set(sessions.map((s) => s.user))];
  const aucs = users.map((u) => {
    const mine = sessions.filter((s) => s.user === u);
    return auc(
      mine.map((s) => 1 - sessionOwnerProbability(s.probabilities)),
      mine.map((s) => s.impostor),
    );
  }).filter((a) => !Number.isNaN(a));
  return {
    mean: aucs.reduce((a, b) => a + b, 0) / aucs.length,
    users: aucs.length,
  };
}

/** A scored session with its profile's per-user normalisation. */
type Calibrated = ScoredSession & { calibration: number; spread: number };

/** Scores the labelled sessions and builds the report. */
export async function evaluateFiles(
  input: { train: string; test: string; labels: string; seed: number },
  progress: (msg: string) => void = () => {},
): Promise<FilesReport> {
  const labels = parseLabels(
    input.labels,
    await Deno.readTextFile(input.labels),
  );
  const located = await locateTestSessions(input.test, input.labels, labels);
  const users = await loadTrainUsers(input.train);
  progress(`read ${users.length} training users`);
  const o: ProtocolOptions = {
    verifier: { ...DEFAULT_VERIFIER_OPTIONS, seed: input.seed },
    trainPerSession: TRAIN_PER_SESSION,
    calibrate: true,
  };
  const profiles = new Map(
    users.flatMap((u, i) =>
      ownerWindowsOf(u, o).length < PROFILE_MIN_WINDOWS
        ? []
        : [[u.user, userProfile(users, i, o)] as const]
    ),
  );
  progress(`trained ${profiles.size} profiles`);
  const scored: Calibrated[] = [];
  let unscored = 0;
  for (const { path, user, label } of located) {
    const profile = profiles.get(user);
    const session = await readSession(path, `${user}/${label.filename}`);
    const probabilities = profile
      ? session.windows.map((w) => ownerModelProbability(profile.model, w))
      : [];
    if (!profile || probabilities.every(Number.isNaN)) {
      unscored++;
      continue;
    }
    scored.push({
      user,
      filename: label.filename,
      impostor: label.impostor,
      probabilities,
      calibration: profile.calibration,
      spread: profile.spread,
    });
  }
  return report(input.seed, users.length, profiles.size, scored, unscored);
}

function report(
  seed: number,
  trainUsers: number,
  profiles: number,
  scored: readonly Calibrated[],
  unscored: number,
): FilesReport {
  const positive = scored.map((s) => s.impostor);
  const calibrated = scored.map((s) =>
    sessionOwnerProbability(
      s.probabilities.filter((p) => !Number.isNaN(p))
        .map((p) => 1 - calibratedScore(1 - p, s.calibration, s.spread)),
    )
  );
  const after = Object.fromEntries(
    [1, 3, 6].map((k) => [String(k), aucAfter(scored, k)]),
  );
  const rates = ruleRates(
    scored.map((s) => ({
      user: s.user,
      calibration: s.calibration,
      spread: s.spread,
      genuine: s.impostor ? [] : [s.probabilities],
      impostor: s.impostor ? [s.probabilities] : [],
    })),
    OWNER_RULE,
  );
  const users = meanUserAuc(scored);
  return {
    trainUsers,
    profiles,
    sessions: {
      labelled: scored.length + unscored,
      genuine: rates.genuine,
      impostor: rates.impostor,
      unscored,
    },
    sessionAuc: auc(
      scored.map((s) => 1 - sessionOwnerProbability(s.probabilities)),
      positive,
    ),
    sessionAucCalibrated: auc(calibrated.map((p) => 1 - p), positive),
    sessionAucNormalised: auc(
      scored.map((s) =>
        (1 - sessionOwnerProbability(s.probabilities) - s.calibration) /
        s.spread
      ),
      positive,
    ),
    meanUserAuc: users.mean,
    usersWithAuc: users.users,
    aucAfter: Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, v.auc]),
    ),
    sessionsAfter: Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, v.sessions]),
    ),
    rule: {
      ...OWNER_RULE,
      ownersReported: rates.falseRejects,
      ownersReportedShare: rates.falseRejects / rates.genuine,
      impostorsMissed: rates.falseAccepts,
      impostorsMissedShare: rates.falseAccepts / rates.impostor,
      medianWindowsToVerdict: rates.toDetection.median,
    },
    seed,
  };
}
