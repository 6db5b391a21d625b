/**
 * Owner-check windows for tests: every movement feature missing but the speed, and a number of
 * identical actions whose duration is the one action value that differs between people.
 *
 * @module
 */
import {
  ACTION_FEATURE_NAMES,
  FEATURE_NAMES,
  type FeatureVector,
} from "../collector/mod.ts";
import type { OwnerWindow } from "./owner_model.ts";

/** A window with pointer evidence: speed_mean as given and `n` actions of `duration` s. */
export function ownerTestWindow(
  speed: number,
  duration: number,
  n: number,
): OwnerWindow {
  const v = Object.fromEntries(FEATURE_NAMES.map((f) => [f, Number.NaN]));
  const action = ACTION_FEATURE_NAMES.map((f) =>
    f === "duration" ? duration : f === "type" ? 0 : 1
  );
  return {
    ...v as FeatureVector,
    speed_mean: speed,
    interval_mean: 16,
    click_count: 0,
    scroll_speed: 0,
    actions: Array.from({ length: n }, () => action),
  };
}

/** 0, 1, …, n − 1. */
export const range = (n: number): number[] =>
  Array.from({ length: n }, (_, i) => i);
