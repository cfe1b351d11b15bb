/**
 * Gram-matrix helpers around the dual models: a reference f64 Gram, fold slices of one Gram
 * matrix, the linear decision function every dual model shares, and primal weights w = Xᵀ coef.
 */
import { DdError } from '../../errors.ts';
import type { DualFit } from '../model.ts';
import { checkDecisionInput } from './validate.ts';

/** K = X Xᵀ (n × n f64, row-major, exactly symmetric) for X (n × p row-major), f64 sums. */
export function gramF64(X: ArrayLike<number>, n: number, p: number): Float64Array {
  if (X.length !== n * p) throw new DdError('MODEL_BAD_SHAPE', `gram: X has ${X.length} values, expected n × p = ${n} × ${p}.`);
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * p;
    for (let j = 0; j <= i; j++) {
      const oj = j * p;
      let s = 0;
      for (let k = 0; k < p; k++) s += X[oi + k]! * X[oj + k]!;
      K[i * n + j] = s;
      K[j * n + i] = s;
    }
  }
  return K;
}

/** K[rows, cols] of a full N × N Gram matrix (row-major), e.g. K_train (train × train) or K_test (test × train). */
export function subGram(K: Float64Array, N: number, rows: ArrayLike<number>, cols: ArrayLike<number>): Float64Array {
  if (K.length !== N * N) throw new DdError('MODEL_BAD_SHAPE', `subGram: K has ${K.length} values, expected ${N} × ${N}.`);
  const out = new Float64Array(rows.length * cols.length);
  const m = cols.length;
  for (let a = 0; a < rows.length; a++) {
    const r = rows[a]!;
    if (!(r >= 0 && r < N)) throw new DdError('MODEL_BAD_SHAPE', `subGram: row index ${r} is outside 0..${N - 1}.`);
    const o = r * N;
    for (let b = 0; b < m; b++) {
      const c = cols[b]!;
      if (!(c >= 0 && c < N)) throw new DdError('MODEL_BAD_SHAPE', `subGram: column index ${c} is outside 0..${N - 1}.`);
      out[a * m + b] = K[o + c]!;
    }
  }
  return out;
}

/** decision[t] = Σ_i coef_i Ktest[t, i] + intercept (shared by every dual model). */
export function linearDecision(fit: DualFit, Ktest: Float64Array, nTest: number): Float64Array {
  const n = checkDecisionInput(fit, Ktest, nTest);
  const out = new Float64Array(nTest);
  const c = fit.coef;
  for (let t = 0; t < nTest; t++) {
    const o = t * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += c[i]! * Ktest[o + i]!;
    out[t] = s + fit.intercept;
  }
  return out;
}

/**
 * Primal weights w = Xᵀ coef (length p) for the training samples X (n × p row-major, the same
 * scaled features the Gram matrix was built from; n = fit.coef.length). The decision for a test
 * sample x is then xᵀw + fit.intercept, for every model (ridge's centring is folded into its
 * intercept, see ridge.ts).
 */
export function primalWeights(X: ArrayLike<number>, fit: DualFit): Float64Array {
  const n = fit.coef.length;
  if (n === 0 || X.length % n !== 0) {
    throw new DdError('MODEL_BAD_SHAPE', `primalWeights: X has ${X.length} values, not a multiple of the ${n} training samples.`);
  }
  const p = X.length / n;
  const w = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const c = fit.coef[i]!;
    if (c === 0) continue;
    const o = i * p;
    for (let j = 0; j < p; j++) w[j] += c * X[o + j]!;
  }
  return w;
}
