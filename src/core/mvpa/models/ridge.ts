/**
 * Ridge regression with an unpenalised intercept, as scikit-learn's `Ridge(alpha=1)`
 * (fit_intercept=True: X and y centred on the training set, min ‖y_c − X_c w‖² + α‖w‖²,
 * intercept = ȳ − x̄ᵀw), solved in the dual:
 *
 *   K_c = H K H  (H = I − 11ᵀ/n),   (K_c + αI) a = y − ȳ,   w = X_cᵀ a.
 *
 * Since K_c 1 = 0, 1ᵀa = 1ᵀ(y − ȳ)/α = 0, so w = X_cᵀa = Xᵀa and, for a test sample x,
 * (x − x̄)ᵀw + ȳ = Σ_i a_i k(x, x_i) − (1/n) Σ_i a_i Σ_j K_ij + ȳ: the raw test Gram row works
 * unchanged with intercept = ȳ − Σ_i a_i k̄_i (k̄ = row means of K). The fit is therefore an ordinary
 * DualFit (coef = a, exact sum zero after projection) and primalWeights(X, fit) = Xᵀa equals
 * scikit-learn's coef_. Solved by an f64 Cholesky of K_c + αI (eigenvalues ≥ α > 0).
 * Class weights do not apply to regression and are ignored.
 */
import { DdError } from '../../errors.ts';
import type { DualFit, DualModel, ModelOptions } from '../model.ts';
import { linearDecision } from './gram.ts';
import { denseOps } from './backend.ts';
import { checkGram, checkTargets, positiveOption } from './validate.ts';

/** Row means of K and its grand mean: the centring terms of kernel ridge with an intercept. */
export function gramRowMeans(K: Float64Array, n: number): { kbar: Float64Array; kmean: number } {
  const kbar = new Float64Array(n);
  let kmean = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += K[ri + j]!;
    kbar[i] = s / n;
    kmean += s;
  }
  kmean /= n * n;
  return { kbar, kmean };
}

export function fitRidge(K: Float64Array, n: number, y: Float64Array, opts: ModelOptions = {}): DualFit {
  checkGram('ridge', K, n);
  checkTargets('ridge', y, n);
  const alpha = positiveOption('ridge', 'alpha', opts.alpha, 1);

  const { kbar, kmean } = gramRowMeans(K, n);
  let ymean = 0;
  for (let i = 0; i < n; i++) ymean += y[i]!;
  ymean /= n;

  const ops = denseOps(K, n);
  const A = ops.M;
  for (let i = 0; i < n; i++) {
    const ri = i * n, ki = kbar[i]!;
    for (let j = 0; j <= i; j++) A[ri + j] = K[ri + j]! - ki - kbar[j]! + kmean;
    A[ri + i] = A[ri + i]! + alpha;
  }
  if (!ops.cholesky()) {
    throw new DdError('MODEL_NUMERIC', 'ridge: K_c + alpha·I is not positive definite; the Gram matrix is not positive semi-definite (or alpha is too small for its scale).');
  }
  const z = ops.vec('z1');
  for (let i = 0; i < n; i++) z[i] = y[i]! - ymean;
  ops.solve('z1');
  const a = Float64Array.from(z);
  let amean = 0;
  for (let i = 0; i < n; i++) amean += a[i]!;
  amean /= n;
  let intercept = ymean;
  for (let i = 0; i < n; i++) {
    a[i] = a[i]! - amean;
    intercept -= a[i]! * kbar[i]!;
  }
  return { model: 'ridge', coef: a, intercept, iterations: 1, converged: true };
}

export const ridge: DualModel = {
  name: 'ridge',
  kind: 'regression',
  fit: fitRidge,
  decision: linearDecision,
};
