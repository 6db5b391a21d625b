/**
 * Runs a file's end-to-end scenarios concurrently on one stage (guard, SMTP server) and one
 * Chromium, while each stays a test of its own: the first test to run starts the stage and every
 * scenario; each test awaits its own scenario's result; the stage closes once all have settled,
 * and every test awaits that closing, so nothing outlives the file.
 *
 * ```ts
 * const suite = startSuite({ "attack: …": plainHttpBot }, { databaseUrl });
 * Deno.test({ name: "attack: …", sanitizeOps: false, sanitizeResources: false, async fn() {
 *   await suite.run("attack: …", (r) => assert.ok(r.loggedOutMs !== null));
 * } });
 * ```
 *
 * @module
 */
import type { Browser } from "puppeteer-core";
import { launchChromium } from "../sim/browsers/chromium.ts";
import { type AttackStage, startStage } from "./_attack_env.ts";

/** One scenario: plays against the stage in its own browser context. */
export type Scenario<R> = (stage: AttackStage, browser: Browser) => Promise<R>;

/** A started (lazily) set of scenarios. */
export interface Suite<R> {
  /**
   * Starts everything on first use, awaits the named scenario, hands its result and the SMTP
   * inbox (as of when every scenario had settled) to `check`, and awaits the stage's closing.
   */
  run(
    name: string,
    check: (result: R, inbox: readonly string[]) => void,
  ): Promise<void>;
}

/** Options of {@link startSuite}. */
export interface SuiteOptions {
  /** A Postgres server for the guard's store (see startStage). */
  databaseUrl?: string;
}

/** Declares the scenarios; nothing starts until the first {@link Suite.run}. */
export function startSuite<R>(
  scenarios: Record<string, Scenario<R>>,
  options: SuiteOptions = {},
): Suite<R> {
  let running:
    | {
      results: Map<string, Promise<R>>;
      inbox: Promise<string[]>;
      closed: Promise<void>;
    }
    | undefined;
  function start() {
    const ready = (async () => {
      const t = performance.now();
      const stage = await startStage({ databaseUrl: options.databaseUrl });
      const guardMs = performance.now() - t;
      const browser = await launchChromium().catch(async (error) => {
        await stage.close();
        throw error;
      });
      console.log(
        `stage: guard listening after ${(guardMs / 1000).toFixed(1)} s, ` +
          `Chromium after ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return { stage, browser };
    })();
    const results = new Map(
      Object.entries(scenarios).map((
        [name, scenario],
      ) => [
        name,
        ready.then(({ stage, browser }) => scenario(stage, browser)),
      ]),
    );
    for (const r of results.values()) r.catch(() => {});
    const settled = Promise.allSettled([...results.values()]);
    const inbox = settled.then(async () => [...(await ready).stage.inbox]);
    const closed = settled.then(async () => {
      const { stage, browser } = await ready;
      await browser.close();
      await stage.close();
    });
    inbox.catch(() => {});
    closed.catch(() => {});
    return { results, inbox, closed };
  }
  return {
    async run(name, check) {
      running ??= start();
      const result = running.results.get(name);
      if (result === undefined) {
        throw new RangeError(`Unknown scenario "${name}"`);
      }
      try {
        check(await result, await running.inbox);
      } finally {
        await running.closed;
      }
    },
  };
}
