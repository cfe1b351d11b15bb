/**
 * L2 logistic regression with an unpenalised intercept, as scikit-learn's
 * `LogisticRegression(C=1)`:
 *
 *   min_{w,b}  C Σ_i s_i log(1 + exp(−y_i f_i)) + ½‖w‖²,   f_i = x_iᵀw + b,  y_i ∈ ±1,
 *
 * with per-sample weights s_i (class weights; 'balanced' n / (2 n_c)). By the representer
 * theorem the optimum has w = Xᵀa, so it is solved exactly over (a, b) with K = X Xᵀ:
 * f = K a + b, ‖w‖² = aᵀKa.
 *
 * Newton's method in the primal (w, b), written in the dual variables. The primal Hessian
 * [XᵀDX + I, XᵀD1; 1ᵀDX, 1ᵀD1] is positive definite whatever the rank of K, and its Newton step
 * δw lies in the span of the samples, δw = Xᵀδa, with
 *
 *   δa = −(g + a) − D^½ v,   D^½ v = M⁻¹ D^½ (−K(g + a) + δb 1),   M = I + D^½ K D^½,
 *   δb from 1ᵀD δf = −1ᵀg,
 *
 * where g_i = ∂loss/∂f_i and D = diag(∂²loss/∂f_i²). M ≥ I is always well conditioned, so a
 * singular K (more samples than features, duplicated samples) needs no special care and no
 * eigendecomposition: one n × n Cholesky per iteration. Line search: a 1-D Newton solve for the
 * step length (Armijo-checked, else backtracking), ~5 iterations instead of ~9 from a = 0, the
 * last of them (relative gradient < 1e-6) on the previous factor (a chord step);
 * stops when the primal gradient norm ‖(Xᵀ(g + a), 1ᵀg)‖ = √((g+a)ᵀK(g+a) + (1ᵀg)²) falls
 * below 1e-10 of its value at the start (w = 0, b = 0), or when the Newton decrement reaches
 * rounding level. At the optimum a = −g, i.e. a_i = C s_i y_i σ(−y_i f_i).
 */
import type { DualFit, DualModel, ModelOptions } from '../model.ts';
import { linearDecision } from './gram.ts';
import { denseOps } from './backend.ts';
import { checkGram, checkLabels, classWeights, positiveOption } from './validate.ts';
import { DdError } from '../../errors.ts';

export const LOGREG_TOL = 1e-10;
export const LOGREG_MAX_ITER = 100;
/** Below this relative gradient norm a Newton iteration reuses the previous factor (chord step). */
const CHORD_TOL = 1e-6;

/** log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function fitLogreg(K: Float64Array, n: number, y: Float64Array, opts: ModelOptions = {}): DualFit {
  checkGram('logreg', K, n);
  return fitLogregCheckedGram(K, n, y, opts);
}

/** fitLogreg for a K that already passed checkGram (the permutation test checks each fold's K once). */
/**
 * The first Newton system of a fold. At a = 0 the curvature is d_i = √(c_i / 4), the same for
 * every label vector when the sample weights c are uniform (no class weights, or balanced
 * classes), so M = I + D½KD½, its Cholesky factor and M⁻¹D½1 can be kept between fits on the
 * same K (the permutation test; see fold.ts). Bit-identical to recomputing them.
 */
export interface LogregFirstStep {
  d: number;
  L: Float64Array | null;
  z2: Float64Array | null;
}

export function fitLogregCheckedGram(K: Float64Array, n: number, y: Float64Array, opts: ModelOptions = {}, first?: LogregFirstStep): DualFit {
  const { n0, n1 } = checkLabels('logreg', y, n);
  const C = positiveOption('logreg', 'C', opts.C, 1);
  const [w0, w1] = classWeights('logreg', opts, n0, n1);

  const c = new Float64Array(n), s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = y[i] === 1 ? 1 : -1;
    c[i] = C * (y[i] === 1 ? w1 : w0);
  }
  const ops = denseOps(K, n, first !== undefined); // the fold predictor's K never changes
  const r = ops.vec('r'), Kr = ops.vec('Kr'), d = ops.vec('d'), z1 = ops.vec('z1'), z2 = ops.vec('z2');
  const da = ops.vec('da'), Kda = ops.vec('Kda');
  const a = new Float64Array(n), f = new Float64Array(n), Ka = new Float64Array(n), g = new Float64Array(n);
  const df = new Float64Array(n);
  let b = 0;

  /** Σ c_i log(1 + exp(−s_i (f_i + t δf_i))). */
  const lossAt = (t: number): number => {
    let L = 0;
    for (let i = 0; i < n; i++) L += c[i]! * softplus(-s[i]! * (f[i]! + t * df[i]!));
    return L;
  };

  let gnorm0 = NaN;
  let iterations = 0;
  let converged = false;
  let aKa = 0; // aᵀKa
  let J = lossAt(0); // objective at a = 0, b = 0
  let lastT = NaN; // the previous step length (≈ 1: quadratic phase, no step-length search)
  const dF = new Float64Array(n); // d of the factor in M
  let factored = false;

  for (;;) {
    // Gradient g and curvature d² of the loss in f; r = g + a (the primal gradient is Xᵀr, 1ᵀg).
    let sumG = 0;
    for (let i = 0; i < n; i++) {
      const m = s[i]! * f[i]!;
      const e = Math.exp(-Math.abs(m));
      const sigNeg = m >= 0 ? e / (1 + e) : 1 / (1 + e); // σ(−m)
      g[i] = -c[i]! * s[i]! * sigNeg;
      d[i] = Math.sqrt(c[i]! * e / ((1 + e) * (1 + e))); // √(c σ(m) σ(−m))
      sumG += g[i]!;
      r[i] = g[i]! + a[i]!;
    }
    ops.symv('r', 'Kr');
    let rKr = 0, rKrAbs = 0;
    for (let i = 0; i < n; i++) { const v = r[i]! * Kr[i]!; rKr += v; rKrAbs += Math.abs(v); }
    if (rKr < -1e-9 * rKrAbs) {
      throw new DdError('MODEL_NUMERIC', 'logreg: rᵀKr < 0, the Gram matrix is not positive semi-definite.');
    }
    const gnorm = Math.sqrt(Math.max(0, rKr) + sumG * sumG);
    if (iterations === 0) gnorm0 = gnorm;
    if (gnorm <= LOGREG_TOL * gnorm0 || gnorm === 0) { converged = true; break; }
    if (iterations >= LOGREG_MAX_ITER) break;
    iterations++;

    // Newton step: M = I + D½ K D½, z1 = M⁻¹(−D½ K r), z2 = M⁻¹ D½ 1, δb from 1ᵀD δf = −1ᵀg.
    let uniform = false, reused = false;
    if (iterations === 1 && first) {
      uniform = true;
      for (let i = 1; i < n; i++) if (d[i] !== d[0]) { uniform = false; break; }
      if (uniform && first.L && first.z2 && first.d === d[0]) {
        ops.M.set(first.L);
        z2.set(first.z2);
        reused = true;
      }
    } else if (factored && gnorm <= CHORD_TOL * gnorm0) {
      // Deep in the quadratic phase the previous iterate's Hessian is as good as a new one (its
      // error is of the size of the last step): reuse its factor and M⁻¹D½1 with its d (a chord
      // step; the line search and the stopping test still use the exact gradient).
      d.set(dF);
      reused = true;
    }
    if (!reused && !ops.newtonSystem('d')) {
      throw new DdError('MODEL_NUMERIC', 'logreg: the Newton system is not positive definite; the Gram matrix is not positive semi-definite.');
    }
    for (let i = 0; i < n; i++) z1[i] = -d[i]! * Kr[i]!;
    ops.solve('z1');
    if (!reused) {
      for (let i = 0; i < n; i++) z2[i] = d[i]!;
      ops.solve('z2');
      if (uniform && first) { first.d = d[0]!; first.L = Float64Array.from(ops.M); first.z2 = Float64Array.from(z2); }
    }
    dF.set(d); // the d of the factor in M
    factored = true;
    let dz1 = 0, dz2 = 0;
    for (let i = 0; i < n; i++) { dz1 += d[i]! * z1[i]!; dz2 += d[i]! * z2[i]!; }
    const db = dz2 > 0 ? (-sumG - dz1) / dz2 : 0;
    for (let i = 0; i < n; i++) da[i] = -r[i]! - d[i]! * (z1[i]! + db * z2[i]!);
    ops.symv('da', 'Kda');
    let slope = sumG * db, aKda = 0, daKda = 0;
    for (let i = 0; i < n; i++) {
      df[i] = Kda[i]! + db;
      slope += r[i]! * Kda[i]!;
      aKda += a[i]! * Kda[i]!;
      daKda += da[i]! * Kda[i]!;
    }
    if (!(slope < 0)) { converged = gnorm <= 1e-6 * gnorm0; break; } // no descent left: rounding level
    // Step length on J(t) = loss(f + t δf) + ½(aᵀKa + 2t aᵀKδa + t² δaᵀKδa): a few 1-D Newton
    // steps on J'(t) = 0 from t = 1 (O(n) each; far from the optimum the logistic loss is flatter
    // than its quadratic model and the best t is often 2–4, which halves the Newton iterations),
    // kept when it satisfies Armijo and beats t = 1; else backtracking (Armijo) from t = 1. Once
    // the steps are full Newton steps (|t − 1| < 0.1, quadratic phase) t = 1 is taken as is.
    const slack = 8 * Number.EPSILON * Math.abs(J);
    const Jat = (t: number) => lossAt(t) + 0.5 * (aKa + 2 * t * aKda + t * t * daKda);
    let t = 1, accepted = false;
    const J1 = Jat(1);
    if (J1 <= J + 1e-4 * slope + slack) {
      accepted = true;
    }
    if (accepted && !(Math.abs(lastT - 1) < 0.1)) {
      let tt = 1;
      for (let k = 0; k < 8; k++) {
        let d1 = aKda + tt * daKda, d2 = daKda;
        for (let i = 0; i < n; i++) {
          const m = s[i]! * (f[i]! + tt * df[i]!);
          const e = Math.exp(-Math.abs(m));
          const sigNeg = m >= 0 ? e / (1 + e) : 1 / (1 + e); // σ(−m)
          d1 -= c[i]! * s[i]! * df[i]! * sigNeg;
          d2 += c[i]! * df[i]! * df[i]! * (e / ((1 + e) * (1 + e)));
        }
        if (!(d2 > 0)) break;
        const step = d1 / d2;
        tt = Math.max(tt - step, 0.5 * tt);
        if (!(Math.abs(step) > 1e-3 * tt)) break;
      }
      if (tt !== 1) {
        const Jt = Jat(tt);
        if (Jt <= J + 1e-4 * tt * slope + slack && Jt < J1) t = tt;
      }
    } else if (!accepted) {
      t = 0.5;
      for (let k = 1; k < 60; k++) {
        if (Jat(t) <= J + 1e-4 * t * slope + slack) { accepted = true; break; }
        t *= 0.5;
      }
    }
    if (!accepted) { converged = gnorm <= 1e-6 * gnorm0; break; }
    lastT = t;
    for (let i = 0; i < n; i++) {
      a[i] = a[i]! + t * da[i]!;
      Ka[i] = Ka[i]! + t * Kda[i]!;
    }
    b += t * db;
    let q = 0;
    for (let i = 0; i < n; i++) {
      f[i] = Ka[i]! + b;
      q += a[i]! * Ka[i]!;
    }
    aKa = q;
    J = lossAt(0) + 0.5 * aKa;
  }
  return { model: 'logreg', coef: a, intercept: b, iterations, converged };
}

export const logreg: DualModel = {
  name: 'logreg',
  kind: 'classification',
  fit: fitLogreg,
  decision: linearDecision,
};
