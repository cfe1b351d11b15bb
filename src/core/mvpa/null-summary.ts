/**
 * A permutation null distribution in a few numbers for results.json and its plot: mean, SD
 * (ddof 1), the 5th / 50th / 95th percentiles (linear interpolation, NumPy's default) and a
 * 24-bin histogram over [min, max] (NumPy's np.histogram: equal bins, the last one closed). The
 * null scores themselves stay in the cache: 1000 per ROI × target × subject is too many for a
 * results file people open in a browser.
 */
export interface NullSummary {
  n: number;
  mean: number;
  sd: number;
  p05: number;
  p50: number;
  p95: number;
  /** Histogram: `counts[i]` scores in [lo + i·w, lo + (i+1)·w), w = (hi − lo) / counts.length. */
  lo: number;
  hi: number;
  counts: number[];
}

export const NULL_BINS = 24;

/** Percentile q (0–100) of sorted values, linear between order statistics (NumPy 'linear'). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * q) / 100;
  const i = Math.floor(h);
  const lo = sorted[i]!;
  const hi = sorted[Math.min(n - 1, i + 1)]!;
  return lo + (h - i) * (hi - lo);
}

export function summariseNull(values: ArrayLike<number>, bins = NULL_BINS): NullSummary | null {
  const x = Float64Array.from(values).filter((v) => Number.isFinite(v));
  const n = x.length;
  if (n === 0) return null;
  x.sort();
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  let lo = x[0]!, hi = x[n - 1]!;
  if (hi === lo) { lo -= 0.5; hi += 0.5; } // NumPy's range for a constant sample
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const v of x) counts[v >= hi ? bins - 1 : Math.floor((v - lo) / w)]!++;
  return {
    n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN,
    p05: percentileSorted(x, 5), p50: percentileSorted(x, 50), p95: percentileSorted(x, 95),
    lo, hi, counts,
  };
}
