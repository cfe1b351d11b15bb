/**
 * Linear C-SVC in the dual, as libsvm's C_SVC with a linear kernel (scikit-learn
 * `SVC(kernel="linear", C=1)`, which bundles a modified libsvm 3.x):
 *
 *   min_α ½ αᵀQα − eᵀα   subject to 0 ≤ α_i ≤ C_i, yᵀα = 0,   Q = (y yᵀ) ∘ K,  y ∈ ±1,
 *
 * solved by SMO with libsvm's second-order working-set selection (WSS3, Fan, Chen & Lin 2005),
 * its shrinking heuristic (on, as scikit-learn's default), stopping tolerance eps = 1e-3, and its
 * bias (ρ = mean of y_i ∇_i over free SVs, else the midpoint of the bounds).
 *
 * The solver is a line-by-line replica of libsvm's Solver (sklearn/svm/src/libsvm/svm.cpp), so
 * it follows the same path and stops at the same iterate:
 *  - the samples are regrouped as libsvm's svm_group_classes does in scikit-learn's copy (sorted
 *    labels: class 0 first, each class in its original order), and the binary problem uses
 *    y = +1 for class 0, −1 for class 1;
 *  - Q is cached in f32 exactly like libsvm's `Qfloat` (gradients, α, QD = diag(K) and the bias
 *    are f64, as there); shrinking swaps rows and columns of Q as libsvm's cache does;
 *  - class weights scale C per class (C_c = C · w_c; 'balanced' w_c = n / (2 n_c)).
 * libsvm's decision is positive for class 0; scikit-learn flips the sign for binary problems, and
 * so do we: decision = Σ coef_i K(x, x_i) + intercept > 0 ⇒ class 1, with coef_i = α_i (±1 for
 * class 1 / class 0) and intercept = ρ.
 */
import type { DualFit, DualModel, ModelOptions } from '../model.ts';
import { wasmWorkspace, type WasmWorkspace } from './backend.ts';
import { linearDecision } from './gram.ts';
import { checkGram, checkLabels, classWeights, positiveOption } from './validate.ts';

/** libsvm's defaults (scikit-learn SVC: tol=1e-3, shrinking=True). */
export const SVC_EPS = 1e-3;
const TAU = 1e-12;
const LOWER = 0, UPPER = 1, FREE = 2;

export interface SvcSolution {
  /** α in libsvm's internal order (position a ↔ sample perm[a]). */
  alpha: Float64Array;
  rho: number;
  iterations: number;
  converged: boolean;
}

/** Reusable buffers (fits are synchronous, so one set per realm is enough). */
let cap = 0;
let wsQ = new Float32Array(0);
let wsQD = new Float64Array(0), wsC = new Float64Array(0), wsAlpha = new Float64Array(0);
let wsG = new Float64Array(0), wsGbar = new Float64Array(0);
let wsY = new Int8Array(0), wsStatus = new Int8Array(0);
let wsActive = new Int32Array(0);

function ensure(l: number): void {
  if (l <= cap) return;
  cap = Math.max(l, cap * 2, 16);
  wsQ = new Float32Array(cap * cap);
  wsQD = new Float64Array(cap); wsC = new Float64Array(cap); wsAlpha = new Float64Array(cap);
  wsG = new Float64Array(cap); wsGbar = new Float64Array(cap);
  wsY = new Int8Array(cap); wsStatus = new Int8Array(cap);
  wsActive = new Int32Array(cap);
}

/**
 * libsvm's Solver::Solve for C-SVC (p = −e, α = 0 at the start, shrinking on). Q (l × l f32,
 * row-major), QD, y, C are permuted in place by shrinking; `active` returns the permutation.
 * Returns α in the input order.
 */
function solve(l: number, Q: Float32Array, QD: Float64Array, y: Int8Array, C: Float64Array, eps: number, maxIter: number,
  alpha: Float64Array, G: Float64Array, Gbar: Float64Array, status: Int8Array, active: Int32Array): SvcSolution {
  for (let i = 0; i < l; i++) {
    alpha[i] = 0;
    status[i] = LOWER; // α = 0 <= 0 (C > 0)
    active[i] = i;
    G[i] = -1; // p_i
    Gbar[i] = 0;
  }
  let activeSize = l;
  let unshrink = false;
  let iter = 0;
  let counter = Math.min(l, 1000) + 1;
  let outI = -1, outJ = -1;

  const updateStatus = (i: number) => {
    const a = alpha[i]!;
    status[i] = a >= C[i]! ? UPPER : a <= 0 ? LOWER : FREE;
  };

  const swapIndex = (i: number, j: number) => {
    if (i === j) return;
    let t: number;
    t = y[i]!; y[i] = y[j]!; y[j] = t;
    t = G[i]!; G[i] = G[j]!; G[j] = t;
    t = status[i]!; status[i] = status[j]!; status[j] = t;
    t = alpha[i]!; alpha[i] = alpha[j]!; alpha[j] = t;
    t = active[i]!; active[i] = active[j]!; active[j] = t;
    t = Gbar[i]!; Gbar[i] = Gbar[j]!; Gbar[j] = t;
    t = C[i]!; C[i] = C[j]!; C[j] = t;
    t = QD[i]!; QD[i] = QD[j]!; QD[j] = t;
    const ri = i * l, rj = j * l;
    for (let k = 0; k < l; k++) { t = Q[ri + k]!; Q[ri + k] = Q[rj + k]!; Q[rj + k] = t; }
    for (let k = 0, r = 0; k < l; k++, r += l) { t = Q[r + i]!; Q[r + i] = Q[r + j]!; Q[r + j] = t; }
  };

  const reconstructGradient = () => {
    if (activeSize === l) return;
    for (let j = activeSize; j < l; j++) G[j] = Gbar[j]! - 1;
    let nrFree = 0;
    for (let j = 0; j < activeSize; j++) if (status[j] === FREE) nrFree++;
    if (nrFree * l > 2 * activeSize * (l - activeSize)) {
      for (let i = activeSize; i < l; i++) {
        const ri = i * l;
        let g = G[i]!;
        for (let j = 0; j < activeSize; j++) if (status[j] === FREE) g += alpha[j]! * Q[ri + j]!;
        G[i] = g;
      }
    } else {
      for (let i = 0; i < activeSize; i++) {
        if (status[i] !== FREE) continue;
        const ri = i * l;
        const ai = alpha[i]!;
        for (let j = activeSize; j < l; j++) G[j] += ai * Q[ri + j]!;
      }
    }
  };

  // Returns true when optimal (libsvm returns 1).
  const selectWorkingSet = (): boolean => {
    let Gmax = -Infinity, Gmax2 = -Infinity;
    let GmaxIdx = -1, GminIdx = -1;
    let objDiffMin = Infinity;
    for (let t = 0; t < activeSize; t++) {
      if (y[t] === 1) {
        if (status[t] !== UPPER && -G[t]! >= Gmax) { Gmax = -G[t]!; GmaxIdx = t; }
      } else if (status[t] !== LOWER && G[t]! >= Gmax) { Gmax = G[t]!; GmaxIdx = t; }
    }
    const i = GmaxIdx;
    if (i !== -1) {
      const ri = i * l;
      const yi2 = 2.0 * y[i]!;
      const QDi = QD[i]!;
      for (let j = 0; j < activeSize; j++) {
        const Gj = G[j]!;
        if (y[j] === 1) {
          if (status[j] !== LOWER) {
            const gradDiff = Gmax + Gj;
            if (Gj >= Gmax2) Gmax2 = Gj;
            if (gradDiff > 0) {
              const quad = QDi + QD[j]! - yi2 * Q[ri + j]!;
              const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
              if (objDiff <= objDiffMin) { GminIdx = j; objDiffMin = objDiff; }
            }
          }
        } else if (status[j] !== UPPER) {
          const gradDiff = Gmax - Gj;
          if (-Gj >= Gmax2) Gmax2 = -Gj;
          if (gradDiff > 0) {
            const quad = QDi + QD[j]! + yi2 * Q[ri + j]!;
            const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
            if (objDiff <= objDiffMin) { GminIdx = j; objDiffMin = objDiff; }
          }
        }
      }
    }
    if (Gmax + Gmax2 < eps || GminIdx === -1) return true;
    outI = GmaxIdx;
    outJ = GminIdx;
    return false;
  };

  const beShrunk = (i: number, Gmax1: number, Gmax2: number): boolean => {
    const s = status[i]!;
    if (s === UPPER) return y[i] === 1 ? -G[i]! > Gmax1 : -G[i]! > Gmax2;
    if (s === LOWER) return y[i] === 1 ? G[i]! > Gmax2 : G[i]! > Gmax1;
    return false;
  };

  const doShrinking = () => {
    let Gmax1 = -Infinity, Gmax2 = -Infinity;
    for (let i = 0; i < activeSize; i++) {
      const Gi = G[i]!;
      if (y[i] === 1) {
        if (status[i] !== UPPER && -Gi >= Gmax1) Gmax1 = -Gi;
        if (status[i] !== LOWER && Gi >= Gmax2) Gmax2 = Gi;
      } else {
        if (status[i] !== UPPER && -Gi >= Gmax2) Gmax2 = -Gi;
        if (status[i] !== LOWER && Gi >= Gmax1) Gmax1 = Gi;
      }
    }
    if (!unshrink && Gmax1 + Gmax2 <= eps * 10) {
      unshrink = true;
      reconstructGradient();
      activeSize = l;
    }
    for (let i = 0; i < activeSize; i++) {
      if (beShrunk(i, Gmax1, Gmax2)) {
        activeSize--;
        while (activeSize > i) {
          if (!beShrunk(activeSize, Gmax1, Gmax2)) { swapIndex(i, activeSize); break; }
          activeSize--;
        }
      }
    }
  };

  let converged = true;
  for (;;) {
    if (iter >= maxIter) { converged = false; break; }
    if (--counter === 0) {
      counter = Math.min(l, 1000);
      doShrinking();
    }
    if (selectWorkingSet()) {
      reconstructGradient();
      activeSize = l;
      if (selectWorkingSet()) break;
      counter = 1;
    }
    ++iter;
    const i = outI, j = outJ;
    const ri = i * l, rj = j * l;
    const Ci = C[i]!, Cj = C[j]!;
    const oldAi = alpha[i]!, oldAj = alpha[j]!;
    let ai = oldAi, aj = oldAj;
    if (y[i] !== y[j]) {
      let quad = QD[i]! + QD[j]! + 2 * Q[ri + j]!;
      if (quad <= 0) quad = TAU;
      const delta = (-G[i]! - G[j]!) / quad;
      const diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) { aj = 0; ai = diff; }
      } else if (ai < 0) { ai = 0; aj = -diff; }
      if (diff > Ci - Cj) {
        if (ai > Ci) { ai = Ci; aj = Ci - diff; }
      } else if (aj > Cj) { aj = Cj; ai = Cj + diff; }
    } else {
      let quad = QD[i]! + QD[j]! - 2 * Q[ri + j]!;
      if (quad <= 0) quad = TAU;
      const delta = (G[i]! - G[j]!) / quad;
      const sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > Ci) {
        if (ai > Ci) { ai = Ci; aj = sum - Ci; }
      } else if (aj < 0) { aj = 0; ai = sum; }
      if (sum > Cj) {
        if (aj > Cj) { aj = Cj; ai = sum - Cj; }
      } else if (ai < 0) { ai = 0; aj = sum; }
    }
    alpha[i] = ai;
    alpha[j] = aj;
    const dai = ai - oldAi, daj = aj - oldAj;
    for (let k = 0; k < activeSize; k++) G[k] += Q[ri + k]! * dai + Q[rj + k]! * daj;

    const ui = status[i] === UPPER, uj = status[j] === UPPER;
    updateStatus(i);
    updateStatus(j);
    if (ui !== (status[i] === UPPER)) {
      if (ui) for (let k = 0; k < l; k++) Gbar[k] -= Ci * Q[ri + k]!;
      else for (let k = 0; k < l; k++) Gbar[k] += Ci * Q[ri + k]!;
    }
    if (uj !== (status[j] === UPPER)) {
      if (uj) for (let k = 0; k < l; k++) Gbar[k] -= Cj * Q[rj + k]!;
      else for (let k = 0; k < l; k++) Gbar[k] += Cj * Q[rj + k]!;
    }
  }
  if (!converged && activeSize < l) {
    reconstructGradient();
    activeSize = l;
  }

  // calculate_rho
  let nrFree = 0, ub = Infinity, lb = -Infinity, sumFree = 0;
  for (let i = 0; i < activeSize; i++) {
    const yG = y[i]! * G[i]!;
    const s = status[i]!;
    if (s === UPPER) {
      if (y[i] === -1) ub = Math.min(ub, yG); else lb = Math.max(lb, yG);
    } else if (s === LOWER) {
      if (y[i] === 1) ub = Math.min(ub, yG); else lb = Math.max(lb, yG);
    } else { ++nrFree; sumFree += yG; }
  }
  const rho = nrFree > 0 ? sumFree / nrFree : (ub + lb) / 2;

  const out = new Float64Array(l);
  for (let i = 0; i < l; i++) out[active[i]!] = alpha[i]!;
  return { alpha: out, rho, iterations: iter, converged };
}

/** Fits the linear C-SVC on the training Gram matrix K (n × n) and 0/1 labels y. */
export function fitSvc(K: Float64Array, n: number, y: Float64Array, opts: ModelOptions = {}): DualFit {
  checkGram('svc', K, n);
  return fitSvcCheckedGram(K, n, y, opts);
}

/** libsvm's binary problem for 0/1 labels y: the sample order, the class-0 count, C per class, the iteration cap. */
export interface SvcProblem { perm: Int32Array; n0: number; C0: number; C1: number; maxIter: number }

export function svcProblem(y: ArrayLike<number>, n: number, opts: ModelOptions = {}): SvcProblem {
  const { n0, n1 } = checkLabels('svc', y, n);
  const C = positiveOption('svc', 'C', opts.C, 1);
  const [w0, w1] = classWeights('svc', opts, n0, n1);
  // libsvm's grouping (scikit-learn sorts the labels): class 0 first, then class 1.
  const perm = new Int32Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) if (y[i] === 0) perm[p++] = i;
  for (let i = 0; i < n; i++) if (y[i] === 1) perm[p++] = i;
  return { perm, n0, C0: C * w0, C1: C * w1, maxIter: Math.max(10_000_000, 100 * n) };
}

/**
 * fitSvc for a K that already passed checkGram (the permutation test checks each fold's K once).
 * `unchanging`: the caller never writes to K (wasm: consecutive fits on the same K skip its copy).
 */
export function fitSvcCheckedGram(K: Float64Array, n: number, y: Float64Array, opts: ModelOptions = {}, unchanging = false): DualFit {
  const { perm, n0, C0, C1, maxIter } = svcProblem(y, n, opts);
  const l = n;
  const ws = wasmWorkspace();
  if (ws) return fitSvcWasm(ws, K, n, perm, n0, C0, C1, maxIter, unchanging);
  ensure(n);
  const Q = wsQ, QD = wsQD, ys = wsY, Cs = wsC;
  for (let a = 0; a < l; a++) {
    const ya = a < n0 ? 1 : -1;
    ys[a] = ya;
    Cs[a] = a < n0 ? C0 : C1;
    const ra = perm[a]! * n, qa = a * l;
    QD[a] = K[ra + perm[a]!]!;
    for (let b = 0; b < l; b++) {
      const k = K[ra + perm[b]!]!;
      Q[qa + b] = (b < n0) === (ya === 1) ? k : -k; // Float32Array store = libsvm's (Qfloat) cast
    }
  }
  const sol = solve(l, Q, QD, ys, Cs, SVC_EPS, maxIter, wsAlpha, wsG, wsGbar, wsStatus, wsActive);
  // libsvm: coef_a = α_a y_a (y = +1 for class 0) and decision = Σ coef K − ρ; scikit-learn flips both.
  const coef = new Float64Array(n);
  for (let a = 0; a < l; a++) {
    const al = sol.alpha[a]!;
    coef[perm[a]!] = a < n0 ? 0 - al : al;
  }
  return { model: 'svc', coef, intercept: sol.rho, iterations: sol.iterations, converged: sol.converged };
}

/** The same solver in wasm (assembly/solvers.ts svc_solve): bit-identical to the TS path. */
function fitSvcWasm(ws: WasmWorkspace, K: Float64Array, n: number, perm: Int32Array, n0: number, C0: number, C1: number, maxIter: number, unchanging: boolean): DualFit {
  const k = ws.kernels;
  const permP = ws.ptr('svc.perm', n * 4);
  const workP = ws.ptr('svc.work', k.svcWorkBytes(n));
  const outP = ws.ptr('svc.out', (n + 3) * 8);
  const kP = ws.putF64('svc.K', K, unchanging);
  ws.arena.i32(permP, n).set(perm);
  k.svcSolve({ K: kP, n, perm: permP, n0, C0, C1, eps: SVC_EPS, maxIter, work: workP, out: outP });
  const o = ws.arena.f64(outP, n + 3);
  return { model: 'svc', coef: o.slice(0, n), intercept: o[n]!, iterations: o[n + 1]!, converged: o[n + 2] === 1 };
}

export const svc: DualModel = {
  name: 'svc',
  kind: 'classification',
  fit: fitSvc,
  decision: linearDecision,
};
