import { stringify } from "csv-stringify";
import { FEATURE_NAMES } from "../collector/mod.ts";
import type { ExportOptions, Store } from "./store.ts";

/** The training CSV header: `session,window,<FEATURE_NAMES>,label`. */
export const EXPORT_HEADER: readonly string[] = [
  "session",
  "window",
  ...FEATURE_NAMES,
  "label",
];

/**
 * Streams labelled windows as the CSV `deno task train` reads: window = seq, NaN as an empty cell.
 * Rows come from the store's paginated cursor, through csv-stringify, so memory stays bounded.
 *
 * @returns the number of data rows written
 */
export async function exportCsv(
  store: Store,
  out: WritableStream<Uint8Array>,
  options: ExportOptions = {},
): Promise<number> {
  const writer = out.getWriter();
  const encoder = new TextEncoder();
  const csv = stringify({ header: true, columns: [...EXPORT_HEADER] });
  const done = (async () => {
    for await (const chunk of csv) {
      await writer.write(encoder.encode(String(chunk)));
    }
  })();
  let count = 0;
  try {
    for await (const row of store.exportLabelledWindows(options)) {
      const cells: string[] = [row.session, String(row.seq)];
      for (const name of FEATURE_NAMES) {
        const v = row.features[name];
        cells.push(Number.isFinite(v) ? String(v) : "");
      }
      cells.push(row.label);
      if (!csv.write(cells)) {
        await new Promise((resolve) => csv.once("drain", resolve));
      }
      count++;
    }
  } finally {
    csv.end();
    await done;
    await writer.close();
  }
  return count;
}
