/**
 * The contract every command-line tool of the repository keeps: `--help` (or `-h`) prints its usage
 * (options and an example) to stdout and exits 0; an unknown option or a bad value prints a
 * one-line reason and the usage to stderr and exits 2; a failure while running prints one line to
 * stderr and exits 1.
 *
 * It sits at the top level beside config.ts and log.ts and imports nothing of the project, so
 * tree/, collector/, db/, middleware/ and sim/ can all use it without bending the import direction
 * (in collector/ it would have made tree/, which knows nothing of features, depend on it).
 *
 * ```ts
 * const command: CliCommand<{ out: string }> = {
 *   name: "demo",
 *   help: "Usage: deno run demo.ts [--out FILE]\nExample: deno run demo.ts --out a.csv",
 *   parse: (args) => cliArgs(args, { options: { out: { type: "string", default: "a" } } }).values,
 *   run: ({ out }) => (console.log(out), 0),
 * };
 * if (import.meta.main) Deno.exit(await runCli(command, Deno.args));
 * ```
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Where a command's lines go (stdout, stderr), so tests can capture them. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The console: `out` to stdout, `err` to stderr. */
export const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** A command: its name (the prefix of its error lines), help text, argument parser and body. */
export interface CliCommand<T> {
  name: string;
  /** "Usage: …", the options with their defaults, and an "Example: …" line. */
  help: string;
  /** Reads the arguments; throws (any error, one-line message) on an unknown option or bad value. */
  parse: (args: string[]) => T;
  /** Does the work; returns the exit code. */
  run: (parsed: T) => number | Promise<number>;
}

/** Whether the arguments ask for help (`--help` or `-h` before a `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) =>
    a === "--help" || a === "-h"
  );
}

/** The first sentence of node:util's parse errors, which go on with advice in our usage's place. */
function firstSentence(message: string): string {
  return message.split("\n")[0].split(/\.\s/)[0];
}

/** node:util `parseArgs` in strict mode; an unknown option or a missing value throws a one-line TypeError. */
export function cliArgs<
  const T extends Omit<ParseArgsConfig, "args" | "strict">,
>(
  args: string[],
  config: T,
): ReturnType<typeof parseArgs<T & { args: string[]; strict: true }>> {
  try {
    return parseArgs({ ...config, args, strict: true });
  } catch (error) {
    throw new TypeError(firstSentence((error as Error).message));
  }
}

/**
 * Runs a command by the contract above.
 *
 * @returns the exit code: 0 after help or success, 2 on bad arguments, 1 when the body throws
 */
export async function runCli<T>(
  command: CliCommand<T>,
  args: string[],
  io: CliIo = consoleIo,
): Promise<number> {
  if (wantsHelp(args)) {
    io.out(command.help);
    return 0;
  }
  let parsed: T;
  try {
    parsed = command.parse(args);
  } catch (error) {
    io.err(`${command.name}: ${firstLine(error)}`);
    io.err(command.help);
    return 2;
  }
  try {
    return await command.run(parsed);
  } catch (error) {
    io.err(`${command.name}: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split(
    "\n",
  )[0];
}

/**
 * Writes a generated Markdown report and formats it with `deno fmt`, as the repository checks
 * it. "deno" by name: the report CLIs are allowed to run exactly that (`--allow-run=deno`).
 */
export async function writeMarkdownReport(
  path: string,
  text: string,
): Promise<void> {
  await Deno.writeTextFile(path, text);
  await new Deno.Command("deno", { args: ["fmt", "--quiet", path] }).output();
}
