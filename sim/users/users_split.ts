/**
 * `deno run -A sim/users/users_split.ts SRC OUT`: the Balabit challenge's labelled protocol reproduced on its
 * training files (the challenge's test files and labels are not public here). Per user of SRC
 * (`<user>/session_<id>`), sessions in name order: the first half (rounded up) are linked into
 * OUT/train/<user>/, the rest are the user's genuine test sessions, linked into OUT/test/<user>/
 * with is_illegal 0; every other user's test sessions are linked into OUT/test/<user>/ as
 * `session_<id>_as_<user>` with is_illegal 1 (someone else presented as this user). OUT/labels.csv
 * lists them all. The same split as the report's Balabit rows (sim/users/_protocol.ts `loadBalabit`).
 */
import { cliArgs, type CliIo, consoleIo, runCli } from "../../cli.ts";
import { listFiles } from "../dataset/dataset.ts";

/** Writes the split; returns the counts of genuine and impostor test sessions. */
export async function writeUsersSplit(
  src: string,
  out: string,
): Promise<{ genuine: number; impostor: number }> {
  const users = new Map<string, string[]>();
  for (const f of await listFiles(src, /^session_/)) {
    const user = f.split("/").at(-2)!;
    users.set(user, [...(users.get(user) ?? []), f]);
  }
  const test = new Map<string, string[]>();
  for (const [user, files] of users) {
    const half = Math.ceil(files.length / 2);
    await Deno.mkdir(`${out}/train/${user}`, { recursive: true });
    await Deno.mkdir(`${out}/test/${user}`, { recursive: true });
    for (const f of files.slice(0, half)) {
      await Deno.symlink(
        Deno.realPathSync(f),
        `${out}/train/${user}/${f.split("/").at(-1)}`,
      );
    }
    test.set(user, files.slice(half));
  }
  const labels = ["filename,is_illegal"];
  let genuine = 0, impostor = 0;
  for (const user of users.keys()) {
    for (const [owner, files] of test) {
      for (const f of files) {
        const name = f.split("/").at(-1)! +
          (owner === user ? "" : `_as_${user}`);
        await Deno.symlink(Deno.realPathSync(f), `${out}/test/${user}/${name}`);
        labels.push(`${name},${owner === user ? 0 : 1}`);
        if (owner === user) genuine++;
        else impostor++;
      }
    }
  }
  await Deno.writeTextFile(`${out}/labels.csv`, labels.join("\n") + "\n");
  return { genuine, impostor };
}

const HELP = `Usage: deno run -A sim/users/users_split.ts SRC_DIR OUT_DIR
Writes the swap-labelled split of Balabit-style recordings (SRC_DIR/<user>/session_<id>) for
deno task evaluate-users --balabit OUT_DIR/train --balabit-test OUT_DIR/test --labels OUT_DIR/labels.csv
(symlinks to the recordings, never copies; OUT_DIR must not exist yet).
Options:
  --help               this text
Example: deno run -A sim/users/users_split.ts ../shared/datasets/balabit-mouse-challenge/training_files .data/split`;

/** Runs `sim/users/users_split.ts` with these arguments (the command-line contract of cli.ts). */
export function usersSplitCli(
  args: string[],
  io: CliIo = consoleIo,
): Promise<number> {
  return runCli(
    {
      name: "users_split",
      help: HELP,
      parse(a) {
        const { positionals } = cliArgs(a, {
          allowPositionals: true,
          options: {},
        });
        if (positionals.length !== 2) {
          throw new TypeError(
            `Give SRC_DIR and OUT_DIR, got ${positionals.length} arguments`,
          );
        }
        return { src: positionals[0], out: positionals[1] };
      },
      async run({ src, out }) {
        const n = await writeUsersSplit(src, out);
        io.out(
          `${out}: ${n.genuine} genuine, ${n.impostor} impostor test sessions`,
        );
        return 0;
      },
    },
    args,
    io,
  );
}

if (import.meta.main) Deno.exit(await usersSplitCli(Deno.args));
