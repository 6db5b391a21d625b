import * as alerts from "./_alerts.ts";
import * as fleet from "./_fleet.ts";
import { migrate } from "./_migrate.ts";
import * as profiles from "./_profiles.ts";
import { purge } from "./_purge.ts";
import { createConsoleStore } from "./console.ts";
import type { PGlite } from "@electric-sql/pglite";
import { openPgliteDriver, sharedPgliteDriver } from "./_pglite.ts";
import { openPostgresDriver } from "./_postgres.ts";
import * as revocations from "./_revocations.ts";
import * as sessions from "./_sessions.ts";
import { sql } from "./_sql.ts";
import type { Driver } from "./_sql.ts";
import * as windows from "./_windows.ts";
import type { Store } from "./store.ts";

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** A postgres:// URL: PostgreSQL. Unset: PGlite. */
  databaseUrl?: string;
  /** PGlite data directory (default `.data/pglite`); `memory://` keeps it in memory. */
  pgliteDir?: string;
  /** Schema holding the tables (default `public`); tests use a fresh one each. */
  schema?: string;
  /** Postgres `application_name` of the pool's connections (default `guard`). */
  applicationName?: string;
  /**
   * An open PGlite shared with other stores, each in its own schema (tests); `close()` leaves it
   * open. Takes precedence over `pgliteDir`.
   */
  pglite?: PGlite;
  /** Postgres pool size (default 10). */
  maxConnections?: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the store and applies pending migrations (under an advisory lock).
 *
 * @throws {TypeError} when the schema name is not a plain lower-case identifier
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const schema = options.schema ?? "public";
  if (!SCHEMA.test(schema)) {
    throw new TypeError(
      `Cannot open store: schema "${schema}" must match ${SCHEMA}`,
    );
  }
  const driver = options.databaseUrl
    ? openPostgresDriver(options.databaseUrl, {
      schema,
      applicationName: options.applicationName,
      max: options.maxConnections,
    })
    : options.pglite
    ? sharedPgliteDriver(options.pglite, schema)
    : await openPgliteDriver(options.pgliteDir ?? ".data/pglite", schema);
  try {
    await migrate(driver, schema);
  } catch (error) {
    await driver.close();
    throw error;
  }
  return createStore(driver);
}

/** Binds every store method to one driver. */
export function createStore(db: Driver): Store {
  return {
    kind: db.kind,
    console: createConsoleStore(db),
    ping: async () => {
      await db.run(sql`select 1 as ok`);
    },
    close: () => db.close(),
    touchSession: (id, now) => sessions.touchSession(db, id, now),
    setUserIdentity: (id, identity) =>
      sessions.setUserIdentity(db, id, identity),
    insertWindows: (rows) => windows.insertWindows(db, rows),
    insertRawEvents: (session, events) =>
      windows.insertRawEvents(db, session, events),
    listRawEvents: (session) => windows.listRawEvents(db, session),
    listWindows: (session) => windows.listWindows(db, session),
    sessionIngestState: (id) => sessions.sessionIngestState(db, id),
    recordScore: (row) => alerts.recordScore(db, row),
    recordScores: (rows) => alerts.recordScores(db, rows),
    recordDetection: (row) => alerts.recordDetection(db, row),
    revokeSession: (id, reason, instance, options = {}) =>
      revocations.revokeSession(db, id, reason, instance, {
        ...options,
        expiresAt: options.expiresAt ?? new Date(Date.now() + 30 * 86_400_000),
      }),
    bindCredentials: (session, credentials, options) =>
      revocations.bindCredentials(db, session, credentials, options),
    revokedAmong: (digests, now) => revocations.revokedAmong(db, digests, now),
    revokedKeysPage: (options) => revocations.revokedKeysPage(db, options),
    reloginRisk: (options) => revocations.reloginRisk(db, options),
    isRevoked: (id) => sessions.isRevoked(db, id),
    listRevokedSince: (since) => sessions.listRevokedSince(db, since),
    onRevocation: (cb) => db.listen(sessions.REVOCATION_CHANNEL, cb),
    enqueueAlert: (alert) => alerts.enqueueAlert(db, alert),
    claimDueAlerts: (limit, now, channel) =>
      alerts.claimDueAlerts(db, limit, now, channel),
    markAlertSent: (id, now) => alerts.markAlertSent(db, id, now),
    markAlertFailed: (id, error, next) =>
      alerts.markAlertFailed(db, id, error, next),
    setLabel: (session, label, setBy) =>
      sessions.setLabel(db, session, label, setBy),
    listSessions: (options) => sessions.listSessions(db, options),
    getSession: (id) => sessions.getSession(db, id),
    exportLabelledWindows: (options) =>
      windows.exportLabelledWindows(db, options),
    purge: (options) => purge(db, options),
    saveProfile: (profile) => profiles.saveProfile(db, profile),
    getProfile: (identity) => profiles.getProfile(db, identity),
    profileCandidates: (min, options) =>
      profiles.profileCandidates(db, min, options),
    profileWindows: (identity, side, limit, options) =>
      profiles.profileWindows(db, identity, side, limit, options),
    forgetUser: (identity) => profiles.forgetUser(db, identity),
    getSessionState: (session, kind) =>
      fleet.getSessionState(db, session, kind),
    casSessionState: (session, kind, expected, state) =>
      fleet.casSessionState(db, session, kind, expected, state),
    casSessionStates: (items) => fleet.casSessionStates(db, items),
    claimIngestPost: (input) => fleet.claimIngestPost(db, input),
    claimIngestPosts: (batch) => fleet.claimIngestPosts(db, batch),
    hitRateWindow: (key, windowMs, nowMs) =>
      fleet.hitRateWindow(db, key, windowMs, nowMs),
    recordAuthFailure: (client, atMs, windowMs) =>
      fleet.recordAuthFailure(db, client, atMs, windowMs),
    recentAuthFailures: (client, sinceMs, limit) =>
      fleet.recentAuthFailures(db, client, sinceMs, limit),
    reserveAlertMails: (input) => fleet.reserveAlertMails(db, input),
    releaseAlertMails: (at, emails) => fleet.releaseAlertMails(db, at, emails),
  };
}
