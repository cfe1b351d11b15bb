/**
 * The projection W (n_rows × T) that turns a voxel time series y (length T) into one estimate
 * per trial: patterns = W · Y (ARCHITECTURE.md, "The stream pass").
 *
 * Design (see regressors.ts and drift.ts for the regressor conventions):
 * - Trial regressors: one per trial that is not missed, not `modelled: false`, starts before
 *   the scan end (onset < T·TR) and has a non-zero sampled regressor. Each is the HRF-convolved
 *   boxcar (amplitude 1) of that trial alone.
 * - Missed trials never get a row: all of them (that start before the scan end and are not
 *   `modelled: false`) are summed into ONE nuisance regressor `missed_trials` (omitted when
 *   there are none or it is all zero).
 * - Nuisance N = [drift_1 … drift_K, constant, confounds…, missed_trials]: the cosine basis of
 *   the high-pass filter (default 128 s) with its constant, then the confound columns as given.
 * - `modelled: false` removes a trial from every model (no row, no regressor).
 *
 * Estimators (row i of W · y):
 * - lsa: OLS beta of trial i in [one regressor per modelled trial | N].
 * - lss: (Mumford et al. 2012) OLS beta of trial i in [trial i | sum of all other modelled
 *   trials | N].
 * - lag: mean of the nuisance-cleaned volumes (residuals of y on N) whose frame time
 *   t_k = (k + sliceTimeRef)·TR lies in [onset + lag0, onset + lag1] (closed, ±1e−9 s; default
 *   [4, 8] s). A trial with no volume in its window gets no row (warning). Lag rows need no
 *   trial regressor, so a trial whose regressor is zero but whose window is not empty still gets
 *   a row (cannot happen with the default window).
 *
 * Algorithm (Frisch–Waugh–Lovell): one pivoted Householder QR of N gives an orthonormal basis
 * Q of its column space; M = I − Q Qᵀ. The trial columns are residualised once (X̃ = M X,
 * O(T·n·r)). Then
 *   lsa: W = pinv(X̃) (pivoted QR of X̃, O(T·n²));
 *   lss: with a = x̃_i and b = Σ_{j≠i} x̃_j, a⊥ = a − (aᵀb / bᵀb) b and row i = a⊥ᵀ / ‖a⊥‖²
 *        (exactly the beta of a in [a | b | N]), O(T) per trial;
 *   lag: row i = mean over the window of the rows of M.
 *
 * Rank deficiency: N may be collinear (few volumes and a saturating drift basis, a constant
 * confound next to the intercept, duplicated confounds). Its rank is decided as
 * numpy.linalg.lstsq does (|R_kk| ≤ max(T, p)·eps·|R_00| ⇒ dependent); only the column space
 * of N matters for the trial betas and the residuals, so the result equals lstsq/pinv on the
 * full model whenever the trials themselves are identifiable (a warning reports the rank).
 * Trials that are not identifiable (a residualised regressor, or the part of it not explained
 * by the other trials, of norm ≤ 1e−10 × its raw norm) get the minimum-norm solution of the
 * residualised problem (pinv) and a warning: their betas are not meaningful.
 */
import { DdError, type DdWarning } from '../errors.ts';
import { cosineDrift } from './drift.ts';
import { dot, formQ, pinvTall, qrPivoted, residualizeColumns } from './linalg.ts';
import { eventRegressor, frameTimes, makeRegressorGrid, scanEnd, type RegressorGrid } from './regressors.ts';

export type Estimator = 'lss' | 'lsa' | 'lag';

export interface DesignTrial {
  /** Trial index in the run's trial table (reported back in `rows`). */
  index: number;
  onset: number;
  duration: number;
  missed: boolean;
  /** false: leave this trial out of every model. Default true. */
  modelled?: boolean;
}

export interface DesignInput {
  trials: readonly DesignTrial[];
  tr: number;
  nVolumes: number;
  /** Confound columns, each of length nVolumes. */
  confounds: readonly Float64Array[];
  /** Names of the confound columns (default confound_0, confound_1, …). */
  confoundNames?: readonly string[];
  /** Default 0.5. */
  sliceTimeRef?: number;
  /** High-pass period in seconds. Default 128. */
  highPassS?: number;
}

export interface ProjectionInput extends DesignInput {
  estimator: Estimator;
  /** Default [4, 8] s after onset. */
  lagWindowS?: readonly [number, number];
}

export interface Design {
  grid: RegressorGrid;
  frameTimes: Float64Array;
  /** Trials with a regressor (rows of lss/lsa), in input order. */
  trialIndex: number[];
  trialRegressors: Float64Array[];
  /** Non-missed, modelled trials that start before the scan end (candidate lag rows). */
  candidates: DesignTrial[];
  missedRegressor: Float64Array | null;
  nuisance: Float64Array[];
  nuisanceNames: string[];
  warnings: DdWarning[];
}

export interface Projection {
  estimator: Estimator;
  /** nRows × T, row-major. */
  W: Float64Array;
  /** Trial index of each row of W. */
  rows: number[];
  nVolumes: number;
  nuisanceNames: string[];
  /** Numerical rank of the nuisance matrix. */
  nuisanceRank: number;
  warnings: DdWarning[];
}

/** Relative tolerance under which a trial regressor counts as not identifiable. */
export const TRIAL_IDENTIFIABILITY_TOL = 1e-10;
/** Tolerance (s) on the lag-window boundaries. */
export const LAG_WINDOW_TOL_S = 1e-9;

function allZero(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) return false;
  return true;
}

function norm2(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/** Trial regressors, missed regressor and nuisance matrix of one run. */
export function buildDesign(input: DesignInput): Design {
  const { tr, nVolumes: T } = input;
  const sliceTimeRef = input.sliceTimeRef ?? 0.5;
  const highPassS = input.highPassS ?? 128;
  const grid = makeRegressorGrid(tr, T, { sliceTimeRef });
  const drift = cosineDrift(T, tr, highPassS);
  const warnings: DdWarning[] = [...drift.warnings];
  const end = scanEnd(tr, T);

  const seen = new Set<number>();
  const trialIndex: number[] = [];
  const trialRegressors: Float64Array[] = [];
  const candidates: DesignTrial[] = [];
  const missedEvents: { onset: number; duration: number }[] = [];
  for (const t of input.trials) {
    if (!Number.isFinite(t.onset) || !Number.isFinite(t.duration) || t.duration < 0)
      throw new DdError(
        'DESIGN_BAD_EVENT',
        `Trial ${t.index}: onset and duration must be finite numbers with duration ≥ 0 (got onset ${t.onset}, duration ${t.duration}); fix the events table.`,
      );
    if (seen.has(t.index)) throw new DdError('DESIGN_DUPLICATE_TRIAL', `Trial index ${t.index} appears twice in the design input.`);
    seen.add(t.index);
    if (t.modelled === false) continue;
    if (t.onset >= end) {
      warnings.push({
        code: 'DESIGN_TRIAL_AFTER_SCAN',
        message: `Trial ${t.index}${t.missed ? ' (missed)' : ''} starts at ${t.onset} s, at or after the scan end (${end} s): not modelled.`,
      });
      continue;
    }
    if (t.missed) {
      missedEvents.push({ onset: t.onset, duration: t.duration });
      continue;
    }
    candidates.push(t);
    const reg = eventRegressor(grid, [{ onset: t.onset, duration: t.duration }]);
    if (allZero(reg)) {
      warnings.push({
        code: 'DESIGN_TRIAL_NO_SIGNAL',
        message: `Trial ${t.index} (onset ${t.onset} s, duration ${t.duration} s) has no HRF response at any frame time: not modelled.`,
      });
      continue;
    }
    trialIndex.push(t.index);
    trialRegressors.push(reg);
  }

  let missedRegressor: Float64Array | null = null;
  if (missedEvents.length > 0) {
    const reg = eventRegressor(grid, missedEvents);
    if (!allZero(reg)) missedRegressor = reg;
  }

  const nuisance: Float64Array[] = [...drift.columns];
  const nuisanceNames: string[] = [...drift.names];
  input.confounds.forEach((c, j) => {
    const name = input.confoundNames?.[j] ?? `confound_${j}`;
    if (c.length !== T)
      throw new DdError('DESIGN_BAD_CONFOUND', `Confound ${name} has ${c.length} rows but the run has ${T} volumes.`);
    for (let i = 0; i < T; i++)
      if (!Number.isFinite(c[i]))
        throw new DdError('DESIGN_BAD_CONFOUND', `Confound ${name} has a non-finite value at volume ${i}; fill n/a values before building the design.`);
    nuisance.push(Float64Array.from(c));
    nuisanceNames.push(name);
  });
  if (missedRegressor) {
    nuisance.push(missedRegressor);
    nuisanceNames.push('missed_trials');
  }
  return {
    grid,
    frameTimes: frameTimes(tr, T, sliceTimeRef),
    trialIndex,
    trialRegressors,
    candidates,
    missedRegressor,
    nuisance,
    nuisanceNames,
    warnings,
  };
}

function packColumns(cols: readonly Float64Array[], T: number): Float64Array {
  const A = new Float64Array(T * cols.length);
  cols.forEach((c, j) => A.set(c, j * T));
  return A;
}

/** Build W for one run (see the module comment for the exact semantics). */
export function buildProjection(input: ProjectionInput): Projection {
  const T = input.nVolumes;
  const estimator = input.estimator;
  if (estimator !== 'lss' && estimator !== 'lsa' && estimator !== 'lag')
    throw new DdError('DESIGN_BAD_INPUT', `Unknown estimator "${String(estimator)}"; use lss, lsa or lag.`);
  const design = buildDesign(input);
  const warnings = design.warnings;

  // nuisance column space
  const p = design.nuisance.length;
  const fN = qrPivoted(packColumns(design.nuisance, T), T, p);
  const r = fN.rank;
  const Q = formQ(fN, r);
  if (r < p)
    warnings.push({
      code: 'DESIGN_NUISANCE_RANK_DEFICIENT',
      message: `The nuisance regressors (${p} columns: drift, constant, confounds${design.missedRegressor ? ', missed trials' : ''}) have rank ${r}; collinear columns are projected out once (as least squares with a pseudo-inverse would).`,
    });
  if (r >= T)
    warnings.push({
      code: 'DESIGN_NO_RESIDUAL_DF',
      message: `The nuisance regressors span all ${T} volumes: every trial estimate is 0. Use fewer confounds or a longer high-pass period.`,
    });

  if (estimator === 'lag') return lagProjection(input, design, Q, r, warnings);

  const n = design.trialIndex.length;
  const X = packColumns(design.trialRegressors, T);
  residualizeColumns(X, T, n, Q, r);
  const rawNorms = design.trialRegressors.map(norm2);
  const W = new Float64Array(n * T);

  if (estimator === 'lsa') {
    const maxRaw = rawNorms.reduce((a, b) => Math.max(a, b), 0);
    const { pinv, rank } = pinvTall(X, T, n, TRIAL_IDENTIFIABILITY_TOL, TRIAL_IDENTIFIABILITY_TOL * maxRaw);
    if (rank < n)
      warnings.push({
        code: 'DESIGN_TRIALS_COLLINEAR',
        message: `LSA: the ${n} trial regressors have rank ${rank} after removing the nuisance; minimum-norm betas are reported but some trials are not identifiable (overlapping or duplicated trials?).`,
      });
    W.set(pinv);
    return { estimator, W, rows: [...design.trialIndex], nVolumes: T, nuisanceNames: design.nuisanceNames, nuisanceRank: r, warnings };
  }

  // lss
  const S = new Float64Array(T);
  const Sraw = new Float64Array(T);
  for (let j = 0; j < n; j++) {
    const off = j * T;
    const raw = design.trialRegressors[j];
    for (let t = 0; t < T; t++) {
      S[t] += X[off + t];
      Sraw[t] += raw[t];
    }
  }
  const b = new Float64Array(T);
  const aPerp = new Float64Array(T);
  const notIdentifiable: number[] = [];
  for (let i = 0; i < n; i++) {
    const off = i * T;
    const raw = design.trialRegressors[i];
    let bb = 0;
    let bbRaw = 0;
    for (let t = 0; t < T; t++) {
      const v = S[t] - X[off + t];
      b[t] = v;
      bb += v * v;
      const w = Sraw[t] - raw[t];
      bbRaw += w * w;
    }
    const useB = n > 1 && bb > TRIAL_IDENTIFIABILITY_TOL * TRIAL_IDENTIFIABILITY_TOL * bbRaw && bb > 0;
    for (let t = 0; t < T; t++) aPerp[t] = X[off + t];
    if (useB) {
      for (let pass = 0; pass < 2; pass++) {
        const c = dot(aPerp, b) / bb;
        for (let t = 0; t < T; t++) aPerp[t] -= c * b[t];
      }
    }
    const aa = dot(aPerp, aPerp);
    const tol = TRIAL_IDENTIFIABILITY_TOL * rawNorms[i];
    if (aa > tol * tol && aa > 0) {
      const inv = 1 / aa;
      for (let t = 0; t < T; t++) W[off + t] = aPerp[t] * inv;
    } else {
      notIdentifiable.push(design.trialIndex[i]);
      // minimum-norm solution of the residualised 2-column problem
      const A2 = new Float64Array(2 * T);
      A2.set(X.subarray(off, off + T), 0);
      if (useB) A2.set(b, T);
      const absTol = TRIAL_IDENTIFIABILITY_TOL * Math.max(rawNorms[i], Math.sqrt(bbRaw));
      const { pinv } = pinvTall(A2, T, useB ? 2 : 1, TRIAL_IDENTIFIABILITY_TOL, absTol);
      W.set(pinv.subarray(0, T), off);
    }
  }
  if (notIdentifiable.length > 0)
    warnings.push({
      code: 'DESIGN_TRIALS_COLLINEAR',
      message: `LSS: trial(s) ${notIdentifiable.join(', ')} are not identifiable from the other trials and the nuisance; minimum-norm betas are reported but are not meaningful.`,
    });
  return { estimator, W, rows: [...design.trialIndex], nVolumes: T, nuisanceNames: design.nuisanceNames, nuisanceRank: r, warnings };
}

function lagProjection(input: ProjectionInput, design: Design, Q: Float64Array, r: number, warnings: DdWarning[]): Projection {
  const T = input.nVolumes;
  const [lag0, lag1] = input.lagWindowS ?? [4, 8];
  if (!(Number.isFinite(lag0) && Number.isFinite(lag1) && lag0 <= lag1))
    throw new DdError('DESIGN_BAD_INPUT', `The lag window must be two finite times [start, end] with start ≤ end, got [${lag0}, ${lag1}].`);
  const ft = design.frameTimes;
  const rows: number[] = [];
  const rowData: Float64Array[] = [];
  const qsum = new Float64Array(r);
  for (const t of design.candidates) {
    const lo = t.onset + lag0 - LAG_WINDOW_TOL_S;
    const hi = t.onset + lag1 + LAG_WINDOW_TOL_S;
    const ks: number[] = [];
    for (let k = 0; k < T; k++) if (ft[k] >= lo && ft[k] <= hi) ks.push(k);
    if (ks.length === 0) {
      warnings.push({
        code: 'DESIGN_LAG_WINDOW_EMPTY',
        message: `Trial ${t.index}: no volume is acquired between ${lag0} s and ${lag1} s after its onset (${t.onset} s): not modelled.`,
      });
      continue;
    }
    const w = new Float64Array(T);
    const inv = 1 / ks.length;
    qsum.fill(0);
    for (const k of ks) {
      w[k] += inv;
      for (let c = 0; c < r; c++) qsum[c] += Q[k + c * T];
    }
    for (let c = 0; c < r; c++) {
      const s = qsum[c] * inv;
      if (s === 0) continue;
      const oc = c * T;
      for (let i = 0; i < T; i++) w[i] -= s * Q[oc + i];
    }
    rows.push(t.index);
    rowData.push(w);
  }
  const W = new Float64Array(rows.length * T);
  rowData.forEach((w, i) => W.set(w, i * T));
  return { estimator: 'lag', W, rows, nVolumes: T, nuisanceNames: design.nuisanceNames, nuisanceRank: r, warnings };
}

/**
 * Slow dense reference: patterns = W · Y, with Y (T × V, row-major, f32) → Float64Array
 * (rows × V, row-major), accumulated in f64.
 */
export function applyProjectionDense(
  W: Float64Array,
  rows: readonly number[],
  T: number,
  Y: Float32Array,
  V: number,
): Float64Array {
  const n = rows.length;
  if (W.length !== n * T) throw new DdError('DESIGN_BAD_INPUT', `W has ${W.length} entries, expected ${n} × ${T}.`);
  if (Y.length !== T * V) throw new DdError('DESIGN_BAD_INPUT', `Y has ${Y.length} entries, expected ${T} × ${V}.`);
  const out = new Float64Array(n * V);
  for (let i = 0; i < n; i++) {
    const o = i * V;
    for (let t = 0; t < T; t++) {
      const w = W[i * T + t];
      if (w === 0) continue;
      const yo = t * V;
      for (let v = 0; v < V; v++) out[o + v] += w * Y[yo + v];
    }
  }
  return out;
}
