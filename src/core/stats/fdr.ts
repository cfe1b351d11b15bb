/**
 * Benjamini–Hochberg false discovery rate (SCIENCE.md "Multiple comparisons"): q-values as
 * statsmodels' multipletests(p, method='fdr_bh'): sort the p-values, q_(i) = min over j ≥ i of
 * p_(j) / (j / m), capped at 1, back in input order.
 *
 * NaN p-values (a test that could not be computed) are left out of m and get a NaN q-value.
 */
import { DdError } from '../errors.ts';

export interface FdrResult {
  q: Float64Array;
  /** q ≤ alpha (false for NaN). */
  reject: boolean[];
}

export function fdrBh(p: ArrayLike<number>, alpha = 0.05): FdrResult {
  const n = p.length;
  const q = new Float64Array(n).fill(NaN);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = p[i]!;
    if (Number.isNaN(v)) continue;
    if (v < 0 || v > 1) throw new DdError('STATS_BAD_P', `FDR: p-value ${i} is ${v}; p-values lie in [0, 1].`);
    idx.push(i);
  }
  const m = idx.length;
  idx.sort((a, b) => p[a]! - p[b]! || a - b);
  let running = Infinity;
  for (let r = m - 1; r >= 0; r--) {
    const raw = p[idx[r]!]! / ((r + 1) / m);
    running = Math.min(running, raw);
    q[idx[r]!] = Math.min(running, 1);
  }
  const reject = Array.from(q, (v) => v <= alpha);
  return { q, reject };
}
