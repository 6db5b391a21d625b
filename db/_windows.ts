import {
  ACTION_FEATURE_NAMES,
  FEATURE_NAMES,
  OWNER_FEATURE_NAMES,
} from "../collector/mod.ts";
import { decodeVectors, encodeVectors, toHex } from "./_vectors.ts";
import type { FeatureVector, RawEvent } from "../collector/mod.ts";
import { ident, join, pgArray, sql } from "./_sql.ts";
import type { Driver, Query, Row } from "./_sql.ts";
import type {
  ExportOptions,
  ExportRow,
  Label,
  ProfileWindow,
  StoredRawEvent,
  StoredWindow,
  WindowRow,
} from "./store.ts";

const featureIdents = FEATURE_NAMES.map((name) => ident(name));
const featureList = join(featureIdents);
const featureListW = join(FEATURE_NAMES.map((n) => sql`w.${ident(n)}`));

/** NaN (absent modality) is stored as NULL; see migrations/001_init.ts. */
function toDb(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Reads the feature columns of a row back into a vector, NULL becoming NaN. */
export function readFeatures(row: Row): FeatureVector {
  const out = {} as FeatureVector;
  for (const name of FEATURE_NAMES) {
    const v = row[name];
    out[name] = v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/**
 * A stored window's feature vector with its owner features (migration 007) when it has them, NULL
 * elements becoming NaN: what a profile is trained on.
 */
export function readWindowVector(row: Row): ProfileWindow {
  const features: ProfileWindow = readFeatures(row);
  const vectors = row.owner_vectors;
  if (vectors instanceof Uint8Array || typeof vectors === "string") {
    features.actions = decodeVectors(vectors, ACTION_FEATURE_NAMES.length);
  }
  // PGlite returns the float8[] as an array, postgres.js (no type fetch) as its text '{1,NULL}'.
  const owner = typeof row.owner_features === "string"
    ? row.owner_features.slice(1, -1).split(",").map((v) =>
      v === "NULL" ? null : v
    )
    : row.owner_features;
  if (!Array.isArray(owner)) return features;
  const out: Record<string, unknown> = { ...features };
  OWNER_FEATURE_NAMES.forEach((name, i) => {
    const v = owner[i];
    out[name] = v === null || v === undefined ? NaN : Number(v);
  });
  return out as ProfileWindow;
}

/** The owner features as a Postgres array literal (NULL for missing), or NULL without them. */
function ownerArray(row: WindowRow): string | null {
  const f = row.ownerFeatures;
  return f ? pgArray(OWNER_FEATURE_NAMES.map((name) => toDb(f[name]))) : null;
}

/** The action vectors as hex of their stored bytes (db/_vectors.ts), or NULL without them. */
function vectorsHex(row: WindowRow): string | null {
  return row.ownerActions
    ? toHex(encodeVectors(row.ownerActions, ACTION_FEATURE_NAMES.length))
    : null;
}

function unnestQuery(rows: readonly WindowRow[]): Query {
  const cols = FEATURE_NAMES.map((name) =>
    sql`${pgArray(rows.map((r) => toDb(r.features[name])))}::text::float8[]`
  );
  return sql`select * from unnest(
    ${pgArray(rows.map((r) => r.session))}::text::text[],
    ${pgArray(rows.map((r) => r.seq))}::text::int[],
    ${pgArray(rows.map((r) => r.t0))}::text::float8[],
    ${pgArray(rows.map((r) => r.t1))}::text::float8[],
    ${pgArray(rows.map((r) => r.nEvents))}::text::int[],
    ${
    pgArray(rows.map((r) => r.receivedAt?.toISOString() ?? null))
  }::text::timestamptz[],
    ${pgArray(rows.map(ownerArray))}::text::text[],
    ${pgArray(rows.map(vectorsHex))}::text::text[],
    ${join(cols)}
  ) as u(session, seq, t0, t1, n_events, received_at, owner_features, owner_vectors,
    ${featureList})`;
}

/**
 * Inserts windows with one statement whatever their number (one array parameter per column), and
 * moves each session's last_seen forward in the same statement.
 */
export async function insertWindows(
  db: Driver,
  rows: readonly WindowRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.run(sql`with u as (${unnestQuery(rows)}),
  w as (
    insert into feature_windows (session, seq, t0, t1, n_events, received_at, owner_features,
      owner_vectors, ${featureList})
    select session, seq, t0, t1, n_events, coalesce(received_at, now()),
      owner_features::float8[], decode(owner_vectors, 'hex'), ${featureList}
    from u order by session, seq
    on conflict (session, seq) do nothing
    returning session, received_at
  ),
  s as (
    insert into guard_sessions (id, first_seen, last_seen)
    select session, min(received_at), max(received_at) from w group by session order by session
    on conflict (id) do update
      set last_seen = greatest(guard_sessions.last_seen, excluded.last_seen)
  )
  select count(*)::int as n from w`);
  return Number(result[0].n);
}

/** Stores raw events (only called when RETAIN_RAW is on). */
export async function insertRawEvents(
  db: Driver,
  session: string,
  events: readonly StoredRawEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const rows = await db.run(sql`with r as (
    insert into raw_events (session, t, event)
    select ${session}::text, t, e::jsonb from unnest(
      ${pgArray(events.map((e) => e.t))}::text::float8[],
      ${pgArray(events.map((e) => JSON.stringify(e)))}::text::text[]
    ) as u(t, e)
    returning 1
  ) select count(*)::int as n from r`);
  return Number(rows[0].n);
}

/**
 * A session's raw events in time order; events with the same time keep the order they were
 * stored in (physical order of the insert-only table), so a window's events stay as posted.
 */
export async function listRawEvents(
  db: Driver,
  session: string,
): Promise<RawEvent[]> {
  const rows = await db.run(
    sql`select event from raw_events where session = ${session} order by t, ctid`,
  );
  return rows.map((r) => {
    const event = typeof r.event === "string" ? JSON.parse(r.event) : r.event;
    return { ...event, session } as RawEvent;
  });
}

/** A session's windows, by seq. */
export async function listWindows(
  db: Driver,
  session: string,
): Promise<StoredWindow[]> {
  const rows = await db.run(
    sql`select session, seq, t0, t1, n_events, received_at,
    ${featureList} from feature_windows where session = ${session} order by seq`,
  );
  return rows.map((r) => ({
    session: String(r.session),
    seq: Number(r.seq),
    t0: Number(r.t0),
    t1: Number(r.t1),
    nEvents: Number(r.n_events),
    receivedAt: r.received_at as Date,
    features: readFeatures(r),
  }));
}

/** Labelled windows in (session, seq) order, fetched in keyset-paginated batches. */
export async function* exportLabelledWindows(
  db: Driver,
  options: ExportOptions = {},
): AsyncIterable<ExportRow> {
  const batch = options.batchSize ?? 500;
  const since = options.since?.toISOString() ?? null;
  const label = options.label ?? null;
  let after: [string, number] = ["", -2147483648];
  while (true) {
    const rows = await db.run(
      sql`select w.session, w.seq, l.label, ${featureListW}
      from feature_windows w join labels l on l.session = w.session
      where (w.session, w.seq) > (${after[0]}::text, ${after[1]}::int)
        and (${since}::timestamptz is null or w.received_at >= ${since}::timestamptz)
        and (${label}::text is null or l.label = ${label}::text)
      order by w.session, w.seq limit ${batch}::int`,
    );
    for (const r of rows) {
      yield {
        session: String(r.session),
        seq: Number(r.seq),
        label: r.label as Label,
        features: readFeatures(r),
      };
    }
    if (rows.length < batch) return;
    const last = rows[rows.length - 1];
    after = [String(last.session), Number(last.seq)];
  }
}
