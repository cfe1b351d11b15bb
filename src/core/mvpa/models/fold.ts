/**
 * Repeated fits on one CV fold (the permutation test): the training and test Gram slices stay
 * fixed while the training labels change, so everything that depends on K alone is done once per
 * fold here.
 *
 *   const fp = foldPredictor(model, Ktrain, nTrain, Ktest, nTest, opts);   // validates K once
 *   const ok = fp.decide(yTrain, decisionOut);                             // per permutation
 *
 *  - svc, logreg: K and K_test are validated once; each call is the model's own fit (same
 *    solver, same operations: bit-identical to model.fit + model.decision) without the per-fit
 *    scans of K; logreg keeps its first Newton system (the same for every label vector when the
 *    sample weights are uniform, logreg.ts LogregFirstStep).
 *  - logreg with many fits on the fold (`fits` ≥ LOGREG_BASIS_MIN_FITS, e.g. the permutation
 *    test): K's eigendecomposition once, then every fit in that basis without factorisations
 *    (logreg-basis.ts; the same optimum, to the solver's 1e-10 tolerance).
 *  - ridge: the fit is linear in y. With A = K_c + αI (K_c = H K H) and the centred test rows
 *    v_t = (I − 11ᵀ/n)(k_t − k̄), the decision is  d_t = v_tᵀ A⁻¹ (y − ȳ) + ȳ  (ridge.ts), so the
 *    "hat" rows h_t = A⁻¹ v_t are solved once per fold and every permutation costs one
 *    nTest × nTrain product. Equal to refitting up to rounding (~1e-15 relative).
 *  - any other DualModel: model.fit + model.decision.
 */
import type { DualModel, ModelOptions } from '../model.ts';
import { denseOps } from './backend.ts';
import { fitLogregCheckedGram, logreg, type LogregFirstStep } from './logreg.ts';
import { decideInBasis, logregBasis } from './logreg-basis.ts';
import { gramRowMeans, ridge } from './ridge.ts';
import { fitSvcCheckedGram, svc } from './svc.ts';
import { DdError } from '../../errors.ts';
import type { DualFit } from '../model.ts';
import { checkDecisionInput, checkGram, positiveOption } from './validate.ts';

export interface FoldPredictor {
  readonly nTrain: number;
  readonly nTest: number;
  /** Fits on the training labels yTrain and writes the test decision values into out; returns whether the fit converged. */
  decide(yTrain: Float64Array, out: Float64Array): boolean;
}

/** Σ_i coef_i Ktest[t, i] + intercept, exactly as linearDecision (without its input scan). */
function decisionInto(fit: DualFit, Ktest: Float64Array, nTest: number, out: Float64Array): void {
  const c = fit.coef, n = c.length;
  for (let t = 0; t < nTest; t++) {
    const o = t * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += c[i]! * Ktest[o + i]!;
    out[t] = s + fit.intercept;
  }
}

/**
 * From this many fits on one fold, logreg solves in an eigenbasis of K: one eigendecomposition
 * (~1–2 ms at n = 96 in wasm, the time of ~6 Cholesky-Newton fits; 3–8 ms in TypeScript) buys fits
 * ~3× faster (no factorisation per fit; bench/models.results.md).
 */
export const LOGREG_BASIS_MIN_FITS = 50;

/** `fits`: how many label vectors will be fitted on this fold (the permutation test: Infinity). */
export function foldPredictor(model: DualModel, Ktrain: Float64Array, nTrain: number, Ktest: Float64Array, nTest: number, opts?: ModelOptions, fits = 1): FoldPredictor {
  if (model === ridge) return ridgePredictor(Ktrain, nTrain, Ktest, nTest, opts);
  if (model === logreg && fits >= LOGREG_BASIS_MIN_FITS) {
    checkGram('logreg', Ktrain, nTrain);
    checkDecisionInput({ model: 'logreg', coef: new Float64Array(nTrain), intercept: 0, iterations: 0, converged: true }, Ktest, nTest);
    const basis = logregBasis(Ktrain, nTrain);
    const mopts = opts ?? {};
    return { nTrain, nTest, decide: (y, out) => decideInBasis(basis, Ktest, nTest, y, mopts, out) };
  }
  if (model === svc || model === logreg) {
    checkGram(model.name, Ktrain, nTrain);
    checkDecisionInput({ model: model.name, coef: new Float64Array(nTrain), intercept: 0, iterations: 0, converged: true }, Ktest, nTest);
    const first: LogregFirstStep = { d: NaN, L: null, z2: null };
    // The fold's K is never written to: consecutive fits on it skip copying it into wasm memory.
    const fit = model === svc
      ? (K: Float64Array, n: number, y: Float64Array, o?: ModelOptions) => fitSvcCheckedGram(K, n, y, o, true)
      : (K: Float64Array, n: number, y: Float64Array, o?: ModelOptions) => fitLogregCheckedGram(K, n, y, o, first);
    return {
      nTrain, nTest,
      decide(y, out) {
        const f = fit(Ktrain, nTrain, y, opts);
        decisionInto(f, Ktest, nTest, out);
        return f.converged;
      },
    };
  }
  return {
    nTrain, nTest,
    decide(y, out) {
      const f = model.fit(Ktrain, nTrain, y, opts);
      out.set(model.decision(f, Ktest, nTest));
      return f.converged;
    },
  };
}

function ridgePredictor(K: Float64Array, n: number, Ktest: Float64Array, nTest: number, opts?: ModelOptions): FoldPredictor {
  checkGram('ridge', K, n);
  checkDecisionInput({ model: 'ridge', coef: new Float64Array(n), intercept: 0, iterations: 0, converged: true }, Ktest, nTest);
  const alpha = positiveOption('ridge', 'alpha', opts?.alpha, 1);
  // The same K_c + αI and Cholesky factor as fitRidge.
  const { kbar, kmean } = gramRowMeans(K, n);
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
  const Hm = new Float64Array(nTest * n);
  const z = ops.vec('z1');
  for (let t = 0; t < nTest; t++) {
    const o = t * n;
    let m = 0;
    for (let i = 0; i < n; i++) { const v = Ktest[o + i]! - kbar[i]!; z[i] = v; m += v; }
    m /= n;
    for (let i = 0; i < n; i++) z[i] = z[i]! - m;
    ops.solve('z1');
    Hm.set(z, o);
  }
  const yc = new Float64Array(n);
  return {
    nTrain: n, nTest,
    decide(y, out) {
      let ym = 0;
      for (let i = 0; i < n; i++) ym += y[i]!;
      ym /= n;
      for (let i = 0; i < n; i++) yc[i] = y[i]! - ym;
      for (let t = 0; t < nTest; t++) {
        const o = t * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += Hm[o + i]! * yc[i]!;
        out[t] = s + ym;
      }
      return true;
    },
  };
}
