/**
 * The raw events the detector judges: the collector's {@link WindowEvent} as the server decodes
 * it, widened by the two additions of the raw-ingest protocol (issue 12) so this folder builds
 * before and after they land in collector/features.ts: `pointer` on move/down/up (absent = mouse)
 * and the kind `"focus"` (keyboard/focus navigation, no fields).
 *
 * @module
 */
import type { WindowEvent } from "../collector/mod.ts";

/** How a pointer event was made; absent on an event means `"mouse"`. */
export type PointerKind = "mouse" | "touch" | "pen";

/** One server-decoded event of a window, time-ordered, `t` in ms. */
export type GuardEvent = Omit<WindowEvent, "kind"> & {
  kind: WindowEvent["kind"] | "focus";
  pointer?: PointerKind;
};

/**
 * Whether any pointer event (move, down, up) of the window came from touch or pen. The model's
 * humans are mouse recordings only, so such a window is outside what it has seen.
 */
export function hasTouchOrPen(events: readonly GuardEvent[]): boolean {
  return events.some((e) =>
    (e.kind === "move" || e.kind === "down" || e.kind === "up") &&
    (e.pointer === "touch" || e.pointer === "pen")
  );
}
