/**
 * `deno task forget-user ID` forgets a user in the store named by DATABASE_URL / PGLITE_DIR: the
 * windows, scores and raw events of every session carrying the identity and its profile are
 * deleted, and those sessions' identity set to null (Store.forgetUser). Prints the counts. Exit
 * code 2 on bad arguments or configuration.
 *
 * @module
 */
import { cliArgs, type CliIo, consoleIo, runCli } from "../cli.ts";
import { loadConfig } from "../config.ts";
import type { ForgetResult, Store } from "./store.ts";
import { openStore } from "./open.ts";

const HELP = `Usage: deno task forget-user ID
Forgets a user of the owner check in the store named by DATABASE_URL or PGLITE_DIR: deletes the
feature windows, scores and raw events of every session carrying the identity ID and the
identity's profile, sets those sessions' identity to null, and prints the counts.
Options:
  --help   this text
Example: deno task forget-user alice@example.com`;

/** Parses `deno task forget-user` arguments: the one identity. */
export function parseForgetArgs(args: string[]): string {
  const { positionals } = cliArgs(args, {
    allowPositionals: true,
    options: {},
  });
  if (positionals.length !== 1 || positionals[0].trim() === "") {
    throw new TypeError(
      `Give one identity, got ${positionals.length} arguments`,
    );
  }
  return positionals[0];
}

/** The counts line of a forgotten user. */
export function forgetLine(identity: string, r: ForgetResult): string {
  return `forget-user: "${identity}": ${r.sessions} sessions, ${r.windows} windows, ` +
    `${r.scores} scores, ${r.rawEvents} raw events, ${r.profiles} profiles`;
}

/** Forgets `identity` in `store` and prints the counts. */
export async function forgetIdentity(
  store: Pick<Store, "forgetUser">,
  identity: string,
  io: CliIo = consoleIo,
): Promise<ForgetResult> {
  const result = await store.forgetUser(identity);
  io.out(forgetLine(identity, result));
  return result;
}

async function forget(identity: string): Promise<number> {
  const result = loadConfig(Deno.env.toObject());
  if (!result.ok) {
    for (const line of result.errors) console.error(`forget-user: ${line}`);
    return 2;
  }
  const store = await openStore({
    databaseUrl: result.config.DATABASE_URL,
    pgliteDir: result.config.PGLITE_DIR,
    applicationName: "guard-forget-user",
  });
  try {
    await forgetIdentity(store, identity);
    return 0;
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "forget-user",
      help: HELP,
      parse: parseForgetArgs,
      run: forget,
    }, Deno.args),
  );
}
