/**
 * Owner features: what identifies a person's mouse, for the owner check only (detect/verifier.ts).
 * The bot model's one feature list (features.ts FEATURE_NAMES) is not touched: these are a second,
 * separate vector, computed from the same window of events.
 *
 * As the published Balabit work does (Antal & Egyed-Zsigmond 2019; Ahmed & Traore 2007), a
 * window's pointer events are cut into actions ({@link segmentActions}): a mouse move ends at a
 * pause of more than {@link ACTION_PAUSE_MS}; a press ends the movement before it, and its release
 * closes a point-and-click (moved less than {@link DRAG_MIN_PX} while pressed; the movement before
 * the press is its approach) or a drag-and-drop (the movement while pressed). Each action gets its
 * geometry and timing ({@link actionFeatures}); the window's vector averages them and adds where
 * and how fast the pointer went per direction and per axis, which differ between people (they
 * are left out of the bot model, whose classes must not depend on the page's layout).
 *
 * Privacy: only times and coordinates of pointer events are read; never keys or page content.
 *
 * @module
 */
import type { WindowEvent } from "./features.ts";
import {
  type ActionMeasures,
  type ActionType,
  analyseAction,
  type AnalysedAction,
  DIRECTION_BINS,
  directionBin,
  mean,
  segmentActions,
  std,
  vectorOf,
} from "./owner_actions.ts";

/** The owner feature vector's names, in order. */
export const OWNER_FEATURE_NAMES = [
  "act_count",
  "act_move_share",
  "act_click_share",
  "act_drag_share",
  "act_duration",
  "act_path",
  "act_straightness",
  "act_speed",
  "act_speed_max",
  "act_accel_pos",
  "act_accel_neg",
  "act_curvature",
  "act_deviation",
  "act_peak_time",
  "click_gap",
  "vx_abs",
  "vy_abs",
  "vx_std",
  "vy_std",
  "dir_share_0",
  "dir_share_1",
  "dir_share_2",
  "dir_share_3",
  "dir_share_4",
  "dir_share_5",
  "dir_share_6",
  "dir_share_7",
  "dir_speed_0",
  "dir_speed_1",
  "dir_speed_2",
  "dir_speed_3",
  "dir_speed_4",
  "dir_speed_5",
  "dir_speed_6",
  "dir_speed_7",
] as const;

/** One owner feature's name. */
export type OwnerFeatureName = typeof OWNER_FEATURE_NAMES[number];
/** One window's owner features, NaN where the window has no such evidence. */
export type OwnerFeatures = Record<OwnerFeatureName, number>;

/** A window's owner-check vectors as ingest computes and stores them (migration 007). */
export interface OwnerVectors {
  ownerFeatures?: OwnerFeatures;
  /** The window's action vectors (`extractActionVectors`). */
  ownerActions?: readonly (readonly number[])[];
}

/**
 * A window's owner features from its events (time-ordered): the share of each action type and
 * the mean of each action measure over the window's actions, the mean time from a click's
 * approach to its press, per-axis speed (mean absolute and spread of the x and y velocity), and
 * per direction bin the share of the path moved that way and the mean speed moving that way.
 */
export function extractOwnerFeatures(
  events: readonly WindowEvent[],
): OwnerFeatures {
  return ownerFeaturesOf(segmentActions(events).map(analyseAction));
}

/**
 * A window's owner features and its action vectors ({@link extractActionVectors}) from one
 * reading of its actions: what ingest stores for the owner check.
 */
export function extractOwnerEvidence(
  events: readonly WindowEvent[],
): { features: OwnerFeatures; actions: number[][] } {
  const analysed = segmentActions(events).map(analyseAction);
  return {
    features: ownerFeaturesOf(analysed),
    actions: analysed.map(vectorOf).filter((v) => v !== null),
  };
}

function ownerFeaturesOf(analysed: readonly AnalysedAction[]): OwnerFeatures {
  const actions = analysed.map((a) => a.action);
  const measures = analysed.map((a) => a.measures);
  const share = (type: ActionType) =>
    actions.length > 0
      ? actions.filter((a) => a.type === type).length / actions.length
      : NaN;
  const avg = (key: keyof ActionMeasures) => mean(measures.map((m) => m[key]));
  const vx = analysed.flatMap((a) => a.vx), vy = analysed.flatMap((a) => a.vy);
  const dirPath = new Array(DIRECTION_BINS).fill(0);
  const dirTime = new Array(DIRECTION_BINS).fill(0);
  for (const { pts } of analysed) {
    for (let i = 1; i < pts.length; i++) {
      const dx = pts[i].x - pts[i - 1].x, dy = pts[i].y - pts[i - 1].y;
      const dt = (pts[i].t - pts[i - 1].t) / 1000;
      const d = Math.hypot(dx, dy);
      if (d === 0) continue;
      const bin = directionBin(dx, dy);
      dirPath[bin] += d;
      dirTime[bin] += dt;
    }
  }
  const total = dirPath.reduce((s, d) => s + d, 0);
  const out: Record<string, number> = {
    act_count: actions.length,
    act_move_share: share("move"),
    act_click_share: share("click"),
    act_drag_share: share("drag"),
    act_duration: avg("duration"),
    act_path: avg("path"),
    act_straightness: avg("straightness"),
    act_speed: avg("speed"),
    act_speed_max: avg("speedMax"),
    act_accel_pos: avg("accelPos"),
    act_accel_neg: avg("accelNeg"),
    act_curvature: avg("curvature"),
    act_deviation: avg("deviation"),
    act_peak_time: avg("peakTime"),
    click_gap: mean(
      actions.filter((a) => a.type === "click").map((a) => a.clickGap),
    ),
    vx_abs: mean(vx.map(Math.abs)),
    vy_abs: mean(vy.map(Math.abs)),
    vx_std: std(vx),
    vy_std: std(vy),
  };
  for (let b = 0; b < DIRECTION_BINS; b++) {
    out[`dir_share_${b}`] = total > 0 ? dirPath[b] / total : NaN;
  }
  for (let b = 0; b < DIRECTION_BINS; b++) {
    out[`dir_speed_${b}`] = dirTime[b] > 0 ? dirPath[b] / dirTime[b] : NaN;
  }
  return out as OwnerFeatures;
}
