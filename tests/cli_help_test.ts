/**
 * Every command-line tool keeps the contract of cli.ts, run as an operator runs it (`deno task …`,
 * or `deno run -A sim/….ts`): `--help` prints the usage with an example to stdout and exits 0; an
 * unknown option or a bad value prints a one-line reason, then the usage, to stderr and exits 2.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

interface Cli {
  /** The error prefix: the task's or the script's name. */
  name: string;
  /** How it is started: `deno task <name>` or `deno run -A <script>`. */
  command: string[];
  /** Arguments with a bad value, and the reason printed. */
  bad: string[];
  reason: string;
}

const task = (name: string, bad: string[], reason: string): Cli => ({
  name,
  command: ["task", "--quiet", name],
  bad,
  reason,
});
const script = (name: string, bad: string[], reason: string): Cli => ({
  name,
  command: ["run", "-A", `sim/${name}.ts`],
  bad,
  reason,
});

const CLIS: Cli[] = [
  script(
    "users/users_split",
    ["a"],
    "Give SRC_DIR and OUT_DIR, got 1 arguments",
  ),
  task("train", ["--folds", "x"], 'Option --folds: "x" is not an integer'),
  task("evaluate", ["--model"], "Option '--model <value>' argument missing"),
  task(
    "features",
    ["x.jsonl", "--window-ms", "0"],
    'Option --window-ms must be a positive number, got "0"',
  ),
  task(
    "export",
    ["--label", "robot"],
    'Invalid --label "robot": expected one of human, bot, unauthorized',
  ),
  task("profiles", ["--user"], "Option '--user <value>' argument missing"),
  task("forget-user", [], "Give one identity, got 0 arguments"),
  task("replay", ["--json"], "Give at least one recording"),
  task(
    "adapt",
    ["--holdout", "2"],
    'Option --holdout must be in [0, 0.9], got "2"',
  ),
  task(
    "dataset",
    ["--seed", "x"],
    'Option "--seed" must be a non-negative integer, got "x"',
  ),
  task(
    "evaluate-data",
    ["--k", "1"],
    'Option --k must be in [2, 100], got "1"',
  ),
  task(
    "evaluate-open",
    ["--trees", "0"],
    'Option --trees must be an integer >= 1, got "0"',
  ),
  task("evaluate-users", [], "Give one SapiMouse directory, got 0 arguments"),
  script(
    "dataset/train_model",
    ["--data"],
    "Option '--data <value>' argument missing",
  ),
  script(
    "browsers/record_browsers",
    ["--family", "cypress"],
    'Unknown family "cypress": expected puppeteer, playwright, selenium',
  ),
  script(
    "browsers/chromium_bots",
    ["--parallel", "3"],
    'Option --parallel must be 1..2, got "3"',
  ),
];

async function run(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

function assertUsage(text: string, cli: Cli) {
  assert.match(text, /^Usage: deno (task|run -A sim\/)/m, cli.name);
  assert.match(text, /^Options:$/m, cli.name);
  assert.match(text, /^ {2}--help +this text$/m, cli.name);
  const started = cli.command[0] === "task"
    ? `deno task ${cli.name}`
    : `deno run -A sim/${cli.name}.ts`;
  assert.ok(
    text.split("\n").some((l) => l.startsWith(`Example: ${started}`)),
    `${cli.name}: no "Example: ${started}" line`,
  );
}

Deno.test("every CLI answers --help and rejects unknown options and bad values with exit 2", async (t) => {
  assert.equal(CLIS.length, 16);
  for (const cli of CLIS) {
    await t.step(cli.name, async () => {
      const [help, unknown, bad] = await Promise.all([
        run([...cli.command, "--help"]),
        run([...cli.command, "--bogus"]),
        run([...cli.command, ...cli.bad]),
      ]);
      assert.equal(help.code, 0, help.stderr);
      assert.equal(help.stderr, "");
      assertUsage(help.stdout, cli);
      for (
        const [r, reason] of [
          [unknown, "Unknown option '--bogus'"],
          [bad, cli.reason],
        ] as const
      ) {
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, "");
        const [first, ...rest] = r.stderr.split("\n");
        assert.equal(first, `${cli.name.split("/").at(-1)}: ${reason}`);
        assert.equal(rest.join("\n"), help.stdout);
      }
    });
  }
});
