/**
 * CPU spent by the bench's own process and by the PostgreSQL backends serving its store, so a
 * run on a machine shared with other jobs still says what a window costs: the rates swing with
 * the neighbours' load, the CPU per window much less.
 *
 * @module
 */
import process from "node:process";
import postgres from "postgres";

/** This process's user + system CPU so far, µs (every thread: JS, HTTP, PGlite). */
export function processCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const TICK_US = 1e6 / 100; // /proc's clock ticks (USER_HZ, 100 on Linux)

/**
 * User + system CPU so far of the PostgreSQL backends whose `application_name` is `app`, µs, read
 * from /proc (the database must run on this machine; NaN when it does not, or without `url`).
 */
export async function backendCpuUs(
  url: string | undefined,
  app: string,
): Promise<number> {
  if (!url) return NaN;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select pid from pg_stat_activity
      where application_name = ${app}`;
    let ticks = 0;
    for (const { pid } of rows) {
      try {
        const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
        // Fields after the command name's closing parenthesis; utime and stime are 14 and 15.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        return NaN; // another machine's process ids
      }
    }
    return ticks * TICK_US;
  } finally {
    await sql.end();
  }
}
