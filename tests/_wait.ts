/**
 * Waiting for a state in end-to-end tests: under load timers run late, so a test polls for what
 * it expects instead of sleeping a fixed time.
 *
 * @module
 */

/** Polls `check` every `everyMs` until it holds or `ms` pass; resolves whether it held. */
export async function until(
  check: () => Promise<boolean> | boolean,
  ms: number,
  everyMs = 50,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((ok) => setTimeout(ok, everyMs));
  }
  return await check();
}
