/**
 * Aalto 136M Keystrokes (Dhakal et al., CHI 2018): tab-separated keydown/keyup times in epoch ms.
 * Only the timing and a coarse key class are kept; the letter, sentence and typed text are
 * dropped on read and never leave this function.
 */
import type { KeyClass, RawEvent } from "../features.ts";
import { type CsvRow, numberField, readCsv } from "./_csv.ts";
import type { ImportOptions } from "./_options.ts";

/** The first header field that identifies an Aalto file (the header is tab-separated). */
export const AALTO_HEADER_START = "PARTICIPANT_ID\tTEST_SECTION_ID";

/**
 * Coarse class of a JavaScript keyCode: Backspace (8) and Delete (46) → backspace; printable
 * keys (space, digits, letters, numpad, punctuation) → char; everything else → other.
 */
export function keyClass(keyCode: number): KeyClass {
  if (keyCode === 8 || keyCode === 46) return "backspace";
  if (
    keyCode === 32 || (keyCode >= 48 && keyCode <= 90) ||
    (keyCode >= 96 && keyCode <= 111) || (keyCode >= 160 && keyCode <= 176) ||
    (keyCode >= 186 && keyCode <= 222)
  ) return "char";
  return "other";
}

/**
 * Streams an Aalto participant file as keydown/keyup events, one session per test section
 * (`<session>/<TEST_SECTION_ID>`). Each press gets an id that pairs its keydown and keyup; times
 * are rebased to the section's first press. Events of a section are sorted by time.
 */
export async function* importAalto(
  path: string,
  options: ImportOptions = {},
): AsyncGenerator<RawEvent> {
  const base = options.session ?? aaltoSession(path);
  let section: string | undefined;
  let presses: Press[] = [];
  const rows = readCsv(path, {
    delimiter: "\t",
    required: ["TEST_SECTION_ID", "PRESS_TIME", "RELEASE_TIME", "KEYCODE"],
  });
  for await (const row of rows) {
    const id = row.record.TEST_SECTION_ID;
    if (id !== section) {
      if (section !== undefined) {
        yield* sectionEvents(`${base}/${section}`, presses);
      }
      section = id;
      presses = [];
    }
    presses.push(readPress(row, path));
  }
  if (section !== undefined) {
    yield* sectionEvents(`${base}/${section}`, presses);
  }
}

/** `aalto/<participant>` from a path like `files/840_keystrokes.txt`. */
function aaltoSession(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  return `aalto/${
    name.replace(/_keystrokes\.txt$/, "").replace(/\.[a-z]+$/i, "")
  }`;
}

interface Press {
  down: number;
  up: number;
  key: KeyClass;
}

function readPress(row: CsvRow, path: string): Press {
  const down = numberField(row, path, "PRESS_TIME");
  const up = numberField(row, path, "RELEASE_TIME");
  const key = keyClass(numberField(row, path, "KEYCODE"));
  return { down, up: Math.max(up, down), key };
}

function sectionEvents(session: string, presses: Press[]): RawEvent[] {
  if (presses.length === 0) return [];
  const t0 = Math.min(...presses.map((p) => p.down));
  const events: RawEvent[] = [];
  presses.forEach((p, id) => {
    events.push({ session, t: p.down - t0, kind: "keydown", key: p.key, id });
    events.push({ session, t: p.up - t0, kind: "keyup", key: p.key, id });
  });
  // Stable sort: a keydown and its keyup at the same ms keep down-before-up order.
  return events.sort((a, b) => a.t - b.t);
}
