/**
 * Importers for public human recordings, read in place into the public raw event format
 * ({@link RawEvent}, one JSON object per line when written out). Each format is streamed with
 * csv-parse; key values are never read into an event.
 *
 * ```ts
 * import { importRecording } from "./collector/importers/mod.ts";
 * for await (const e of importRecording("../shared/datasets/sapimouse/raw/user1/session_2020_05_28_1min.csv")) {
 *   console.log(JSON.stringify(e));
 * }
 * ```
 *
 * @module
 */
import type { RawEvent } from "../features.ts";
import { readFirstLine } from "./_csv.ts";
import { AALTO_HEADER_START, importAalto } from "./aalto.ts";
import { BALABIT_HEADER, importBalabit } from "./balabit.ts";
import { importSapiMouse, SAPIMOUSE_HEADER } from "./sapimouse.ts";
import type { ImportOptions } from "./_options.ts";

export type { ImportOptions } from "./_options.ts";
export { AALTO_HEADER_START, importAalto, keyClass } from "./aalto.ts";
export {
  BALABIT_HEADER,
  BALABIT_MAX_COORD,
  importBalabit,
  WHEEL_NOTCH,
} from "./balabit.ts";
export { importSapiMouse, SAPIMOUSE_HEADER } from "./sapimouse.ts";

/** A recording format the importers understand. */
export type RecordingFormat = "sapimouse" | "balabit" | "aalto";

/** The shared datasets folder: `../shared/datasets` relative to the repository root. */
export const DEFAULT_DATASETS_ROOT: string =
  new URL("../../../shared/datasets", import.meta.url)
    .pathname;

/** Detects a recording's format from its header line, or throws naming the file. */
export async function detectFormat(path: string): Promise<RecordingFormat> {
  const header = (await readFirstLine(path)).trim();
  if (header === SAPIMOUSE_HEADER) return "sapimouse";
  if (header === BALABIT_HEADER) return "balabit";
  if (header.startsWith(AALTO_HEADER_START)) return "aalto";
  throw new SyntaxError(
    `Cannot import "${path}" line 1: header is not SapiMouse, Balabit or Aalto`,
  );
}

/** Streams any supported recording as raw events, choosing the importer by the header. */
export async function* importRecording(
  path: string,
  options: ImportOptions = {},
): AsyncGenerator<RawEvent> {
  const format = await detectFormat(path);
  if (format === "sapimouse") yield* importSapiMouse(path, options);
  else if (format === "balabit") yield* importBalabit(path, options);
  else yield* importAalto(path, options);
}
