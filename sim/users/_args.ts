/**
 * The command line of `deno task evaluate-users`: its help, and the two modes it parses (the
 * report over SapiMouse and Balabit, or the file-based evaluator with a labels file).
 */
import { cliArgs } from "../../cli.ts";
export const HELP = `Usage: deno task evaluate-users <sapimouse-dir> [options]
       deno task evaluate-users --balabit TRAIN_DIR --balabit-test TEST_DIR --labels LABELS_CSV --json [--out FILE]
Measures user verification per user (genuine held-out sessions against impostors), then the owner
check's rule with profiles trained as deno task profiles trains them, and writes the report.
With --balabit-test: profiles from every session of TRAIN_DIR's users, then every session named in
LABELS_CSV (header filename,is_illegal; 1 = not the owner), found as TEST_DIR/<claimed user>/<filename>,
scored against its claimed user; prints one JSON object (sessionAuc, meanUserAuc, aucAfter, rule).
Options:
  --balabit DIR        also measure on Balabit (…/balabit-mouse-challenge/training_files);
                       with --balabit-test, the training sessions
  --balabit-test DIR   labelled test sessions, one folder per claimed user
  --labels FILE        the labels of --balabit-test
  --json               print the file-based evaluation as JSON (required with --balabit-test)
  --out FILE           the report (default docs/user_verification.md; with --json, also write it here)
  --seed N             seed (default 1)
  --choose             also compare the window forest's features and options on users 1–72 (slow)
  --help               this text
Example: deno task evaluate-users ../shared/datasets/sapimouse/raw --out .data/users.md
Example: deno task evaluate-users --balabit train --balabit-test test --labels labels.csv --json`;

/** Parsed arguments of `deno task evaluate-users`: the report, or the file-based evaluation. */
export type UsersArgs = ReportArgs | FilesArgs;

/** The report mode: SapiMouse (and Balabit training files) to docs/user_verification.md. */
export interface ReportArgs {
  mode: "report";
  sapimouse: string;
  balabit?: string;
  out: string;
  seed: number;
  /** --choose: also rerun "Choosing features and options" (slow). */
  choose: boolean;
}

/** The file-based mode: labelled test sessions scored against profiles from training files. */
export interface FilesArgs {
  mode: "files";
  train: string;
  test: string;
  labels: string;
  out?: string;
  seed: number;
}

/** Parses `deno task evaluate-users` arguments; throws naming an unknown option or a bad value. */
export function parseUsersArgs(args: string[]): UsersArgs {
  const { values, positionals } = cliArgs(args, {
    allowPositionals: true,
    options: {
      balabit: { type: "string" },
      "balabit-test": { type: "string" },
      labels: { type: "string" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
      seed: { type: "string", default: "1" },
      choose: { type: "boolean", default: false },
    },
  });
  const seed = Number(values.seed);
  if (values.seed.trim() === "" || !Number.isInteger(seed)) {
    throw new RangeError(
      `Option "--seed" must be an integer, got "${values.seed}"`,
    );
  }
  const test = values["balabit-test"];
  if (test !== undefined || values.labels !== undefined || values.json) {
    for (
      const [name, value] of Object.entries({ test, labels: values.labels })
    ) {
      if (value === undefined) {
        throw new TypeError(
          `Option "--${
            name === "test" ? "balabit-test" : name
          }" is required with --balabit-test, --labels or --json`,
        );
      }
    }
    if (values.balabit === undefined || !values.json) {
      throw new TypeError(
        'Options "--balabit" and "--json" are required with --balabit-test',
      );
    }
    if (positionals.length > 0) {
      throw new TypeError(
        `The file-based evaluation takes no SapiMouse directory, got "${
          positionals[0]
        }"`,
      );
    }
    return {
      mode: "files",
      train: values.balabit,
      test: test!,
      labels: values.labels!,
      out: values.out,
      seed,
    };
  }
  if (positionals.length !== 1) {
    throw new TypeError(
      `Give one SapiMouse directory, got ${positionals.length} arguments`,
    );
  }
  return {
    mode: "report",
    sapimouse: positionals[0],
    balabit: values.balabit,
    out: values.out ?? "docs/user_verification.md",
    seed,
    choose: values.choose,
  };
}
