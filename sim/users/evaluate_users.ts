/**
 * `deno task evaluate-users`: measures user verification (middleware/detect/verifier.ts) on
 * SapiMouse and, with --balabit, on Balabit, and writes docs/user_verification.md. Per user, a
 * verifier is trained on the user's training sessions against other people's, and scored on the
 * user's held-out sessions (genuine) and other people's (impostors); then, with profiles trained
 * as `deno task profiles` trains them, every test session is judged by the owner check's rule
 * (sim/users/_rule.ts) and OWNER_THRESHOLD is chosen on users 1–72. Deterministic for a seed.
 *
 * Usage: deno task evaluate-users <sapimouse-dir> [--balabit <dir>] [--out docs/user_verification.md]
 *        [--seed 1]
 *    or: deno task evaluate-users --balabit TRAIN_DIR --balabit-test TEST_DIR --labels LABELS_CSV --json
 *        [--out FILE] (labelled files; sim/users/_files.ts)
 * (sapimouse-dir: ../shared/datasets/sapimouse/raw; Balabit: …/balabit-mouse-challenge/training_files)
 */
import {
  type CliIo,
  consoleIo,
  runCli,
  writeMarkdownReport,
} from "../../cli.ts";
import type { FeatureName } from "../../collector/mod.ts";
import {
  DEFAULT_VERIFIER_OPTIONS,
  OWNER_CHECK_FEATURES,
  VERIFIER_FEATURES,
  type VerifierOptions,
} from "../../detect/mod.ts";
import {
  isDevUser,
  loadBalabit,
  loadSapiMouse,
  type ProtocolOptions,
  runProtocol,
  TEST_PER_SESSION,
  TRAIN_PER_SESSION,
  type UserData,
} from "./_protocol.ts";
import { evaluateFiles } from "./_files.ts";
import { measureAblation } from "./_ablation.ts";
import {
  type FilesArgs,
  HELP,
  parseUsersArgs,
  type ReportArgs,
  type UsersArgs,
} from "./_args.ts";
export { parseUsersArgs, type UsersArgs };
import { renderUsersReport, type UsersReport } from "./_report.ts";
import { PROFILE_MIN_WINDOWS } from "./_rule.ts";
import type { SelectionRow } from "./_tables.ts";
import {
  equalErrorRate,
  levelScores,
  perUser,
} from "./verification_metrics.ts";

/** Owner training windows in the profile-size curve (6 = 30 s … 36 = 3 min). */
/** Empty: the profile-size curve is not rerun with the action forest (see the report). */
export const OWNER_CAPS: readonly number[] = [];

const INTERVAL: FeatureName[] = [
  "interval_mean",
  "interval_std",
  "interval_cv",
];
const PER_AXIS: FeatureName[] = [
  "mouse_dx_mean",
  "mouse_dy_mean",
  "click_count",
  "scroll_speed",
];

/** The feature sets and forest options compared on the development users. */
export function selectionConfigs(
  seed: number,
): { name: string; verifier: VerifierOptions }[] {
  const d = { ...DEFAULT_VERIFIER_OPTIONS, seed };
  const f = (name: string, features: FeatureName[]) => ({
    name,
    verifier: { ...d, features },
  });
  const o = (name: string, v: VerifierOptions) => ({
    name,
    verifier: { ...d, ...v },
  });
  return [
    f("features: movement only (the old default)", [...VERIFIER_FEATURES]),
    f("features: movement + interval_*", [...VERIFIER_FEATURES, ...INTERVAL]),
    f("features: default + per-axis/count", [
      ...OWNER_CHECK_FEATURES,
      ...PER_AXIS,
    ] as FeatureName[]),
    o("30 trees, leaf 3", { trees: 30 }),
    o("50 trees, leaf 3 (default)", {}),
    o("50 trees, leaf 10", { minSamplesLeaf: 10 }),
    o("50 trees, leaf 10, 1000 others", {
      minSamplesLeaf: 10,
      maxOthers: 1000,
    }),
    o(`default, seed ${seed + 1}`, { seed: seed + 1 }),
  ];
}

const log = (msg: string) =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
}

function select(
  users: readonly UserData[],
  seed: number,
): SelectionRow[] {
  const dev = users.filter((u) => isDevUser(u.user));
  return selectionConfigs(seed).map(({ name, verifier }) => {
    log(`choosing: ${name}`);
    const [scores, seconds] = timed(() =>
      runProtocol(dev, {
        name,
        verifier,
        trainPerSession: TRAIN_PER_SESSION,
      }, log)
    );
    const window = perUser(scores, {
      window: true,
      perSession: TEST_PER_SESSION,
    });
    const at = (k: number, aggregate: "mean" | "logOdds") =>
      perUser(scores, { k, aggregate }).auc.mean;
    return {
      name,
      windowAuc: window.auc.mean,
      windowEer: window.eer.mean,
      k3Mean: at(3, "mean"),
      k3LogOdds: at(3, "logOdds"),
      k6Mean: at(6, "mean"),
      k6LogOdds: at(6, "logOdds"),
      seconds,
    };
  });
}

/** Every SapiMouse run of the report, timed into `seconds`. */
function measureSapiMouse(
  sapi: readonly UserData[],
  seed: number,
  seconds: Record<string, number>,
  choose: boolean,
) {
  // With --choose, the window forest's options are compared again on users 1–72 (about 20 min
  // with the action forest on 2 shared cores); without, the report says where they were chosen.
  let selection: SelectionRow[] = [];
  if (choose) {
    [selection, seconds["choosing (users 1–72)"]] = timed(() =>
      select(sapi, seed)
    );
  }
  const run = runner(sapi, seed, seconds);
  const closed = run("SapiMouse, all users", {});
  const paper = run("SapiMouse, paper split", PAPER_SPLIT);
  const caps = OWNER_CAPS.map((cap) => ({
    cap,
    scores: run(`profile of ${cap} windows`, { ownerCap: cap }),
  }));
  const calibrated = run("SapiMouse, profiles as the product", AS_PRODUCT);
  const paperCalibrated = run(
    "SapiMouse, paper split, profiles as the product",
    { ...AS_PRODUCT, ...PAPER_SPLIT },
  );
  // The one global threshold: the pooled 15-s EER threshold of the development users.
  const dev = levelScores(closed.filter((u) => isDevUser(u.user)), {
    k: 3,
    aggregate: "mean",
  });
  const threshold = equalErrorRate(dev.genuine, dev.impostor).threshold;
  return {
    selection,
    closed,
    paper,
    caps,
    calibrated,
    paperCalibrated,
    threshold,
  };
}

/** The Balabit runs (default verifier, then per-profile thresholds), timed into `seconds`. */
async function measureBalabit(
  dir: string,
  seed: number,
  seconds: Record<string, number>,
): Promise<NonNullable<UsersReport["balabit"]>> {
  const t0 = performance.now();
  const users = await loadBalabit(dir, log);
  seconds["read Balabit"] = (performance.now() - t0) / 1000;
  const run = runner(users, seed, seconds);
  const scores = run("Balabit", {});
  return {
    users,
    scores,
    calibrated: run("Balabit, profiles as the product", AS_PRODUCT),
  };
}

/** Profiles trained and calibrated as `deno task profiles` does, for users who would get one. */
const AS_PRODUCT = { calibrate: true, minOwnerWindows: PROFILE_MIN_WINDOWS };

/** The paper split: users 73–120 verified against users 1–72 as others, impostors from 73–120. */
const PAPER_SPLIT = {
  evaluate: (u: string) => !isDevUser(u),
  others: isDevUser,
  impostors: (u: string) => !isDevUser(u),
};

/** Runs the protocol on `users` with the default verifier and `o`, timed into `seconds`. */
function runner(
  users: readonly UserData[],
  seed: number,
  seconds: Record<string, number>,
) {
  return function run(name: string, o: Partial<ProtocolOptions>) {
    log(`run: ${name}`);
    const [scores, s] = timed(() =>
      runProtocol(users, { ...baseOptions(seed), name, ...o }, log)
    );
    seconds[name] = s;
    return scores;
  };
}

function baseOptions(seed: number): ProtocolOptions {
  return {
    verifier: { ...DEFAULT_VERIFIER_OPTIONS, seed },
    trainPerSession: TRAIN_PER_SESSION,
  };
}

/** Bad input files (labels, recordings, missing paths): exit 2 as bad arguments do. */
function isInputError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof SyntaxError ||
    error instanceof Deno.errors.NotFound;
}

async function files(values: FilesArgs, io: CliIo): Promise<number> {
  let report;
  try {
    report = await evaluateFiles(values, log);
  } catch (error) {
    if (!isInputError(error)) throw error;
    io.err(`evaluate-users: ${(error as Error).message}`);
    return 2;
  }
  const text = JSON.stringify(report, null, 2);
  io.out(text);
  if (values.out) await Deno.writeTextFile(values.out, text + "\n");
  return 0;
}

/** Runs `deno task evaluate-users` with these arguments (the command-line contract of cli.ts). */
export function evaluateUsersCli(
  args: string[],
  io: CliIo = consoleIo,
): Promise<number> {
  return runCli(
    {
      name: "evaluate-users",
      help: HELP,
      parse: parseUsersArgs,
      run: (values) =>
        values.mode === "files" ? files(values, io) : main(values),
    },
    args,
    io,
  );
}

async function main(values: ReportArgs): Promise<number> {
  const { seed } = values;
  const started = performance.now();
  const seconds: Record<string, number> = {};
  const sapi = await loadSapiMouse(values.sapimouse, log);
  seconds["read SapiMouse"] = (performance.now() - started) / 1000;
  const measured = measureSapiMouse(sapi, seed, seconds, values.choose);
  const balabit = values.balabit
    ? await measureBalabit(values.balabit, seed, seconds)
    : undefined;
  const t0 = performance.now();
  const ablation = measureAblation(sapi, balabit?.users, seed, log);
  seconds["what each change bought"] = (performance.now() - t0) / 1000;
  seconds["total"] = (performance.now() - started) / 1000;
  const report: UsersReport = {
    seed,
    sapimouse: sapi,
    ...measured,
    balabit,
    ablation,
    seconds,
  };
  await writeMarkdownReport(values.out, renderUsersReport(report));
  log(`wrote ${values.out} in ${seconds["total"].toFixed(0)} s`);
  return 0;
}

if (import.meta.main) Deno.exit(await evaluateUsersCli(Deno.args));
