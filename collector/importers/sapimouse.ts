/**
 * SapiMouse (Antal, Fejér & Buza, SACI 2021): browser mouse logs with the header
 * `client timestamp,button,state,x,y`, timestamps in milliseconds.
 */
import type { RawEvent } from "../features.ts";
import { numberField, readCsv, sessionFromPath } from "./_csv.ts";
import type { ImportOptions } from "./_options.ts";

/** The header line that identifies a SapiMouse file. */
export const SAPIMOUSE_HEADER = "client timestamp,button,state,x,y";

const BUTTONS: Record<string, number> = {
  Left: 0,
  Other: 1,
  Middle: 1,
  Right: 2,
};

/**
 * Streams a SapiMouse CSV as raw events: Move and Drag → move, Pressed → down, Released → up.
 * Times are rebased so the first event is at t = 0.
 */
export async function* importSapiMouse(
  path: string,
  options: ImportOptions = {},
): AsyncGenerator<RawEvent> {
  const session = options.session ?? sessionFromPath("sapimouse", path);
  let t0: number | undefined;
  const rows = readCsv(path, {
    required: ["client timestamp", "button", "state", "x", "y"],
  });
  for await (const row of rows) {
    const ms = numberField(row, path, "client timestamp");
    t0 ??= ms;
    const x = numberField(row, path, "x");
    const y = numberField(row, path, "y");
    const state = row.record.state;
    const t = ms - t0;
    if (state === "Move" || state === "Drag") {
      yield { session, t, kind: "move", x, y };
    } else if (state === "Pressed" || state === "Released") {
      const button = BUTTONS[row.record.button];
      if (button === undefined) {
        throw new TypeError(
          `Cannot import "${path}" line ${row.line}: field "button" is not a mouse button`,
        );
      }
      yield {
        session,
        t,
        kind: state === "Pressed" ? "down" : "up",
        x,
        y,
        button,
      };
    } else {
      throw new TypeError(
        `Cannot import "${path}" line ${row.line}: field "state" is not Move, Drag, Pressed or Released`,
      );
    }
  }
}
