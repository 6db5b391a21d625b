/**
 * Balabit Mouse Dynamics Challenge (Fülöp et al. 2016): RDP mouse logs with the header
 * `record timestamp,client timestamp,button,state,x,y`, timestamps in seconds.
 */
import type { RawEvent } from "../features.ts";
import { numberField, readCsv, sessionFromPath } from "./_csv.ts";
import type { ImportOptions } from "./_options.ts";

/** The header line that identifies a Balabit file. */
export const BALABIT_HEADER =
  "record timestamp,client timestamp,button,state,x,y";

/** Coordinates at or above this are the logger's sentinel (65535), not a position. */
export const BALABIT_MAX_COORD = 10_000;

/** One wheel notch, as browsers report it in pixels (WheelEvent.deltaY, line mode × 40 × 3). */
export const WHEEL_NOTCH = 120;

const BUTTONS: Record<string, number> = {
  Left: 0,
  Middle: 1,
  Right: 2,
  XButton: 3,
};

/**
 * Streams a Balabit session as raw events. Move/Drag → move, Pressed/Released → down/up,
 * Scroll Down/Up → wheel with dy +120/−120. Rows with sentinel coordinates are dropped.
 */
export async function* importBalabit(
  path: string,
  options: ImportOptions = {},
): AsyncGenerator<RawEvent> {
  const session = options.session ?? sessionFromPath("balabit", path);
  const rows = readCsv(path, {
    required: ["client timestamp", "button", "state", "x", "y"],
  });
  for await (const row of rows) {
    const t = Math.round(numberField(row, path, "client timestamp") * 1e6) /
      1e3;
    const x = numberField(row, path, "x");
    const y = numberField(row, path, "y");
    if (x >= BALABIT_MAX_COORD || y >= BALABIT_MAX_COORD || x < 0 || y < 0) {
      continue;
    }
    const { button, state } = row.record;
    if (button === "Scroll") {
      if (state !== "Up" && state !== "Down") {
        throw badField(path, row.line, "state");
      }
      yield {
        session,
        t,
        kind: "wheel",
        x,
        y,
        dx: 0,
        dy: state === "Down" ? WHEEL_NOTCH : -WHEEL_NOTCH,
      };
    } else if (state === "Move" || state === "Drag") {
      yield { session, t, kind: "move", x, y };
    } else if (state === "Pressed" || state === "Released") {
      const code = BUTTONS[button];
      if (code === undefined) throw badField(path, row.line, "button");
      yield {
        session,
        t,
        kind: state === "Pressed" ? "down" : "up",
        x,
        y,
        button: code,
      };
    } else {
      throw badField(path, row.line, "state");
    }
  }
}

function badField(path: string, line: number, field: string): TypeError {
  return new TypeError(
    `Cannot import "${path}" line ${line}: field "${field}" has an unknown value`,
  );
}
