/**
 * Small numeric helpers shared by the feature extractor. Private to collector/. Indexed loops, not
 * for…of: the browser runs these cold (interpreted) once per window, where iterators are slow.
 */

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length > 0 ? s / xs.length : NaN;
}

/** Population standard deviation (divides by n, so one value gives 0); NaN for an empty list. */
export function std(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) * (xs[i] - m);
  return xs.length > 0 ? Math.sqrt(s / xs.length) : NaN;
}

/** Coefficient of variation std / mean; NaN when empty or when the mean is 0. */
export function cv(xs: readonly number[]): number {
  const m = mean(xs);
  return m > 0 ? std(xs) / m : NaN;
}

/** Largest value; NaN for an empty list. */
export function max(xs: readonly number[]): number {
  let m = xs.length > 0 ? xs[0] : NaN;
  for (let i = 1; i < xs.length; i++) if (xs[i] > m) m = xs[i];
  return m;
}

/** Differences of consecutive values: [b - a, c - b, …]. */
export function diffs(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < xs.length; i++) out.push(xs[i] - xs[i - 1]);
  return out;
}

/**
 * Share of intervals within ±1 ms of the most common whole-millisecond interval (ties: the
 * shortest); NaN for fewer than 4 intervals. Event timing through a real device is quantised (a
 * mouse reports every 8 ms, a browser delivers pointer moves once per frame), so a person's
 * intervals pile up on one period; a generator that draws each interval from a continuous
 * distribution spreads them.
 */
export function modeShare(intervals: readonly number[]): number {
  if (intervals.length < 4) return NaN;
  const counts = new Map<number, number>();
  let best = 0, mode = Infinity;
  for (let i = 0; i < intervals.length; i++) {
    const k = Math.round(intervals[i]);
    const c = (counts.get(k) ?? 0) + 1;
    counts.set(k, c);
    if (c > best || (c === best && k < mode)) [best, mode] = [c, k];
  }
  let near = 0;
  for (let i = 0; i < intervals.length; i++) {
    if (Math.abs(intervals[i] - mode) <= 1) near++;
  }
  return near / intervals.length;
}
