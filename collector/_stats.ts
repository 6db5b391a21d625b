/** Small numeric helpers shared by the feature extractor. Private to collector/. */

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Population standard deviation (divides by n, so one value gives 0); NaN for an empty list. */
export function std(xs: readonly number[]): number {
  const m = mean(xs);
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / xs.length);
}

/** Coefficient of variation std / mean; NaN when empty or when the mean is 0. */
export function cv(xs: readonly number[]): number {
  const m = mean(xs);
  return m > 0 ? std(xs) / m : NaN;
}

/** Differences of consecutive values: [b - a, c - b, …]. */
export function diffs(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < xs.length; i++) out.push(xs[i] - xs[i - 1]);
  return out;
}
