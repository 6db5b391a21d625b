/**
 * The labelled dataset: human windows from public recordings (SapiMouse, Balabit) and bot windows
 * from the generators, as rows `session,window,<FEATURE_NAMES>,label,kind,source,group`.
 */
import {
  extractFeatures,
  FEATURE_NAMES,
  type RawEvent,
  windowEvents,
} from "../../collector/mod.ts";
import { importRecording } from "../../collector/importers/mod.ts";
import { stringify } from "csv-stringify/sync";
import { BOT_KINDS, type BotKind, generateBotSession } from "../bots/bots.ts";
import {
  BOT_FAMILIES,
  FAMILY_SESSION_FACTOR,
  generateFamilySession,
} from "../bots/families.ts";
import { deriveSeed } from "../bots/prng.ts";

/** Columns after the features. */
export const EXTRA_COLUMNS = ["label", "kind", "source", "group"] as const;

/** The CSV header: session, window, every feature in order, then {@link EXTRA_COLUMNS}. */
export const CSV_HEADER: readonly string[] = [
  "session",
  "window",
  ...FEATURE_NAMES,
  ...EXTRA_COLUMNS,
];

/** Who a session's windows belong to. */
export interface SessionMeta {
  session: string;
  label: "human" | "bot";
  /** Human source (sapimouse, balabit) or bot kind. */
  kind: string;
  /** Where the events came from: a dataset name, "sim" or "chromium". */
  source: string;
  /** Person id for humans, session id for bots (the unit of grouped CV). */
  group: string;
}

/** One dataset row: a window's features plus its labels. */
export interface DatasetRow extends SessionMeta {
  window: number;
  features: number[];
}

/** Options for {@link sessionRows}. */
export interface WindowingOptions {
  /** Window length, ms (default 5000). */
  windowMs?: number;
  /** Keep at most this many windows, evenly spaced over the session (default 40). */
  maxWindows?: number;
  /**
   * Drop windows with fewer pointer events (move, down, up, wheel) than this (default 0). The
   * builder uses 1: the human recordings are mouse-only, so a pointer-less bot window would teach
   * "no mouse → bot", an artefact of the data, not of behaviour.
   */
  minPointerEvents?: number;
}

const POINTER_KINDS = new Set(["move", "down", "up", "wheel"]);

/** Windows one session's events and extracts each window's features. */
export function sessionRows(
  events: readonly RawEvent[],
  meta: SessionMeta,
  options: WindowingOptions = {},
): DatasetRow[] {
  const windowMs = options.windowMs ?? 5000;
  const minPointer = options.minPointerEvents ?? 0;
  const windows = pointerWindows(events, {
    windowMs,
    minPointerEvents: minPointer,
  });
  const picked = evenlySpaced(windows.length, options.maxWindows ?? 40);
  return picked.map((i) => ({
    ...meta,
    window: i,
    features: FEATURE_NAMES.map((name) =>
      extractFeatures(windows[i], { windowMs })[name]
    ),
  }));
}

/** The product's windows of a recording, those with at least `minPointerEvents` pointer events. */
export function pointerWindows<E extends RawEvent>(
  events: readonly E[],
  options: { windowMs: number; minPointerEvents: number },
): E[][] {
  return windowEvents(events, { windowMs: options.windowMs }).filter((w) =>
    w.filter((e) => POINTER_KINDS.has(e.kind)).length >=
      options.minPointerEvents
  );
}

/** Indices 0..n-1, or `max` of them evenly spaced when n > max. */
export function evenlySpaced(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
}

/** Lists recording files under a folder, recursively (following symlinks), sorted (deterministic order). */
export async function listFiles(dir: string, match: RegExp): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    // A symlink counts as what it points at (sim/users/users_split.ts links recordings in place).
    const kind = entry.isSymlink ? await Deno.stat(path) : entry;
    if (kind.isDirectory) out.push(...await listFiles(path, match));
    else if (kind.isFile && match.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Reads a whole recording into memory (one session at a time). */
export async function readRecording(
  path: string,
  session: string,
): Promise<RawEvent[]> {
  const events: RawEvent[] = [];
  for await (const e of importRecording(path, { session })) events.push(e);
  return events;
}

/** Rows of one human recording; person = `<source>/<user folder>`. */
export async function humanRows(
  path: string,
  source: string,
  options: WindowingOptions = {},
): Promise<DatasetRow[]> {
  const parts = path.split("/");
  const person = `${source}/${parts[parts.length - 2]}`;
  const session = `${person}/${parts[parts.length - 1].replace(/\.csv$/, "")}`;
  const events = await readRecording(path, session);
  return sessionRows(events, {
    session,
    label: "human",
    kind: source,
    source,
    group: person,
  }, options);
}

/** Rows of `perKind` synthetic sessions of each bot kind, seeded from `seed`. */
export function botRows(
  seed: number,
  perKind: number,
  options: WindowingOptions = {},
  kinds: readonly BotKind[] = BOT_KINDS,
): DatasetRow[] {
  const rows: DatasetRow[] = [];
  for (const kind of kinds) {
    for (let i = 0; i < perKind; i++) {
      const session = `sim/${kind}/${i}`;
      const events = generateBotSession(kind, deriveSeed(seed, session), {
        session,
      });
      rows.push(
        ...sessionRows(events, {
          session,
          label: "bot",
          kind,
          source: "sim",
          group: session,
        }, options),
      );
    }
  }
  return rows;
}

/**
 * Rows of `perFamily` sessions of every randomised family (sim/bots/families.ts), times the
 * family's {@link FAMILY_SESSION_FACTOR}.
 */
export function familyRows(
  seed: number,
  perFamily: number,
  options: WindowingOptions = { maxWindows: 40, minPointerEvents: 1 },
): DatasetRow[] {
  const rows: DatasetRow[] = [];
  for (const family of BOT_FAMILIES) {
    const n = Math.round(perFamily * (FAMILY_SESSION_FACTOR[family] ?? 1));
    for (let i = 0; i < n; i++) {
      const s = deriveSeed(seed, `${family}/${i}`);
      const session = `sim/${family}/${i}`;
      rows.push(
        ...sessionRows(generateFamilySession(family, s, { session }), {
          session,
          label: "bot",
          kind: family,
          source: "sim",
          group: session,
        }, options),
      );
    }
  }
  return rows;
}

function cell(v: number): string {
  if (Number.isNaN(v)) return "";
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** Formats rows as CSV text with {@link CSV_HEADER}; NaN becomes an empty cell. */
export function toCsv(rows: readonly DatasetRow[]): string {
  const records = rows.map((
    r,
  ) => [
    r.session,
    String(r.window),
    ...r.features.map(cell),
    r.label,
    r.kind,
    r.source,
    r.group,
  ]);
  return stringify([CSV_HEADER as string[], ...records]);
}
