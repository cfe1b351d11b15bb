/**
 * Group-level tests of subject scores against chance (SCIENCE.md "Group level"), each matching
 * SciPy 1.10 on the same input:
 *
 *  - `ttest1samp`: scipy.stats.ttest_1samp(x, popmean, alternative) (default one-sided 'greater').
 *  - `wilcoxon`: scipy.stats.wilcoxon(x − popmean, zero_method, correction, alternative, method)
 *    with SciPy 1.10's choice of method under 'auto': exact when n ≤ 50 and no difference is zero
 *    (ties do not switch it: the rank sum is then truncated to an integer, as SciPy does), else
 *    the normal approximation with the tie correction.
 *  - `signFlipTest`: scipy.stats.permutation_test((x − popmean,), mean, permutation_type='samples')
 *    — every subject's sign flipped at random; exact enumeration of all 2^n sign vectors when
 *    2^n ≤ N (p = #{null ≥ obs} / 2^n), else N random ones from the seeded Rng
 *    (p = (1 + #{null ≥ obs}) / (1 + N)); ties within SciPy's relative 1e-14.
 *  - `cohensD`: (mean − popmean) / SD (ddof 1).
 *
 * Call `await statsReady()` (./distributions.ts) once before the t-test or Wilcoxon's normal
 * approximation.
 */
import { DdError } from '../errors.ts';
import { Rng } from '../random.ts';
import { midRanks } from '../mvpa/metrics.ts';
import { normalCdf, normalSf, tSf, tCdf } from './distributions.ts';

export type Alternative = 'greater' | 'less' | 'two-sided';

function finiteData(x: ArrayLike<number>, what: string, min: number): Float64Array {
  const a = Float64Array.from(x as ArrayLike<number>);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new DdError('STATS_NAN', `${what}: value ${i} is ${a[i]}; group tests need finite subject scores (leave failed subjects out).`);
  }
  if (a.length < min) throw new DdError('STATS_TOO_FEW', `${what}: ${a.length} value(s); the test needs at least ${min}.`);
  return a;
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

function sd1(a: Float64Array, m: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i]! - m; s += d * d; }
  return Math.sqrt(s / (a.length - 1));
}

export interface TTestResult {
  t: number;
  df: number;
  pValue: number;
  mean: number;
  sd: number;
  n: number;
}

/** One-sample t-test of mean(x) against popmean. A constant sample gives t = ±∞ (p 0 / 1) or NaN, as SciPy. */
export function ttest1samp(x: ArrayLike<number>, popmean = 0, alternative: Alternative = 'greater'): TTestResult {
  const a = finiteData(x, 't-test', 2);
  const n = a.length;
  const m = mean(a);
  const sd = sd1(a, m);
  const d = m - popmean;
  const t = d / (sd / Math.sqrt(n));
  const df = n - 1;
  let pValue: number;
  if (alternative === 'greater') pValue = tSf(t, df);
  else if (alternative === 'less') pValue = tCdf(t, df);
  else pValue = 2 * tSf(Math.abs(t), df);
  return { t, df, pValue, mean: m, sd, n };
}

/** Cohen's d of a one-sample design: (mean − popmean) / SD (ddof 1). */
export function cohensD(x: ArrayLike<number>, popmean = 0): number {
  const a = finiteData(x, "Cohen's d", 2);
  const m = mean(a);
  return (m - popmean) / sd1(a, m);
}

export interface WilcoxonOptions {
  popmean?: number;
  alternative?: Alternative;
  zeroMethod?: 'wilcox' | 'pratt' | 'zsplit';
  correction?: boolean;
  method?: 'auto' | 'exact' | 'approx';
}

export interface WilcoxonResult {
  /** r_plus for one-sided tests, min(r_plus, r_minus) for two-sided (as SciPy). */
  statistic: number;
  pValue: number;
  method: 'exact' | 'approx';
  /** z of the normal approximation (null for exact). */
  z: number | null;
  n: number;
}

/** Counts of r_plus = 0..n(n+1)/2 over the 2^n sign vectors (exact in f64 for n ≤ 50). */
export function wilcoxonCounts(n: number): Float64Array {
  let c = new Float64Array([1]);
  for (let k = 1; k <= n; k++) {
    const next = new Float64Array((k * (k + 1)) / 2 + 1);
    for (let r = 0; r < c.length; r++) { next[r] += c[r]!; next[r + k] += c[r]!; }
    c = next;
  }
  return c;
}

export function wilcoxon(x: ArrayLike<number>, opts: WilcoxonOptions = {}): WilcoxonResult {
  const alternative = opts.alternative ?? 'greater';
  const zeroMethod = opts.zeroMethod ?? 'wilcox';
  const popmean = opts.popmean ?? 0;
  let d = finiteData(x, 'Wilcoxon signed-rank test', 1).map((v) => v - popmean);
  let mode: 'exact' | 'approx' = opts.method === 'exact' ? 'exact' : opts.method === 'approx' ? 'approx' : d.length <= 50 ? 'exact' : 'approx';
  let nZero = 0;
  for (const v of d) if (v === 0) nZero++;
  if (nZero > 0 && mode === 'exact') mode = 'approx';
  if (mode === 'approx') {
    if ((zeroMethod === 'wilcox' || zeroMethod === 'pratt') && nZero === d.length) {
      throw new DdError('STATS_ALL_ZERO', `Wilcoxon signed-rank test: every score equals ${popmean} (chance); the test is undefined. Report the scores without a test.`);
    }
    if (zeroMethod === 'wilcox') d = d.filter((v) => v !== 0);
  }
  const count = d.length;
  let r = midRanks(d.map(Math.abs));
  let rPlus = 0, rMinus = 0, rZero = 0;
  for (let i = 0; i < count; i++) {
    if (d[i]! > 0) rPlus += r[i]!;
    else if (d[i]! < 0) rMinus += r[i]!;
    else rZero += r[i]!;
  }
  if (zeroMethod === 'zsplit') { rPlus += rZero / 2; rMinus += rZero / 2; }
  const T = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;

  if (mode === 'approx') {
    let mn = count * (count + 1) * 0.25;
    let se = count * (count + 1) * (2 * count + 1);
    if (zeroMethod === 'pratt') {
      r = r.filter((_, i) => d[i] !== 0);
      mn -= nZero * (nZero + 1) * 0.25;
      se -= nZero * (nZero + 1) * (2 * nZero + 1);
    }
    // Tie correction over repeated ranks.
    const reps = new Map<number, number>();
    for (const v of r) reps.set(v, (reps.get(v) ?? 0) + 1);
    for (const t of reps.values()) if (t > 1) se -= 0.5 * (t * (t * t - 1));
    se = Math.sqrt(se / 24);
    let cc = 0;
    if (opts.correction) cc = alternative === 'two-sided' ? 0.5 * Math.sign(T - mn) : alternative === 'less' ? -0.5 : 0.5;
    const z = (T - mn - cc) / se;
    const pValue = alternative === 'two-sided' ? 2 * normalSf(Math.abs(z)) : alternative === 'greater' ? normalSf(z) : normalCdf(z);
    return { statistic: T, pValue, method: 'approx', z, n: count };
  }

  if (count > 50) throw new DdError('STATS_TOO_MANY', `Wilcoxon exact p-value for ${count} values: use method 'approx' (or 'auto') above 50.`);
  const counts = wilcoxonCounts(count);
  const total = 2 ** count;
  const rp = Math.trunc(rPlus);
  const sum = (lo: number, hi: number) => { let s = 0; for (let i = lo; i <= hi; i++) s += counts[i]!; return s; };
  let pValue: number;
  const last = counts.length - 1;
  if (alternative === 'two-sided') {
    if (rp === Math.floor(last / 2)) pValue = 1;
    else pValue = (2 * Math.min(sum(rp, last), sum(0, rp))) / total;
  } else if (alternative === 'greater') pValue = sum(rp, last) / total;
  else pValue = sum(0, rp) / total;
  return { statistic: T, pValue: Math.min(1, Math.max(0, pValue)), method: 'exact', z: null, n: count };
}

export interface SignFlipOptions {
  popmean?: number;
  alternative?: Alternative;
  /** Random sign vectors when 2^n exceeds this (default 10000); exact enumeration otherwise. */
  permutations?: number;
  seed?: number;
}

export interface SignFlipResult {
  /** mean(x − popmean). */
  statistic: number;
  pValue: number;
  exact: boolean;
  /** Sign vectors evaluated (2^n when exact). */
  nResamples: number;
}

export function signFlipTest(x: ArrayLike<number>, opts: SignFlipOptions = {}): SignFlipResult {
  const popmean = opts.popmean ?? 0;
  const d = finiteData(x, 'sign-flip test', 1).map((v) => v - popmean);
  const n = d.length;
  const N = opts.permutations ?? 10000;
  if (!Number.isInteger(N) || N < 1) throw new DdError('ARGS_BAD_VALUE', `sign-flip test: permutations must be a whole number ≥ 1, got ${N}.`);
  const alternative = opts.alternative ?? 'greater';
  let obsSum = 0;
  for (const v of d) obsSum += v;
  const observed = obsSum / n;
  const eps = 1e-14;
  const gamma = Math.max(eps, Math.abs(eps * observed));
  let nLess = 0, nGreater = 0;
  const tally = (s: number) => {
    const m = s / n;
    if (m <= observed + gamma) nLess++;
    if (m >= observed - gamma) nGreater++;
  };
  const exact = n <= 30 && 2 ** n <= N;
  let nResamples: number;
  if (exact) {
    nResamples = 2 ** n;
    for (let mask = 0; mask < nResamples; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (mask >>> i) & 1 ? -d[i]! : d[i]!;
      tally(s);
    }
  } else {
    nResamples = N;
    const rng = new Rng(opts.seed ?? 0, 0);
    for (let b = 0; b < N; b++) {
      let s = 0;
      let bits = 0;
      for (let i = 0; i < n; i++) {
        if (i % 32 === 0) bits = rng.nextU32();
        s += (bits >>> (i % 32)) & 1 ? -d[i]! : d[i]!;
      }
      tally(s);
    }
  }
  const adj = exact ? 0 : 1;
  const pLess = (nLess + adj) / (nResamples + adj);
  const pGreater = (nGreater + adj) / (nResamples + adj);
  const p = alternative === 'greater' ? pGreater : alternative === 'less' ? pLess : 2 * Math.min(pLess, pGreater);
  return { statistic: observed, pValue: Math.min(1, Math.max(0, p)), exact, nResamples };
}
