/**
 * "The guard's rule" in docs/user_verification.md: every test session judged as the owner check
 * (middleware/detect/owner.ts) judges it, window by window. Each window with pointer evidence
 * gives s = 1 − P(owner) under the user's profile, re-centred on the profile's calibration
 * (`calibratedScore`), and the sequential rule of verdict.ts (`sessionVerdict`) runs on those with
 * OWNER_THRESHOLD, OWNER_MIN_WINDOWS and VERDICT_DECAY; the session is "unauthorized" once its
 * evidence reaches the threshold. Profiles come from the `calibrate` runs (sim/users/_protocol.ts), which
 * train them with `trainProfile` exactly as `deno task profiles` does.
 */
import { ENV_SCHEMA } from "../../config.ts";
import {
  MAX_OTHER_WINDOWS,
  MAX_OWNER_WINDOWS,
} from "../../middleware/detect/mod.ts";
import {
  calibratedScore,
  sessionVerdict,
  type VerdictOptions,
} from "../../detect/mod.ts";
import type { UserScores } from "./_protocol.ts";
import { boundLines } from "./_bound.ts";
import { pct, table } from "./_tables.ts";
import { summarize, type Summary } from "./verification_metrics.ts";

/** OWNER_THRESHOLD values compared. */
export const RULE_THRESHOLDS: readonly number[] = [4, 8, 12, 16, 20, 24];

/**
 * The choice: the lowest impostor false-accept rate among thresholds whose genuine sessions are
 * falsely rejected at most this often (fewer rejects on ties); when none qualifies, the fewest
 * false rejects.
 */
export const MAX_FALSE_REJECTS = 0.02;

/** Windows in SapiMouse's one-minute test sessions, the horizon Balabit is also reported at. */
export const MINUTE_WINDOWS = 12;

const DEFAULTS = ENV_SCHEMA.parse({});

/** The owner check's shipped rule: config.ts defaults of OWNER_*, VERDICT_DECAY. */
export const OWNER_RULE: Readonly<VerdictOptions> = {
  threshold: DEFAULTS.OWNER_THRESHOLD,
  minWindows: DEFAULTS.OWNER_MIN_WINDOWS,
  decay: DEFAULTS.VERDICT_DECAY,
};

/** Clean windows a user needs for a profile: config.ts default of PROFILE_MIN_WINDOWS. */
export const PROFILE_MIN_WINDOWS = DEFAULTS.PROFILE_MIN_WINDOWS;

/**
 * The scored window (1-based) at which the owner check detects a session, or null if it never
 * does. Windows without pointer evidence (P(owner) NaN) are skipped, as the owner check skips
 * them: they are no step of the rule.
 */
export function detectionWindow(
  probabilities: readonly number[],
  calibration: number,
  options: VerdictOptions,
  spread?: number,
): number | null {
  const scores = probabilities.filter((p) => !Number.isNaN(p))
    .map((p) => calibratedScore(1 - p, calibration, spread));
  return sessionVerdict(scores, options).detectedAt;
}

/** What the rule does to a population's test sessions. */
export interface RuleRates {
  genuine: number;
  /** Genuine sessions detected at some window: false rejects (an alert on the owner). */
  falseRejects: number;
  impostor: number;
  /** Impostor sessions never detected within their windows: false accepts. */
  falseAccepts: number;
  /** Windows to detection of the caught impostor sessions. */
  toDetection: Summary;
  /** Scored windows per test session (genuine and impostor). */
  length: Summary;
}

/**
 * {@link RuleRates} pooled over users (each with its profile's `calibration`), every session
 * judged on its first `horizon` windows (default all).
 */
export function ruleRates(
  users: readonly UserScores[],
  options: VerdictOptions,
  horizon = Infinity,
): RuleRates {
  const at: number[] = [], lengths: number[] = [];
  let falseRejects = 0, falseAccepts = 0, genuine = 0, impostor = 0;
  for (const u of users) {
    const c = u.calibration ?? NaN;
    const judge = (s: number[]) => {
      const windows = s.slice(0, horizon);
      lengths.push(windows.filter((p) => !Number.isNaN(p)).length);
      return detectionWindow(windows, c, options, u.spread);
    };
    for (const s of u.genuine) {
      genuine++;
      if (judge(s) !== null) falseRejects++;
    }
    for (const s of u.impostor) {
      impostor++;
      const w = judge(s);
      if (w === null) falseAccepts++;
      else at.push(w);
    }
  }
  return {
    genuine,
    falseRejects,
    impostor,
    falseAccepts,
    toDetection: summarize(at),
    length: summarize(lengths),
  };
}

/** False-reject and false-accept rates of {@link RuleRates}. */
export function rates(r: RuleRates): { frr: number; far: number } {
  return { frr: r.falseRejects / r.genuine, far: r.falseAccepts / r.impostor };
}

/** The threshold {@link MAX_FALSE_REJECTS} chooses, and whether one met the bound. */
export function chooseThreshold(
  rows: readonly { threshold: number; rates: RuleRates }[],
): { threshold: number; met: boolean } {
  const by = (
    a: { frr: number; far: number },
    b: { frr: number; far: number },
  ) => a.far - b.far || a.frr - b.frr;
  const scored = rows.map((r) => ({
    threshold: r.threshold,
    ...rates(r.rates),
  }));
  const ok = scored.filter((r) => r.frr <= MAX_FALSE_REJECTS).sort(by);
  if (ok.length > 0) return { threshold: ok[0].threshold, met: true };
  const fewest = [...scored].sort((a, b) => a.frr - b.frr || a.far - b.far);
  return { threshold: fewest[0].threshold, met: false };
}

/** Inputs of the section: calibrated runs (profiles as the product trains them). */
export interface RuleInputs {
  /** All SapiMouse users with a profile. */
  all: UserScores[];
  /** Users 73–120 against users 1–72 as others, impostors from 73–120. */
  paper: UserScores[];
  balabit?: UserScores[];
  isDevUser: (user: string) => boolean;
}

const fmt = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(1));

function rateCells(r: RuleRates): string[] {
  const { frr, far } = rates(r);
  return [
    `${r.falseRejects} / ${r.genuine}`,
    pct(frr),
    `${r.falseAccepts} / ${r.impostor}`,
    pct(far),
    `${fmt(r.toDetection.mean)} / ${fmt(r.toDetection.median)}`,
  ];
}

const RATE_HEAD = [
  "genuine sessions detected",
  "false rejects",
  "impostor sessions never detected",
  "false accepts",
  "windows to detection, mean / median",
];

const whole = (x: number) => (Number.isInteger(x) ? String(x) : fmt(x));
const span = (s: Summary) =>
  `${whole(s.median)} (${whole(s.min)}–${whole(s.max)})`;

/** The default's rates per population, keyed for the findings. */
function populations(x: RuleInputs, o: VerdictOptions) {
  const dev = x.all.filter((u) => x.isDevUser(u.user));
  const b = x.balabit;
  return [
    { key: "dev", label: "SapiMouse, users 1–72 (the choice)", users: dev },
    {
      key: "eval73",
      label: "SapiMouse, users 73–120",
      users: x.all.filter((u) => !x.isDevUser(u.user)),
    },
    { key: "paper", label: "SapiMouse, paper split", users: x.paper },
    { key: "all", label: "SapiMouse, all users", users: x.all },
    ...(b
      ? [{ key: "balabit", label: "Balabit, whole sessions", users: b }]
      : []),
    ...(b
      ? [{
        key: "minute",
        label: `Balabit, first ${MINUTE_WINDOWS} windows (1 min)`,
        users: b,
        horizon: MINUTE_WINDOWS,
      }]
      : []),
  ].map((p) => ({ ...p, rates: ruleRates(p.users, o, p.horizon) }));
}

function say(r: RuleRates | undefined): string {
  if (!r) return "–";
  const { frr, far } = rates(r);
  return `FRR ${pct(frr)}, FAR ${pct(far)}, caught after a median ` +
    `${whole(r.toDetection.median)} windows`;
}

/** How the section's profiles and verdicts come about. */
function intro(profiles: number): string {
  const d = OWNER_RULE;
  return "The owner check as it runs, not just the verifier. Per user, the profile is built as " +
    "`deno task profiles` builds it (`trainProfile`, profiles.ts): the owner's training windows " +
    "newest first, other users' windows in a fixed pseudo-random order (the store's), at most " +
    `${MAX_OWNER_WINDOWS} and ${MAX_OTHER_WINDOWS}; the newest quarter of the owner's and the ` +
    "first fifth of the others' are held out and set the calibration. Users with fewer training " +
    `windows than PROFILE_MIN_WINDOWS (${PROFILE_MIN_WINDOWS}) get no profile and are left out ` +
    `(SapiMouse: ${profiles} users have one). Every test session, genuine or impostor, is then ` +
    "judged window by window as owner.ts judges it: `calibratedScore(1 − P(owner), " +
    "calibration, spread)` (per-user normalisation: OWNER_EVIDENCE_SCALE × (s − calibration) / spread as log-odds), then `stepEvidence` (verdict.ts) with OWNER_MIN_WINDOWS " +
    `${d.minWindows} and VERDICT_DECAY ${d.decay}. A genuine session detected at any window is a ` +
    "false reject (the owner gets reported); an impostor session never detected within its " +
    "windows is a false accept. Windows to detection count scored windows (5 s each).";
}

/** The sentence on the choice, and whether config.ts ships it. */
function choice(chosen: number, met: boolean): string {
  const shipped = OWNER_RULE.threshold;
  if (!met) {
    return `No threshold kept false rejects ≤ ${
      pct(MAX_FALSE_REJECTS)
    }; the fewest: ` +
      `**${chosen}** (config.ts default: ${shipped}).`;
  }
  return `Chosen: **${chosen}**` +
    (chosen === shipped
      ? " (the config.ts default of OWNER_THRESHOLD)."
      : ` (config.ts default OWNER_THRESHOLD is ${shipped}: not the choice).`);
}

/** The section, and its one-line finding for the top of the report. */
export function ruleSection(
  x: RuleInputs,
): { lines: string[]; finding: string } {
  const dev = x.all.filter((u) => x.isDevUser(u.user));
  const sweep = RULE_THRESHOLDS.map((threshold) => ({
    threshold,
    rates: ruleRates(dev, { ...OWNER_RULE, threshold }),
  }));
  const { threshold: chosen, met } = chooseThreshold(sweep);
  const rows = populations(x, { ...OWNER_RULE, threshold: chosen });
  const of = (key: string) => rows.find((r) => r.key === key)?.rates;
  const balabit = x.balabit
    ? `; Balabit: whole sessions ${say(of("balabit"))}, first minute ${
      say(of("minute"))
    }`
    : "";
  const finding =
    `- The guard's rule (profiles as \`deno task profiles\` trains them, ` +
    `calibrated log-odds, OWNER_THRESHOLD ${chosen}, chosen on users 1–72): on one-minute ` +
    `sessions of users 73–120 (paper split) ${
      say(of("paper"))
    }${balabit} ("The guard's rule").`;
  const lines = [
    "## The guard's rule",
    "",
    intro(x.all.length),
    "",
    `Choosing OWNER_THRESHOLD on SapiMouse users 1–72 only (all-users protocol; test sessions ` +
    `of ${
      span(sweep[0].rates.length)
    } windows, about a minute): the lowest false-accept ` +
    `rate with false rejects ≤ ${pct(MAX_FALSE_REJECTS)}.`,
    "",
    table(
      ["OWNER_THRESHOLD", ...RATE_HEAD],
      sweep.map((s) => [String(s.threshold), ...rateCells(s.rates)]),
    ),
    "",
    choice(chosen, met),
    "",
    `At OWNER_THRESHOLD ${chosen} on every population (Balabit's test sessions are long, so ` +
    "they are also judged on their first minute only):",
    "",
    table(
      ["population", "windows per session, median (min–max)", ...RATE_HEAD],
      rows.map((r) => [r.label, span(r.rates.length), ...rateCells(r.rates)]),
    ),
    "",
    ...boundLines(rows.filter((r) => !("horizon" in r) || !r.horizon)),
  ];
  return { lines, finding };
}
