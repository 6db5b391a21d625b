/**
 * `deno task profiles [--user <identity>]…` trains user profiles (profiles.ts) from the store named
 * by DATABASE_URL / PGLITE_DIR, with PROFILE_MIN_WINDOWS, and prints one line per identity. Exit
 * code 1 when a profile failed, 2 on bad arguments or configuration.
 *
 * @module
 */
import { cliArgs, runCli } from "../../cli.ts";
import { loadConfig } from "../../config.ts";
import { openStore } from "../../db/mod.ts";
import { trainProfiles } from "./profiles.ts";

const HELP = `Usage: deno task profiles [--user IDENTITY]…
Trains the user profiles of the owner check from the store named by DATABASE_URL or PGLITE_DIR
(identities with at least PROFILE_MIN_WINDOWS clean windows received in the last PROFILE_WINDOW_DAYS)
and prints one line per identity.
Options:
  --user IDENTITY   train only this identity (repeatable; default every identity)
  --help            this text
Example: deno task profiles --user alice@example.com --user bob@example.com`;

/** Parses `deno task profiles` arguments: the identities to train (empty: all). */
export function parseProfilesArgs(args: string[]): string[] {
  const { values } = cliArgs(args, {
    options: { user: { type: "string", multiple: true } },
  });
  return values.user ?? [];
}

async function profiles(users: string[]): Promise<number> {
  const result = loadConfig(Deno.env.toObject());
  if (!result.ok) {
    for (const line of result.errors) console.error(`profiles: ${line}`);
    return 2;
  }
  const { config } = result;
  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.PGLITE_DIR,
    applicationName: "guard-profiles",
  });
  try {
    const reports = await trainProfiles(store, {
      minWindows: config.PROFILE_MIN_WINDOWS,
      windowDays: config.PROFILE_WINDOW_DAYS,
      identities: users.length > 0 ? users : undefined,
    });
    for (const r of reports) {
      console.log(
        "error" in r
          ? `${r.identity}\t${r.ownerWindows} windows\tnot trained: ${r.error}`
          : `${r.identity}\t${r.ownerWindows} windows\tprofile ${r.version}`,
      );
    }
    console.error(
      `profiles: ${reports.length} identities with >= ${config.PROFILE_MIN_WINDOWS} clean windows`,
    );
    return reports.some((r) => "error" in r) ? 1 : 0;
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  Deno.exit(
    await runCli({
      name: "profiles",
      help: HELP,
      parse: parseProfilesArgs,
      run: profiles,
    }, Deno.args),
  );
}
