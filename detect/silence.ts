/**
 * "Silence is a verdict": a session that keeps using the site but never gives behaviour evidence
 * is `unverified`. The collector runs on every page the guard serves, so a real browser reports
 * pointer, key or scroll events within a window or two of its first page; a client that never
 * does (curl with a cookie jar, a headless browser with the collector blocked or its
 * fetch/sendBeacon stubbed) withholds the only evidence the guard judges, and that absence is
 * itself the evidence.
 *
 * The rule is pure (times in, state out), so live traffic (silence_watch.ts) and a replay tool
 * judge the same way: since its last behaviour evidence (or its start), a session that made at
 * least `requests` counted requests ({@link countsAsActivity}) with at least `graceMs` between
 * the first of them and now is unverified. The verdict latches: later evidence does not undo it.
 *
 * Why the defaults (NO_BEHAVIOUR_REQUESTS = 3, NO_BEHAVIOUR_MS = 15 000):
 * - 15 s covers one 5 s collector window plus a retry backoff after a 429/5xx, so a human's
 *   evidence that is still in flight arrives before the grace ends;
 * - 3 requests means a single long read (one page, no further navigation) never triggers, and
 *   neither does a page plus its form post: it takes a third page or post without any input.
 *
 * Residual risks, by design:
 * - an SPA's periodic state-changing request (a heartbeat POST) counts: operators list it in
 *   EXCLUDE_PATHS, which never counts;
 * - a client that sends `Sec-Fetch-Mode: cors` on every GET (claiming each is a background
 *   fetch) is counted only for its state-changing requests: a read-only scraper that lies this
 *   way is not caught by this rule;
 * - evidence is what a window claims (events, or its event count until the server decodes raw
 *   events): a client forging windows defeats silence, and is the concern of page binding and
 *   plausibility checks, not of this rule.
 *
 * @module
 */

/** Thresholds of the rule (NO_BEHAVIOUR_REQUESTS, NO_BEHAVIOUR_MS). */
export interface SilenceOptions {
  /** Counted requests without evidence that make a session unverified. */
  requests: number;
  /** Milliseconds from the first of them before the verdict may come. */
  graceMs: number;
}

/** The defaults: see the module doc for why. */
export const DEFAULT_SILENCE_OPTIONS: Readonly<SilenceOptions> = Object.freeze(
  { requests: 3, graceMs: 15_000 },
);

/** One session's silence so far. */
export interface SilenceState {
  /** Counted requests since the last evidence (or the start). */
  counted: number;
  /** Time of the first of them; null when none. */
  firstAt: number | null;
  /** Time of the last counted request; null when none. */
  lastAt: number | null;
  /** Time of the last behaviour evidence; null when none yet. */
  evidenceAt: number | null;
  /** When the session became unverified; null until then, then never again null. */
  unverifiedAt: number | null;
}

/** A state and whether this step made the verdict. */
export interface SilenceStep {
  state: SilenceState;
  /** True only on the step that made the session unverified. */
  becameUnverified: boolean;
}

/** The state of a session that has done nothing yet. */
export function initialSilence(): SilenceState {
  return {
    counted: 0,
    firstAt: null,
    lastAt: null,
    evidenceAt: null,
    unverifiedAt: null,
  };
}

/** True once the session has been judged unverified (the verdict latches). */
export function isUnverified(state: SilenceState): boolean {
  return state.unverifiedAt !== null;
}

/**
 * One counted request at `atMs`.
 *
 * @returns the next state, and whether this request made the session unverified
 */
export function noteActivity(
  state: SilenceState,
  atMs: number,
  options: SilenceOptions = DEFAULT_SILENCE_OPTIONS,
): SilenceStep {
  const firstAt = state.firstAt ?? atMs;
  const next: SilenceState = {
    ...state,
    counted: state.counted + 1,
    firstAt,
    lastAt: atMs,
  };
  if (state.unverifiedAt !== null) {
    return { state: next, becameUnverified: false };
  }
  // A clock stepping back never makes the span negative, nor shortens the grace below zero.
  const span = Math.max(0, atMs - firstAt);
  const due = next.counted >= options.requests && span >= options.graceMs;
  if (due) next.unverifiedAt = atMs;
  return { state: next, becameUnverified: due };
}

/**
 * Behaviour evidence at `atMs`: the count starts over. An unverified session stays unverified.
 *
 * @returns the next state (`becameUnverified` is always false)
 */
export function noteEvidence(state: SilenceState, atMs: number): SilenceStep {
  return {
    state: {
      ...state,
      counted: 0,
      firstAt: null,
      lastAt: null,
      evidenceAt: Math.max(atMs, state.evidenceAt ?? -Infinity),
    },
    becameUnverified: false,
  };
}

/** A window as the ingest route hands it to `onWindow`: events when decoded, else their count. */
export interface EvidenceWindow {
  /** Events in the window, the `meta` record included. */
  nEvents?: number;
  /** The server-decoded events, when the ingest route provides them. */
  events?: readonly { kind: string }[];
}

/** Event kinds that a page reports without any input: they are not behaviour. */
const NOT_BEHAVIOUR = new Set(["meta", "visibility"]);

/**
 * Whether an accepted window carries behaviour: at least one event other than `meta` and
 * `visibility`. Without decoded events, `nEvents > 1` (every window carries one `meta`).
 */
export function hasBehaviour(window: EvidenceWindow): boolean {
  if ("events" in window && Array.isArray(window.events)) {
    return window.events.some((e) => !NOT_BEHAVIOUR.has(e.kind));
  }
  return (window.nEvents ?? 0) > 1;
}

/** The receipt time (ms) of the newest window with behaviour received at or after `sinceMs`. */
export function newestEvidenceAt(
  windows: readonly (EvidenceWindow & { receivedAt: Date })[],
  sinceMs: number,
): number | null {
  let newest: number | null = null;
  for (const w of windows) {
    const at = w.receivedAt.getTime();
    if (at >= sinceMs && hasBehaviour(w)) newest = Math.max(newest ?? at, at);
  }
  return newest;
}
