/**
 * Feature scaling and Gram matrices (SCIENCE.md "Trial patterns": feature scaling; ARCHITECTURE.md
 * "Decoders in the dual").
 *
 *  - `within-run` (default): every feature z-scored across the samples of each run (mean 0, SD 1
 *    with ddof 0, as StandardScaler; a constant feature is only centred). Label-free, so one Gram
 *    matrix serves every fold and every permutation.
 *  - `train-fold`: a StandardScaler fitted on the training samples of each fold only and applied
 *    to its train and test samples: one Gram matrix per fold.
 *  - `none`: the features as given.
 *
 * Scaled features are f64 (means and SDs accumulated in f64); K = X Xᵀ is f64.
 */
import { DdError } from '../errors.ts';

export type Scaling = 'within-run' | 'train-fold' | 'none';
export const SCALINGS: readonly Scaling[] = ['within-run', 'train-fold', 'none'];

/** K (n × n f64, row-major) = X Xᵀ for X (n × p, row-major). Hosts may plug a wasm version. */
export type GramFn = (X: Float64Array, n: number, p: number) => Float64Array;

/** Column mean and scale (SD with ddof 0; 1 where the SD is 0, as StandardScaler) over `rows`. */
export function fitScaler(X: ArrayLike<number>, p: number, rows: ArrayLike<number>): { mean: Float64Array; scale: Float64Array } {
  const m = rows.length;
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  for (let r = 0; r < m; r++) {
    const o = rows[r]! * p;
    for (let j = 0; j < p; j++) mean[j] += X[o + j]!;
  }
  for (let j = 0; j < p; j++) mean[j] /= m;
  for (let r = 0; r < m; r++) {
    const o = rows[r]! * p;
    for (let j = 0; j < p; j++) { const d = X[o + j]! - mean[j]!; scale[j] += d * d; }
  }
  for (let j = 0; j < p; j++) {
    const v = scale[j]! / m;
    // StandardScaler's _is_constant_feature: a variance at rounding level counts as zero.
    const bound = m * Number.EPSILON * v + (m * mean[j]! * Number.EPSILON) ** 2;
    scale[j] = v <= bound ? 1 : Math.sqrt(v);
  }
  return { mean, scale };
}

/** out[rows] = (X[rows] − mean) / scale. */
export function applyScaler(
  X: ArrayLike<number>, p: number, rows: ArrayLike<number>, s: { mean: Float64Array; scale: Float64Array }, out: Float64Array,
): void {
  for (let r = 0; r < rows.length; r++) {
    const o = rows[r]! * p;
    for (let j = 0; j < p; j++) out[o + j] = (X[o + j]! - s.mean[j]!) / s.scale[j]!;
  }
}

/** Rows of each group (dense codes 0..G−1). */
export function rowsByGroup(groups: Int32Array | null, n: number): Int32Array[] {
  if (!groups) return [Int32Array.from({ length: n }, (_, i) => i)];
  let g = 0;
  for (let i = 0; i < n; i++) g = Math.max(g, groups[i]! + 1);
  const lists: number[][] = Array.from({ length: g }, () => []);
  for (let i = 0; i < n; i++) lists[groups[i]!]!.push(i);
  return lists.filter((l) => l.length > 0).map((l) => Int32Array.from(l));
}

/** Z-scores every feature within each group. */
export function zscoreWithinGroups(X: ArrayLike<number>, n: number, p: number, groups: Int32Array | null): Float64Array {
  const out = new Float64Array(n * p);
  for (const rows of rowsByGroup(groups, n)) applyScaler(X, p, rows, fitScaler(X, p, rows), out);
  return out;
}

/** X as f64 (a copy). */
export function toF64(X: ArrayLike<number>, n: number, p: number): Float64Array {
  const out = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) out[i] = X[i]!;
  return out;
}

/** K = X Xᵀ in f64 (lower triangle in 4-row blocks, mirrored: exactly symmetric). */
export const gramF64: GramFn = (X, n, p) => {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * p;
    let j = 0;
    for (; j + 3 <= i; j += 4) {
      const o0 = j * p, o1 = o0 + p, o2 = o1 + p, o3 = o2 + p;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < p; k++) {
        const a = X[oi + k]!;
        s0 += a * X[o0 + k]!; s1 += a * X[o1 + k]!; s2 += a * X[o2 + k]!; s3 += a * X[o3 + k]!;
      }
      K[i * n + j] = s0; K[i * n + j + 1] = s1; K[i * n + j + 2] = s2; K[i * n + j + 3] = s3;
    }
    for (; j <= i; j++) {
      const oj = j * p;
      let s = 0;
      for (let k = 0; k < p; k++) s += X[oi + k]! * X[oj + k]!;
      K[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) K[i * n + j] = K[j * n + i]!;
  return K;
};

/** K[rows, cols] (row-major, rows.length × cols.length) from a full n × n matrix. */
export function sliceGram(K: Float64Array, n: number, rows: ArrayLike<number>, cols: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  for (let a = 0; a < rows.length; a++) {
    const o = rows[a]! * n;
    for (let b = 0; b < cols.length; b++) out[a * cols.length + b] = K[o + cols[b]!]!;
  }
  return out;
}

export function checkScaling(s: string): Scaling {
  if (!(SCALINGS as readonly string[]).includes(s)) {
    throw new DdError('ARGS_BAD_VALUE', `Scaling must be one of ${SCALINGS.join(', ')}, got "${s}".`);
  }
  return s as Scaling;
}
