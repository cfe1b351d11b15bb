/**
 * Logistic regression for many label vectors on one Gram matrix (the permutation test): the same
 * problem and optimum as logreg.ts, solved in an eigenbasis of K computed once per fold.
 *
 * With K = U Λ Uᵀ and Z = U Λ^½ (n × r, the r eigenvalues above 1e-12 λ_max), K = Z Zᵀ, so the
 * fit is the primal problem on the r features Z:
 *
 *   min_{v,b}  Σ_i c_i log(1 + exp(−s_i f_i)) + ½‖v‖²,   f = Z v + b,
 *
 * whose Hessian [ZᵀDZ + I, ZᵀD1; 1ᵀDZ, 1ᵀD1] (D the curvatures of the loss) is, for a uniform
 * D = δI, [δΛ + I, δq; δqᵀ, nδ] with q = Zᵀ1: diagonal plus a border, solved in O(r). Each Newton
 * system is solved by conjugate gradients preconditioned with that matrix at δ = mean(D) (exactly
 * in the first iteration, where D is uniform without class weights; a few CG steps later on, as
 * the curvatures of a fitted model spread around their mean), to a relative residual
 * min(0.5, max(√(‖∇‖/‖∇₀‖), 0.1 · 1e-10 ‖∇₀‖/‖∇‖)) (inexact Newton, superlinear; no finer than
 * the last step needs). The step length is the minimum of the
 * objective along the step (safeguarded 1-D Newton on its derivative, which needs no logarithms);
 * in the quadratic phase t = 1 passes the first test. No n × n factorisation per fit: two n × r
 * products per CG step, ~30 per fit (5 Newton steps on the benchmark).
 *
 * Stops, as logreg.ts, when the primal gradient norm ‖(Zᵀg + v, 1ᵀg)‖ falls below 1e-10 of its
 * value at v = 0, b = 0; returns the dual coefficients a = −g (w = Xᵀa at the optimum) and b.
 * The exponentials are expNeg (the same in TypeScript and wasm): the wasm kernel
 * (assembly/newton.ts logreg_basis_fit) gives bit-identical fits.
 */
import type { DualFit, ModelOptions } from '../model.ts';
import { DdError } from '../../errors.ts';
import { wasmWorkspace, type WasmWorkspace } from './backend.ts';
import type { NewtonKernels } from '../../kernels/kernels.ts';
import { symmetricEigen } from './eigen.ts';
import { LOGREG_MAX_ITER, LOGREG_TOL } from './logreg.ts';
import { dot2, expNeg, matVec, sum2 } from './linalg.ts';
import { checkLabels, classWeights, positiveOption } from './validate.ts';

/** Eigenvalues at or below this fraction of the largest are dropped (rounding noise of K). */
const EIGEN_CUTOFF = 1e-12;
/** An eigenvalue below −this × λ_max: K is not positive semi-definite. */
const EIGEN_NEGATIVE = 1e-9;

export interface LogregBasis {
  n: number;
  r: number;
  /** n × r, Z = U Λ^½ (row-major). */
  Z: Float64Array;
  /** r × n, Zᵀ. */
  Zt: Float64Array;
  /** The r kept eigenvalues. */
  lam: Float64Array;
  /** Zᵀ1. */
  q: Float64Array;
}

/** The eigenbasis of the training Gram matrix K (n × n, checked by the caller). */
export function logregBasis(K: Float64Array, n: number): LogregBasis {
  const { values, vectors } = symmetricEigen(K, n);
  const lmax = Math.max(0, values[n - 1]!);
  if (values[0]! < -EIGEN_NEGATIVE * lmax) {
    throw new DdError('MODEL_NUMERIC', `logreg: the Gram matrix is not positive semi-definite (eigenvalue ${values[0]} against ${lmax}).`);
  }
  const keep: number[] = [];
  for (let j = n - 1; j >= 0; j--) if (values[j]! > EIGEN_CUTOFF * lmax) keep.push(j);
  const r = keep.length;
  const Z = new Float64Array(n * r), Zt = new Float64Array(r * n), lam = new Float64Array(r), q = new Float64Array(r);
  keep.forEach((j, k) => {
    const l = values[j]!, sl = Math.sqrt(l);
    lam[k] = l;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const z = vectors[j * n + i]! * sl;
      Z[i * r + k] = z;
      Zt[k * n + i] = z;
      s += z;
    }
    q[k] = s;
  });
  return { n, r, Z, Zt, lam, q };
}

/** Labels ±1 (s) and loss weights C · class weight (c) of the 0/1 labels y, checked, into s and c. */
function lossWeightsInto(y: Float64Array, n: number, opts: ModelOptions, s: Float64Array, c: Float64Array): void {
  const { n0, n1 } = checkLabels('logreg', y, n);
  const C = positiveOption('logreg', 'C', opts.C, 1);
  const [w0, w1] = classWeights('logreg', opts, n0, n1);
  const c0 = C * w0, c1 = C * w1;
  for (let i = 0; i < n; i++) {
    const pos = y[i] === 1;
    s[i] = pos ? 1 : -1;
    c[i] = pos ? c1 : c0;
  }
}

/** Fits logreg on the labels y in the basis (TypeScript, or the wasm kernel when active). */
export function fitLogregInBasis(B: LogregBasis, y: Float64Array, opts: ModelOptions = {}): DualFit {
  const ws = wasmWorkspace();
  const nk = ws?.newtonKernels() ?? null;
  if (ws && nk) {
    const o = ws.arena.f64(fitInBasisWasm(ws, nk, B, y, opts, null, 0), B.n + 3);
    return { model: 'logreg', coef: o.slice(0, B.n), intercept: o[B.n]!, iterations: o[B.n + 1]!, converged: o[B.n + 2] === 1 };
  }
  const s = new Float64Array(B.n), c = new Float64Array(B.n);
  lossWeightsInto(y, B.n, opts, s, c);
  return fitInBasisTs(B, s, c, LOGREG_TOL, LOGREG_MAX_ITER);
}

/**
 * The permutation test's step: fits the labels y in the basis and writes the decisions of the
 * test rows (Ktest, nTest × n; never written to by the caller) into out, as matVec(Ktest, coef) +
 * intercept. Returns whether the fit converged. Bit-identical in TypeScript and wasm.
 */
export function decideInBasis(B: LogregBasis, Ktest: Float64Array, nTest: number, y: Float64Array, opts: ModelOptions, out: Float64Array): boolean {
  const ws = wasmWorkspace();
  const nk = ws?.newtonKernels() ?? null;
  if (ws && nk) {
    const n = B.n;
    const o = ws.arena.f64(fitInBasisWasm(ws, nk, B, y, opts, Ktest, nTest), n + 3 + nTest);
    out.set(o.subarray(n + 3, n + 3 + nTest));
    return o[n + 2] === 1;
  }
  const fit = fitLogregInBasis(B, y, opts);
  matVec(Ktest, nTest, B.n, fit.coef, out);
  for (let t = 0; t < nTest; t++) out[t] = out[t]! + fit.intercept;
  return fit.converged;
}

/**
 * fitInBasisTs in wasm (assembly/newton.ts logreg_basis_fit), with the decisions of Ktest's rows;
 * returns the pointer of its output (coef, intercept, iterations, converged, decisions). The
 * basis and Ktest stay in wasm memory between fits on them.
 */
function fitInBasisWasm(ws: WasmWorkspace, nk: NewtonKernels, B: LogregBasis, y: Float64Array, opts: ModelOptions, Ktest: Float64Array | null, nTest: number): number {
  const { n, r } = B;
  const Z = ws.putF64('basis.Z', B.Z, true), Zt = ws.putF64('basis.Zt', B.Zt, true);
  const lam = ws.putF64('basis.lam', B.lam, true), q = ws.putF64('basis.q', B.q, true);
  // Ktest itself (nTest × n, checked by the caller), so that the copy is skipped while it stays the same array.
  const kte = Ktest ? ws.putF64('basis.Ktest', Ktest, true) : 0;
  const sP = ws.ptr('basis.s', n * 8), cP = ws.ptr('basis.c', n * 8);
  const work = ws.ptr('basis.work', nk.logregBasisWorkBytes(n, r)), out = ws.ptr('basis.out', (n + 3 + nTest) * 8);
  // Views after every allocation (growth would leave earlier views short).
  lossWeightsInto(y, n, opts, ws.arena.f64(sP, n), ws.arena.f64(cP, n));
  nk.logregBasisFit({ Z, Zt, lam, q, n, r, s: sP, c: cP, tol: LOGREG_TOL, maxIter: LOGREG_MAX_ITER, Ktest: kte, nTest, work, out });
  return out;
}

/** |J'(t)| below this fraction of |J'(0)| ends the step-length search. */
const LS_TOL = 1e-3;
const LS_MAX = 30;
/** CG stops at a relative residual min(0.5, max(√x, CG_FLOOR · tol / x)), x = ‖∇‖ / ‖∇₀‖: no finer than the last step needs. */
const CG_FLOOR = 0.1;

/**
 * The TypeScript twin of assembly/newton.ts logreg_basis_fit: the same operations in the same
 * order (sums in dot2 / sum2 order, where the wasm uses two lanes).
 */
export function fitInBasisTs(B: LogregBasis, s: Float64Array, c: Float64Array, tol: number, maxIter: number): DualFit {
  const { n, r, Z, Zt, lam, q } = B;
  const cs = new Float64Array(n), f = new Float64Array(n), df = new Float64Array(n), g = new Float64Array(n);
  const w = new Float64Array(n), Zp = new Float64Array(n), Zx = new Float64Array(n), u1 = new Float64Array(n), u2 = new Float64Array(n);
  let sn = new Float64Array(n), D = new Float64Array(n), snT = new Float64Array(n), DT = new Float64Array(n);
  const v = new Float64Array(r), Gv = new Float64Array(r), xv = new Float64Array(r), rv = new Float64Array(r);
  const zv = new Float64Array(r), pv = new Float64Array(r), hv = new Float64Array(r), ipd = new Float64Array(r), qd = new Float64Array(r);
  for (let i = 0; i < n; i++) cs[i] = -c[i]! * s[i]!;
  let b = 0;

  /**
   * σ(−m_i) and c_i σ(m_i) σ(−m_i) at m = s ∘ (f + t δf) into (snO, DO); sets d1 = Σ −c s σ(−m) δf
   * and d2 = Σ D δf² (the loss part of J'(t), J''(t)).
   */
  let d1 = 0, d2 = 0;
  const evaluate = (t: number, snO: Float64Array, DO: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      const dfi = df[i]!;
      const m = s[i]! * (f[i]! + t * dfi);
      const e = expNeg(-Math.abs(m));
      const inv = 1 / (1 + e);
      const sg = m >= 0 ? e * inv : inv;
      const dd = c[i]! * e * inv * inv;
      snO[i] = sg;
      DO[i] = dd;
      u1[i] = cs[i]! * sg * dfi;
      u2[i] = dd * dfi * dfi;
    }
    d1 = sum2(u1, n);
    d2 = sum2(u2, n);
  };
  evaluate(0, sn, D); // δf = 0: f = 0

  let gn0 = NaN, iterations = 0, converged = false;
  for (;;) {
    for (let i = 0; i < n; i++) g[i] = cs[i]! * sn[i]!;
    const sumG = sum2(g, n);
    matVec(Zt, r, n, g, Gv);
    for (let j = 0; j < r; j++) Gv[j] = Gv[j]! + v[j]!;
    const gn = Math.sqrt(dot2(Gv, 0, Gv, 0, r) + sumG * sumG);
    if (iterations === 0) gn0 = gn;
    if (gn <= tol * gn0 || gn === 0) { converged = true; break; }
    if (iterations >= maxIter) break;
    iterations++;

    // Preconditioner P = [δΛ + I, δq; δqᵀ, ΣD] at δ = mean(D): the Hessian when D is uniform.
    const SD = sum2(D, n);
    let uniform = true;
    for (let i = 1; i < n; i++) if (D[i] !== D[0]) { uniform = false; break; }
    const delta = SD / n;
    for (let j = 0; j < r; j++) { const ip = 1 / (delta * lam[j]! + 1); ipd[j] = ip; qd[j] = q[j]! * ip; }
    const schur = SD - delta * delta * dot2(q, 0, qd, 0, r);
    /** out = P⁻¹ [xs; xb] (the r part); returns the intercept part. */
    const precondition = (xs: Float64Array, xb: number, out: Float64Array): number => {
      const zb = (xb - delta * dot2(qd, 0, xs, 0, r)) / schur;
      const dz = delta * zb;
      for (let j = 0; j < r; j++) out[j] = xs[j]! * ipd[j]! - dz * qd[j]!;
      return zb;
    };

    // The Newton step (xv, xb) and Zx = Z xv.
    let xb: number;
    for (let j = 0; j < r; j++) rv[j] = -Gv[j]!;
    if (uniform) {
      xb = precondition(rv, -sumG, xv);
      matVec(Z, n, r, xv, Zx);
    } else {
      xv.fill(0);
      Zx.fill(0);
      xb = 0;
      let rb = -sumG;
      let zb = precondition(rv, rb, zv);
      let pb = zb;
      pv.set(zv.subarray(0, r));
      let rz = dot2(rv, 0, zv, 0, r) + rb * zb;
      const x = gn / gn0;
      const eta = Math.min(0.5, Math.max(Math.sqrt(x), (CG_FLOOR * tol) / x));
      const stop = eta * eta * rz;
      for (let k = 0; k < 2 * r + 10; k++) {
        matVec(Z, n, r, pv, Zp);
        for (let i = 0; i < n; i++) w[i] = D[i]! * (Zp[i]! + pb);
        const hb = sum2(w, n);
        matVec(Zt, r, n, w, hv);
        for (let j = 0; j < r; j++) hv[j] = hv[j]! + pv[j]!;
        const pHp = dot2(pv, 0, hv, 0, r) + pb * hb;
        if (!(pHp > 0)) break;
        const alpha = rz / pHp;
        for (let j = 0; j < r; j++) { xv[j] = xv[j]! + alpha * pv[j]!; rv[j] = rv[j]! - alpha * hv[j]!; }
        for (let i = 0; i < n; i++) Zx[i] = Zx[i]! + alpha * Zp[i]!;
        xb += alpha * pb;
        rb -= alpha * hb;
        zb = precondition(rv, rb, zv);
        const rzn = dot2(rv, 0, zv, 0, r) + rb * zb;
        if (rzn <= stop) break;
        const beta = rzn / rz;
        rz = rzn;
        for (let j = 0; j < r; j++) pv[j] = zv[j]! + beta * pv[j]!;
        pb = zb + beta * pb;
      }
    }

    // Step length: the minimum of J(t) = loss(f + t δf) + ½‖v + t xv‖² along the step.
    const vx = dot2(v, 0, xv, 0, r), xx = dot2(xv, 0, xv, 0, r);
    for (let i = 0; i < n; i++) df[i] = Zx[i]! + xb;
    const slope = dot2(g, 0, df, 0, n) + vx;
    if (!(slope < 0)) { converged = gn <= 1e-6 * gn0; break; } // no descent left: rounding level
    let t = 1, lo = 0, hi = Infinity, found = false;
    for (let k = 0; k < LS_MAX; k++) {
      evaluate(t, snT, DT);
      const j1 = d1 + vx + t * xx;
      if (Math.abs(j1) <= LS_TOL * -slope) { found = true; break; }
      if (j1 < 0) lo = t; else hi = t;
      let tn = t - j1 / (d2 + xx);
      if (!(tn > lo && tn < hi)) tn = hi < Infinity ? 0.5 * (lo + hi) : 2 * t;
      if (tn === t) break;
      t = tn;
    }
    if (!found) {
      // J' < 0 on [0, lo]: J(lo) < J(0).
      if (!(lo > 0)) { converged = gn <= 1e-6 * gn0; break; }
      t = lo;
      evaluate(t, snT, DT);
    }
    for (let j = 0; j < r; j++) v[j] = v[j]! + t * xv[j]!;
    b += t * xb;
    for (let i = 0; i < n; i++) f[i] = f[i]! + t * df[i]!;
    [sn, snT] = [snT, sn];
    [D, DT] = [DT, D];
  }
  const coef = new Float64Array(n);
  for (let i = 0; i < n; i++) coef[i] = -g[i]!;
  return { model: 'logreg', coef, intercept: b, iterations, converged };
}
