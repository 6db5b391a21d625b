/**
 * Streaming CSV/TSV reading shared by the importers: csv-parse over a file stream, one record at a
 * time with its line number, so a multi-hour recording never sits in memory whole.
 */
import { parse } from "csv-parse";
import { Readable } from "node:stream";

/** One parsed row: column name → text, plus the 1-based line it came from. */
export interface CsvRow {
  record: Record<string, string>;
  line: number;
}

/** Options for {@link readCsv}. */
export interface ReadCsvOptions {
  /** Field separator; "," by default. */
  delimiter?: string;
  /** Columns that must appear in the header. */
  required?: readonly string[];
}

/** Streams the rows of a delimited text file with a header row. */
export async function* readCsv(
  path: string,
  options: ReadCsvOptions = {},
): AsyncGenerator<CsvRow> {
  const file = await Deno.open(path, { read: true });
  const parser = parse({
    columns: true,
    delimiter: options.delimiter ?? ",",
    trim: true,
    skip_empty_lines: true,
    relax_quotes: true,
    quote: options.delimiter === "\t" ? false : '"',
    info: true,
  });
  const source = Readable.fromWeb(file.readable as never);
  source.on("error", (e) => parser.destroy(e));
  source.pipe(parser);
  let checked = false;
  try {
    for await (const item of parser) {
      const { record, info } = item as {
        record: Record<string, string>;
        info: { lines: number };
      };
      if (!checked) {
        checkColumns(path, record, options.required ?? []);
        checked = true;
      }
      yield { record, line: info.lines };
    }
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof TypeError) throw e;
    throw new SyntaxError(`Cannot parse "${path}": ${(e as Error).message}`);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

function checkColumns(
  path: string,
  record: Record<string, string>,
  required: readonly string[],
): void {
  for (const name of required) {
    if (!(name in record)) {
      throw new TypeError(
        `Cannot import "${path}": column "${name}" is missing`,
      );
    }
  }
}

/** Parses a finite number or throws an error naming file, line and field. */
export function numberField(row: CsvRow, path: string, field: string): number {
  const text = row.record[field];
  const value = Number(text);
  if (text === undefined || text === "" || !Number.isFinite(value)) {
    throw new TypeError(
      `Cannot import "${path}" line ${row.line}: field "${field}" is not a number`,
    );
  }
  return value;
}

/** Reads the first line of a file (for format detection), at most 4 KiB. */
export async function readFirstLine(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(4096);
    const n = await file.read(buf) ?? 0;
    const text = new TextDecoder().decode(buf.subarray(0, n));
    return text.split(/\r?\n/, 1)[0].replace(/^\uFEFF/, "");
  } finally {
    file.close();
  }
}

/** A session id from a recording's path: `<prefix>/<parent dir>/<file name>`. */
export function sessionFromPath(prefix: string, path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== "");
  const tail = parts.slice(-2).join("/").replace(/\.(csv|txt|tsv)$/i, "");
  return `${prefix}/${tail}`;
}
