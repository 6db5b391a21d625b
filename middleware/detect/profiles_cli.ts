/**
 * `deno task profiles [--user <identity>]…` trains user profiles (profiles.ts) from the store named
 * by DATABASE_URL / PGLITE_DIR, with PROFILE_MIN_WINDOWS, and prints one line per identity. Exit
 * code 1 when a profile failed, 2 on bad arguments or configuration.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../../config.ts";
import { openStore } from "../../db/mod.ts";
import { trainProfiles } from "./profiles.ts";

async function main(): Promise<number> {
  let users: string[];
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: { user: { type: "string", multiple: true } },
      strict: true,
    });
    users = values.user ?? [];
  } catch (error) {
    console.error(`profiles: ${(error as Error).message}`);
    return 2;
  }
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

if (import.meta.main) Deno.exit(await main());
