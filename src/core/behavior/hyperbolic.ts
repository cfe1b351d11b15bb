/**
 * Hyperbolic discounting, per subject (SCIENCE.md "Behaviour").
 *
 *   SV = A / (1 + k·D)            D in days, k per day
 *   P(LL) = σ(β · (SV_LL − SV_SS))  β > 0 in 1/dollars
 *
 * Maximum likelihood over θ = (ln k, ln β) — natural logs, as the reference fit in
 * shared/data/behavior/discountFix_subject_summary.tsv (ref_k_mle = exp(ref_log_k_mle)) — within
 * the box ln k ∈ [−12, 3], ln β ∈ [−8, 5]. Starts: the best points of a deterministic 11 × 9 grid
 * over the box; each refined by a projected Newton method (exact analytic gradient and Hessian,
 * Hessian shifted to positive definite when needed, variables at an active bound held fixed,
 * Armijo backtracking along the projected path). No randomness; ~0.1 ms per subject.
 *
 * Goodness of fit: `pseudo_r2` is McFadden's R² = 1 − nll / nll₀ with the textbook null model, the
 * intercept-only (base-rate) model P(LL) = n_LL / n_valid. That null is the honest one for flags:
 * a subject who picks LL 90 % of the time is predicted well by the base rate alone, and a
 * discounting fit that cannot beat it says nothing about k. `pseudo_r2_chance` (null P = 0.5,
 * nll₀ = n·ln 2), common in the discounting literature, is reported too.
 *
 * Missed trials (choice null) are excluded from the likelihood. Trials that fall outside the scan
 * are still behaviour and are kept in the fit; they only raise the `events_after_scan` flag.
 */
import type { Trial } from '../bids/events.ts';
import { DdError } from '../errors.ts';
import { exp, log, log1p } from '../math/fdlibm.ts';

export type FitFlag =
  | 'degenerate_all_one_choice'
  | 'no_valid_trials'
  | 'at_bound'
  | 'near_chance_fit'
  | 'many_missed'
  | 'events_after_scan'
  | 'negative_onset';

export interface HyperbolicFit {
  /** Discount rate per day; null when the fit is degenerate (one choice only, or no valid trial). */
  k: number | null;
  log_k: number | null;
  beta: number | null;
  log_beta: number | null;
  /** Negative log-likelihood at the optimum (natural log). */
  nll: number | null;
  /** McFadden R² against the intercept-only (base-rate) model. */
  pseudo_r2: number | null;
  /** R² against chance (P = 0.5). */
  pseudo_r2_chance: number | null;
  aic: number | null;
  bic: number | null;
  n_trials: number;
  n_valid: number;
  n_missed: number;
  n_ll: number;
  n_ss: number;
  /** Number of free parameters (2, or 1 with fixedBeta). */
  n_params: number;
  /** β held fixed (older practice: 1 on raw dollars), else null. */
  fixed_beta: number | null;
  flags: FitFlag[];
}

export interface HyperbolicOptions {
  /** Hold β fixed at this value (older practice: 1); default: β is estimated. */
  fixedBeta?: number | null;
  /** Box for ln k; default [−12, 3]. */
  logKBounds?: [number, number];
  /** Box for ln β; default [−8, 5]. */
  logBetaBounds?: [number, number];
  /** near_chance_fit when pseudo_r2 < this; default 0.05. */
  nearChanceR2?: number;
  /** many_missed when the missed fraction exceeds this; default 0.2. */
  manyMissedFraction?: number;
  /** at_bound when a log parameter is within this of a bound; default 0.01. */
  boundTolerance?: number;
}

export const LOG_K_BOUNDS: [number, number] = [-12, 3];
export const LOG_BETA_BOUNDS: [number, number] = [-8, 5];

/** Subjective value A / (1 + k·D). */
export function subjectiveValue(amount: number, delayDays: number, k: number): number {
  return amount / (1 + k * delayDays);
}

function softplus(z: number): number {
  return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + exp(-z));
  const e = exp(z);
  return e / (1 + e);
}

/** The valid-trial data of one subject, as flat arrays. */
export interface ChoiceData {
  aL: Float64Array; dL: Float64Array; aS: Float64Array; dS: Float64Array; y: Float64Array; n: number;
}

export function choiceData(trials: readonly Trial[]): ChoiceData {
  const valid = trials.filter((t) => t.choice !== null);
  const n = valid.length;
  const d: ChoiceData = {
    aL: new Float64Array(n), dL: new Float64Array(n), aS: new Float64Array(n), dS: new Float64Array(n), y: new Float64Array(n), n,
  };
  valid.forEach((t, i) => {
    d.aL[i] = t.amountLater; d.dL[i] = t.delayLater; d.aS[i] = t.amountSooner; d.dS[i] = t.delaySooner; d.y[i] = t.choice!;
  });
  return d;
}

/** Negative log-likelihood at (ln k, ln β). */
export function hyperbolicNll(data: ChoiceData, logK: number, logBeta: number): number {
  const k = exp(logK), b = exp(logBeta);
  let f = 0;
  for (let i = 0; i < data.n; i++) {
    const z = b * (data.aL[i]! / (1 + k * data.dL[i]!) - data.aS[i]! / (1 + k * data.dS[i]!));
    f += softplus(z) - data.y[i]! * z;
  }
  return f;
}

export interface NllDerivatives { f: number; g0: number; g1: number; h00: number; h01: number; h11: number }
type Deriv = NllDerivatives;

/** NLL with its exact gradient (g0 = ∂/∂ln k, g1 = ∂/∂ln β) and Hessian (h00, h01, h11). */
export function hyperbolicNllDerivatives(data: ChoiceData, logK: number, logBeta: number): NllDerivatives {
  return nllDeriv(data, logK, logBeta);
}

function nllDeriv(data: ChoiceData, u: number, v: number): Deriv {
  const k = exp(u), b = exp(v);
  let f = 0, g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
  for (let i = 0; i < data.n; i++) {
    const aL = data.aL[i]!, dL = data.dL[i]!, aS = data.aS[i]!, dS = data.dS[i]!;
    const qL = 1 + k * dL, qS = 1 + k * dS;
    const d = aL / qL - aS / qS;
    const kdL = k * dL, kdS = k * dS;
    const du = -aL * kdL / (qL * qL) + aS * kdS / (qS * qS);
    const duu = -aL * kdL * (1 - kdL) / (qL * qL * qL) + aS * kdS * (1 - kdS) / (qS * qS * qS);
    const z = b * d, zu = b * du, zuu = b * duu;
    const p = sigmoid(z);
    const r = p - data.y[i]!;
    const w = p * (1 - p);
    f += softplus(z) - data.y[i]! * z;
    g0 += r * zu; g1 += r * z;
    h00 += w * zu * zu + r * zuu;
    h01 += w * zu * z + r * zu;
    h11 += w * z * z + r * z;
  }
  return { f, g0, g1, h00, h01, h11 };
}

interface Box { lo: [number, number]; hi: [number, number]; free: [boolean, boolean] }

/** Projected Newton from x0; returns the local minimum found. */
function projectedNewton(data: ChoiceData, x0: [number, number], box: Box): { x: [number, number]; f: number } {
  let x: [number, number] = [x0[0], x0[1]];
  const clip = (i: number, t: number) => Math.min(box.hi[i]!, Math.max(box.lo[i]!, t));
  let cur = nllDeriv(data, x[0], x[1]);
  for (let iter = 0; iter < 200; iter++) {
    const g = [cur.g0, cur.g1];
    // Active set: fixed variables, and variables at a bound with the gradient pushing outward.
    const act = [0, 1].map((i) => !box.free[i] ||
      (x[i]! <= box.lo[i]! + 1e-12 && g[i]! > 0) || (x[i]! >= box.hi[i]! - 1e-12 && g[i]! < 0));
    // Projected-gradient convergence test.
    let pg = 0;
    for (let i = 0; i < 2; i++) if (box.free[i]) pg = Math.max(pg, Math.abs(clip(i, x[i]! - g[i]!) - x[i]!));
    if (pg < 1e-9) break;
    const p = [0, 0];
    if (!act[0] && !act[1]) {
      let a = cur.h00, c = cur.h11;
      const bb = cur.h01;
      // Shift to positive definite if needed (eigenvalues of the symmetric 2×2).
      const tr = a + c, det = a * c - bb * bb;
      const disc = Math.sqrt(Math.max(0, tr * tr / 4 - det));
      const lmin = tr / 2 - disc, lmax = tr / 2 + disc;
      const floor = 1e-8 * Math.max(1, Math.abs(lmax));
      if (lmin < floor) { const s = floor - lmin; a += s; c += s; }
      const dt = a * c - bb * bb;
      p[0] = -(c * g[0]! - bb * g[1]!) / dt;
      p[1] = -(-bb * g[0]! + a * g[1]!) / dt;
    } else {
      for (let i = 0; i < 2; i++) {
        if (act[i]) continue;
        const h = i === 0 ? cur.h00 : cur.h11;
        p[i] = h > 1e-12 ? -g[i]! / h : -g[i]! / Math.max(1e-12, Math.abs(h) + 1);
      }
    }
    // Trust cap: at most 2 log units per step (an indefinite Hessian's shifted step can be huge).
    const pmax = Math.max(Math.abs(p[0]!), Math.abs(p[1]!));
    if (pmax > 2) { p[0] = p[0]! * (2 / pmax); p[1] = p[1]! * (2 / pmax); }
    // Converged when the model predicts no useful decrease (avoids a futile line search at the optimum).
    if (-(g[0]! * p[0]! + g[1]! * p[1]!) < 1e-13 * (1 + Math.abs(cur.f))) break;
    // Armijo backtracking along the projection.
    let t = 1;
    let accepted = false;
    let xn: [number, number] = x;
    let fn = cur.f;
    for (let ls = 0; ls < 60; ls++) {
      xn = [clip(0, x[0] + t * p[0]!), clip(1, x[1] + t * p[1]!)];
      fn = hyperbolicNll(data, xn[0], xn[1]);
      const dec = g[0]! * (xn[0] - x[0]) + g[1]! * (xn[1] - x[1]);
      // Sufficient decrease; never accept an increase even if projection bent the step.
      if (fn <= cur.f + 1e-4 * Math.min(dec, 0) && (fn < cur.f || dec < 0)) { accepted = true; break; }
      t *= 0.5;
    }
    if (!accepted) break;
    const step = Math.max(Math.abs(xn[0] - x[0]), Math.abs(xn[1] - x[1]));
    const df = cur.f - fn;
    x = xn;
    cur = nllDeriv(data, x[0], x[1]);
    if (step < 1e-12 || (df >= 0 && df < 1e-14 * (1 + Math.abs(fn)) && step < 1e-7)) break;
  }
  return { x, f: cur.f };
}

const GRID_U = 11;
const GRID_V = 9;
const N_STARTS = 4;

/** Fits one subject. Never throws for degenerate data: returns null parameters and flags. */
export function fitHyperbolic(trials: readonly Trial[], opts: HyperbolicOptions = {}): HyperbolicFit {
  const kB = opts.logKBounds ?? LOG_K_BOUNDS;
  const bB = opts.logBetaBounds ?? LOG_BETA_BOUNDS;
  const fixedBeta = opts.fixedBeta ?? null;
  const data = choiceData(trials);
  const nTrials = trials.length;
  let nLL = 0;
  for (let i = 0; i < data.n; i++) nLL += data.y[i]!;
  const nSS = data.n - nLL;
  const nMissed = nTrials - data.n;
  const flags: FitFlag[] = [];
  const nParams = fixedBeta === null ? 2 : 1;

  const out: HyperbolicFit = {
    k: null, log_k: null, beta: null, log_beta: null, nll: null, pseudo_r2: null, pseudo_r2_chance: null,
    aic: null, bic: null, n_trials: nTrials, n_valid: data.n, n_missed: nMissed, n_ll: nLL, n_ss: nSS,
    n_params: nParams, fixed_beta: fixedBeta, flags,
  };

  if (data.n === 0) flags.push('no_valid_trials');
  else if (nLL === 0 || nSS === 0) flags.push('degenerate_all_one_choice');
  else {
    if (fixedBeta !== null && !(fixedBeta > 0 && Number.isFinite(fixedBeta))) {
      throw new DdError('BEHAVIOR_BAD_OPTION', `fixedBeta is ${fixedBeta}; it must be a positive number (older practice: 1). Leave it unset to estimate β.`);
    }
    const vFixed = fixedBeta === null ? null : log(fixedBeta);
    const box: Box = {
      lo: [kB[0], vFixed ?? bB[0]], hi: [kB[1], vFixed ?? bB[1]], free: [true, vFixed === null],
    };
    // Deterministic grid of starts; keep the best N_STARTS.
    const us: number[] = [], vs: number[] = [];
    for (let i = 0; i < GRID_U; i++) us.push(kB[0] + ((kB[1] - kB[0]) * i) / (GRID_U - 1));
    if (vFixed === null) for (let j = 0; j < GRID_V; j++) vs.push(bB[0] + ((bB[1] - bB[0]) * j) / (GRID_V - 1));
    else vs.push(vFixed);
    const dvals = new Float64Array(data.n);
    const grid: { u: number; v: number; f: number }[] = [];
    for (const u of us) {
      const k = exp(u);
      for (let i = 0; i < data.n; i++) dvals[i] = data.aL[i]! / (1 + k * data.dL[i]!) - data.aS[i]! / (1 + k * data.dS[i]!);
      for (const v of vs) {
        const b = exp(v);
        let f = 0;
        for (let i = 0; i < data.n; i++) { const z = b * dvals[i]!; f += softplus(z) - data.y[i]! * z; }
        grid.push({ u, v, f });
      }
    }
    grid.sort((a, b) => a.f - b.f || a.u - b.u || a.v - b.v);
    let best: { x: [number, number]; f: number } | null = null;
    for (const s of grid.slice(0, N_STARTS)) {
      const r = projectedNewton(data, [s.u, s.v], box);
      if (!best || r.f < best.f - 1e-12) best = r;
    }
    const [u, v] = best!.x;
    const nll = best!.f;
    out.log_k = u; out.k = exp(u);
    out.log_beta = v; out.beta = exp(v);
    out.nll = nll;
    const p = nLL / data.n;
    const nll0 = -(nLL * log(p) + nSS * log(1 - p));
    out.pseudo_r2 = 1 - nll / nll0;
    out.pseudo_r2_chance = 1 - nll / (data.n * Math.LN2);
    out.aic = 2 * nll + 2 * nParams;
    out.bic = 2 * nll + nParams * log(data.n);
    const tol = opts.boundTolerance ?? 0.01;
    const atB = u - kB[0] < tol || kB[1] - u < tol || (vFixed === null && (v - bB[0] < tol || bB[1] - v < tol));
    if (atB) flags.push('at_bound');
    if (out.pseudo_r2 < (opts.nearChanceR2 ?? 0.05)) flags.push('near_chance_fit');
  }
  if (nTrials > 0 && nMissed / nTrials > (opts.manyMissedFraction ?? 0.2)) flags.push('many_missed');
  if (trials.some((t) => t.flags.includes('after_scan'))) flags.push('events_after_scan');
  if (trials.some((t) => t.flags.includes('negative_onset'))) flags.push('negative_onset');
  return out;
}
