/**
 * The outbox workers' loop (alert/worker.ts, alert/webhook.ts): one pass at a time, a pass
 * every `pollMs` after the previous one ends, and a stop that waits for the pass in flight.
 */
import { log } from "../log.ts";

/** A polling loop: `tick` runs a pass now (or joins the one running), `stop` ends the loop. */
export interface PollLoop {
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the loop. `pollMs` 0 or undefined starts no timer: call `tick()` yourself (tests).
 *
 * @param name named in the log line of a failed pass
 * @param pass one pass; resolves to the number of items handled
 */
export function startPolling(
  name: string,
  pass: () => Promise<number>,
  pollMs: number | undefined,
): PollLoop {
  let running: Promise<number> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function tick(): Promise<number> {
    running ??= pass().catch((error) => {
      log("error", `${name} pass failed`, { error });
      return 0;
    }).finally(() => running = null);
    return running;
  }

  function schedule() {
    if (stopped || !pollMs) return;
    timer = setTimeout(() => tick().then(schedule), pollMs);
  }
  schedule();

  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (running) await running;
    },
  };
}
