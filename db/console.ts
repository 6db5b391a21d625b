/**
 * The operator console's view of the store (middleware/admin/pages): traffic and verdicts over
 * time, score distribution, what monitor mode held back, flagged paths and clients, the alert
 * outbox, filtered session lists, label outcomes, and the page views the console draws on. The
 * store exposes it as `store.console`; every query is bounded by a time range or a limit.
 *
 * @module
 */
import type { Driver } from "./_sql.ts";
import * as overview from "./_overview.ts";
import * as pages from "./_page_views.ts";
import * as search from "./_console_sessions.ts";
import type { Label, SessionRow } from "./store.ts";

/**
 * A session's verdict as the console shows it: `bot`, `unauthorized` or `unverified` from its
 * detections (in that order when it has several), `human` when windows were scored and none
 * flagged it, `pending` when nothing was judged yet.
 */
export type ConsoleVerdict =
  | "human"
  | "bot"
  | "unverified"
  | "unauthorized"
  | "pending";

/** Every console verdict, in display order. */
export const CONSOLE_VERDICTS: readonly ConsoleVerdict[] = [
  "human",
  "bot",
  "unverified",
  "unauthorized",
  "pending",
];

/** One page load: an HTML page proxied to a guard session. */
export interface PageView {
  session: string;
  /** The path, without its query string (db/_page_views.ts cuts it to 256 characters). */
  path: string;
  /** The client's address prefix (IPv4 /24, IPv6 /48). */
  client: string;
  /** Loads counted (default 1). */
  hits?: number;
  /** Default now. */
  at?: Date;
}

/** Pages of one session: per path and client, first hour seen, last load, loads. */
export interface SessionPage {
  path: string;
  client: string;
  hits: number;
  firstHour: Date;
  lastAt: Date;
}

/** Activity of one time bucket and verdict. */
export interface TrafficBucket {
  at: Date;
  verdict: ConsoleVerdict;
  /** Sessions with a page load or a window in the bucket. */
  sessions: number;
  pages: number;
  windows: number;
}

/** Window scores in `bins` equal bins of [0, 1], per session label (`unlabelled` for none). */
export interface ScoreHistogram {
  bins: number;
  counts: Record<string, number[]>;
}

/** Detections made in monitor mode that enforce mode would have acted on, per verdict. */
export interface MonitorImpact {
  verdict: string;
  sessions: number;
  /** Sessions that carried a site auth cookie (recorded by the silence rule). */
  loggedIn: number;
  labelledHuman: number;
  /** Windows received after the detection: behaviour enforce mode would have cut short. */
  windowsAfter: number;
  /** Page loads in hours whose last load came after the detection (hour resolution). */
  pagesAfter: number;
}

/** A path or client of flagged sessions. */
export interface FlaggedTop {
  key: string;
  sessions: number;
  hits: number;
}

/** The outbox of one channel. */
export interface OutboxHealth {
  channel: string;
  unsent: number;
  /** Unsent alerts that failed at least once. */
  failing: number;
  sentLastDay: number;
  oldestUnsent: Date | null;
  maxAttempts: number;
  lastError: string | null;
}

/** Filters and page of {@link ConsoleStore.searchSessions}; newest `lastSeen` first. */
export interface SessionSearch {
  verdict?: ConsoleVerdict;
  /** A label, or `none` for unlabelled sessions. */
  label?: Label | "none";
  user?: string;
  /** Sessions last seen at or after this. */
  from?: Date;
  /** Sessions first seen before this. */
  to?: Date;
  /** Keyset cursor: sessions after this one in the order (its `cursor`). */
  after?: { cursor: string; id: string };
  limit: number;
}

/** One row of the console's session list. */
export interface ConsoleSessionRow extends SessionRow {
  verdict: ConsoleVerdict;
  windows: number;
  maxScore: number | null;
  pages: number;
  /** `last_seen` at full precision, for the next page's cursor. */
  cursor: string;
}

/** Labelled sessions per label: how many, how many the guard flagged, per verdict. */
export interface LabelOutcome {
  label: Label;
  sessions: number;
  flagged: number;
  byVerdict: Record<string, number>;
}

/** What the console reads, and the page views it records. */
export interface ConsoleStore {
  /** Adds page views; a session keeps at most `maxRows` rows (default 200). Returns rows written. */
  recordPageViews(
    views: readonly PageView[],
    maxRows?: number,
  ): Promise<number>;
  sessionPages(session: string, limit?: number): Promise<SessionPage[]>;
  traffic(since: Date, unit: "hour" | "day"): Promise<TrafficBucket[]>;
  scoreHistogram(since: Date, bins: number): Promise<ScoreHistogram>;
  monitorImpact(since: Date): Promise<MonitorImpact[]>;
  topFlagged(
    since: Date,
    by: "path" | "client",
    limit: number,
  ): Promise<FlaggedTop[]>;
  outboxHealth(now?: Date): Promise<OutboxHealth[]>;
  searchSessions(search: SessionSearch): Promise<ConsoleSessionRow[]>;
  labelOutcomes(): Promise<LabelOutcome[]>;
}

/** Binds the console's queries to one driver. */
export function createConsoleStore(db: Driver): ConsoleStore {
  return {
    recordPageViews: (views, maxRows) =>
      pages.recordPageViews(db, views, maxRows),
    sessionPages: (session, limit) => pages.sessionPages(db, session, limit),
    traffic: (since, unit) => overview.traffic(db, since, unit),
    scoreHistogram: (since, bins) => overview.scoreHistogram(db, since, bins),
    monitorImpact: (since) => overview.monitorImpact(db, since),
    topFlagged: (since, by, limit) => overview.topFlagged(db, since, by, limit),
    outboxHealth: (now) => overview.outboxHealth(db, now),
    searchSessions: (s) => search.searchSessions(db, s),
    labelOutcomes: () => search.labelOutcomes(db),
  };
}
