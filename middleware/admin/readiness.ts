/**
 * "Ready to enforce?" as a number: the human false-positive rate estimated from the sessions an
 * operator labelled `human`, with a Wilson score interval, since a handful of labels says little
 * and the normal approximation fails exactly where it matters (0 of n flagged).
 *
 * @module
 */

/** A proportion with its confidence interval. */
export interface Proportion {
  k: number;
  n: number;
  /** k / n, or null when n = 0. */
  rate: number | null;
  low: number | null;
  high: number | null;
}

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of k successes in n trials (Wilson 1927; Agresti & Coull 1998
 * recommend it for small n and rates near 0).
 */
export function wilson(k: number, n: number, z = Z95): Proportion {
  if (n === 0) return { k, n, rate: null, low: null, high: null };
  const p = k / n;
  const z2 = z * z;
  const d = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / d;
  const half = (z / d) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {
    k,
    n,
    rate: p,
    low: Math.max(0, center - half),
    high: Math.min(1, center + half),
  };
}

/** The readiness verdict: the estimate, the target, and what is missing. */
export interface Readiness {
  fpr: Proportion;
  target: number;
  ready: boolean;
  /**
   * Human sessions still to label (none of them flagged) before the interval's upper bound could
   * fall under the target; 0 when ready, null when no number of clean labels would do.
   */
  moreLabels: number | null;
}

/**
 * Ready when the upper bound of the 95 % interval of the human false-positive rate is under
 * `target` (default 1 %).
 */
export function readiness(
  flaggedHumans: number,
  humans: number,
  target = 0.01,
): Readiness {
  const fpr = wilson(flaggedHumans, humans);
  const ready = fpr.high !== null && fpr.high < target;
  if (ready) return { fpr, target, ready, moreLabels: 0 };
  let more: number | null = null;
  for (let m = 1; m <= 1_000_000; m *= 2) {
    if (wilson(flaggedHumans, humans + m).high! < target) {
      let lo = m / 2;
      let hi = m;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (wilson(flaggedHumans, humans + mid).high! < target) hi = mid;
        else lo = mid;
      }
      more = hi;
      break;
    }
  }
  return { fpr, target, ready, moreLabels: more };
}
