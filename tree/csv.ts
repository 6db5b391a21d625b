/**
 * Reading a training/evaluation CSV into a {@link Dataset} with csv-parse, streaming, with the
 * file's sha256. Every bad cell is reported as `file:line: column "name": reason`.
 *
 * @module
 */
import { parse } from "csv-parse";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Dataset } from "./types.ts";

/** Columns dropped by default when present: identifiers and provenance, not features. */
export const DEFAULT_DROP = [
  "session",
  "window",
  "group",
  "source",
  "kind",
] as const;

/** Options of {@link readCsvDataset}. */
export interface CsvOptions {
  /** Label column (default "label"). */
  label?: string;
  /** Columns that are not features (default {@link DEFAULT_DROP}, those present). */
  drop?: readonly string[];
  /** Column whose value groups rows for cross-validation (default "session" when present, "" for none). */
  group?: string;
  /** Take exactly these feature columns in this order (e.g. a model's); others are ignored. */
  features?: readonly string[];
  /** Called now and then with rows and bytes read so far, for progress on large files. */
  onProgress?: (rows: number, bytes: number, totalBytes: number) => void;
}

/** A dataset read from CSV, with its group per row (if any) and the file's sha256. */
export interface CsvDataset {
  dataset: Dataset;
  /** Group value per row, or undefined when no group column is used. */
  groups?: string[];
  /** sha256 (hex) of the file bytes. */
  sha256: string;
}

interface Layout {
  featureCols: number[];
  features: string[];
  labelCol: number;
  groupCol: number;
}

function layoutOf(path: string, header: string[], o: CsvOptions): Layout {
  const label = o.label ?? "label";
  const labelCol = header.indexOf(label);
  if (labelCol < 0) {
    throw new TypeError(
      `Cannot read "${path}": label column "${label}" is missing`,
    );
  }
  const group = o.group ?? (header.includes("session") ? "session" : "");
  const groupCol = group === "" ? -1 : header.indexOf(group);
  if (group !== "" && groupCol < 0) {
    throw new TypeError(
      `Cannot read "${path}": group column "${group}" is missing`,
    );
  }
  let features: string[];
  if (o.features) {
    features = [...o.features];
    for (const f of features) {
      if (!header.includes(f)) {
        throw new TypeError(`Cannot read "${path}": feature "${f}" is missing`);
      }
    }
  } else {
    const drop = new Set([...(o.drop ?? DEFAULT_DROP), label, group]);
    features = header.filter((h) => !drop.has(h));
  }
  if (features.length === 0) {
    throw new TypeError(`Cannot read "${path}": no feature columns`);
  }
  return {
    featureCols: features.map((f) => header.indexOf(f)),
    features,
    labelCol,
    groupCol,
  };
}

/** Parses one cell: empty or "NaN" is missing, otherwise a finite number or an error. */
function cellValue(cell: string, where: () => string): number {
  if (cell === "" || cell.toLowerCase() === "nan") return NaN;
  const v = Number(cell);
  if (!Number.isFinite(v) || cell.trim() === "") {
    const shown = cell.length > 20 ? cell.slice(0, 20) + "…" : cell;
    throw new SyntaxError(`${where()}: value "${shown}" is not a number`);
  }
  return v;
}

/**
 * Streams a CSV (header row first) into a dataset. Classes are the sorted distinct labels.
 * Throws SyntaxError naming file, line and column for a bad cell, TypeError for missing columns.
 */
export async function readCsvDataset(
  path: string,
  options: CsvOptions = {},
): Promise<CsvDataset> {
  const totalBytes = (await Deno.stat(path)).size;
  const hash = createHash("sha256");
  const stream = createReadStream(path);
  stream.on("data", (chunk) => hash.update(chunk as Uint8Array));
  const parser = stream.pipe(
    parse({ info: true, skip_empty_lines: true, trim: false }),
  );
  let layout: Layout | undefined;
  let header: string[] = [];
  let values = new Float32Array(1 << 16);
  const labels: string[] = [];
  const groups: string[] = [];
  let rows = 0;
  let lastReport = Date.now();
  try {
    for await (
      const { record, info } of parser as AsyncIterable<
        { record: string[]; info: { lines: number } }
      >
    ) {
      if (!layout) {
        header = record.map((h) => h.trim());
        layout = layoutOf(path, header, options);
        continue;
      }
      const F = layout.features.length;
      if (values.length < (rows + 1) * F) {
        const bigger = new Float32Array(values.length * 2);
        bigger.set(values);
        values = bigger;
      }
      for (let k = 0; k < F; k++) {
        const col = layout.featureCols[k];
        values[rows * F + k] = cellValue(
          record[col],
          () => `${path}:${info.lines}: column "${header[col]}" (${col + 1})`,
        );
      }
      const label = record[layout.labelCol];
      if (label === "") {
        throw new SyntaxError(
          `${path}:${info.lines}: column "${header[layout.labelCol]}" (${
            layout.labelCol + 1
          }): label is empty`,
        );
      }
      labels.push(label);
      if (layout.groupCol >= 0) groups.push(record[layout.groupCol]);
      rows++;
      if (options.onProgress && Date.now() - lastReport > 1000) {
        lastReport = Date.now();
        options.onProgress(rows, stream.bytesRead, totalBytes);
      }
    }
  } catch (err) {
    stream.destroy();
    throw csvError(path, err);
  }
  if (!layout) {
    throw new SyntaxError(`${path}:1: the file is empty (no header row)`);
  }
  if (rows === 0) {
    throw new SyntaxError(`${path}:2: the file has a header but no rows`);
  }
  return {
    dataset: toDataset(layout.features, values, rows, labels),
    groups: layout.groupCol >= 0 ? groups : undefined,
    sha256: hash.digest("hex"),
  };
}

function csvError(path: string, err: unknown): Error {
  if (err instanceof SyntaxError || err instanceof TypeError) return err;
  const e = err as { code?: string; lines?: number; message?: string };
  if (e.code?.startsWith("CSV_")) {
    return new SyntaxError(`${path}:${e.lines ?? "?"}: ${e.message}`);
  }
  return err as Error;
}

function toDataset(
  features: string[],
  rowMajor: Float32Array,
  n: number,
  labels: string[],
): Dataset {
  const F = features.length;
  const X = new Float32Array(n * F);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) X[f * n + r] = rowMajor[r * F + f];
  }
  const classes = [...new Set(labels)].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = Int32Array.from(labels, (l) => index.get(l)!);
  return { features, X, nRows: n, y, classes };
}
