/**
 * Representational geometry of one ROI (SCIENCE.md "Geometry"). Inputs are trial patterns X
 * (n trials × p voxels, row-major, any numeric array; all arithmetic in f64):
 *
 *  - `correlationRdm(X, n, p)`: D[i,j] = 1 − Pearson r(x_i, x_j) across voxels (scipy's
 *    pdist(X, 'correlation')). A constant pattern has r undefined: its row is NaN.
 *  - `crossnobisRdm(X, n, p, conditions, runs)`: the cross-validated (squared) Euclidean distance
 *    between condition-averaged patterns, without noise normalisation ("crossnobis" with an
 *    identity noise covariance, as rsatoolbox's crossnobis with noise=None):
 *        m_c^r = mean of the trials of condition c in run r (p-vector),
 *        d(c, c') = 1/|P| Σ_{(a,b) ∈ P} (m_c^a − m_{c'}^a)·(m_c^b − m_{c'}^b) / p,
 *    over the ordered pairs P of distinct runs a ≠ b in which both conditions occur (the ordered
 *    and unordered averages are equal). Unbiased: its expectation is the true squared distance
 *    per voxel, so it is ≈ 0 (and can be negative) for conditions that do not differ. NaN when
 *    fewer than two runs hold both conditions.
 *  - `modelRdm(values, kind)`: 'categorical' (e.g. choice): 0 same, 1 different;
 *    'absdiff' (sv_diff, later_delay): |v_i − v_j|.
 *  - `rsa(dataRdm, n, modelValues, kind, {permutations, seed})`: Spearman ρ between the upper
 *    triangles (scipy.stats.spearmanr, mid-ranks), with a permutation test over the trial labels
 *    (the model variable permuted across trials, the model RDM rebuilt; seeded Rng;
 *    p = (1 + #{ρ_null ≥ ρ}) / (1 + N), one-sided). NaN entries of the data RDM are left out.
 *  - `pca(X, n, p)`: eigenvalues of the sample covariance (ddof 1) of the centred patterns,
 *    computed from the n × n matrix Xc Xcᵀ / (n − 1); explained variance ratios as scikit-learn's
 *    PCA().explained_variance_ratio_ (length min(n, p)), participation ratio (Σλ)² / Σλ².
 *  - `classicalMds(D, n, dims)`: Torgerson's MDS of a distance matrix: B = −½ J D² J
 *    (double centring), coordinates = top `dims` eigenvectors × √λ (λ ≤ 0 give 0). Sign
 *    convention: each axis is flipped so that its largest-magnitude coordinate is positive
 *    (scikit-learn's svd_flip rule); ties go to the first such trial.
 *  - `distanceRatio(D, n, labels, {permutations, seed})`: mean between-condition distance / mean
 *    within-condition distance over the upper triangle (> 1: trials of a condition are closer to
 *    each other), with a permutation test over the labels, p = (1 + #{null ≥ obs}) / (1 + N).
 */
import { DdError } from '../errors.ts';
import { midRanks } from '../mvpa/metrics.ts';
import { Rng } from '../random.ts';
import { symEig } from './linalg.ts';

export { symEig, type SymEig } from './linalg.ts';

export type ModelRdmKind = 'categorical' | 'absdiff';

function checkX(X: ArrayLike<number>, n: number, p: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(p) || n < 2 || p < 1 || X.length !== n * p) {
    throw new DdError('GEOMETRY_BAD_SHAPE', `${what}: patterns must be n × p with n ≥ 2 trials and p ≥ 1 voxels; got ${X.length} values for ${n} × ${p}.`);
  }
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i]!)) throw new DdError('GEOMETRY_NAN', `${what}: pattern value ${i % p} of trial ${Math.floor(i / p)} is ${X[i]}; geometry needs finite patterns.`);
  }
}

/** 1 − Pearson r between every pair of rows (n × n, zero diagonal). */
export function correlationRdm(X: ArrayLike<number>, n: number, p: number): Float64Array {
  checkX(X, n, p, 'correlationRdm');
  const Z = new Float64Array(n * p);
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < p; k++) m += X[i * p + k]!;
    m /= p;
    let ss = 0;
    for (let k = 0; k < p; k++) { const d = X[i * p + k]! - m; Z[i * p + k] = d; ss += d * d; }
    if (ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let k = 0; k < p; k++) Z[i * p + k]! *= inv;
      ok[i] = 1;
    }
  }
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let d = NaN;
      if (ok[i] && ok[j]) {
        let s = 0;
        for (let k = 0; k < p; k++) s += Z[i * p + k]! * Z[j * p + k]!;
        d = 1 - Math.max(-1, Math.min(1, s));
      }
      D[i * n + j] = d;
      D[j * n + i] = d;
    }
    D[i * n + i] = ok[i] ? 0 : NaN;
  }
  return D;
}

export interface CrossnobisResult {
  /** c × c distances between the conditions (sorted distinct condition codes). */
  rdm: Float64Array;
  conditions: number[];
  runs: number[];
}

/** Cross-validated squared Euclidean distance per voxel between condition means across runs (see the module doc). */
export function crossnobisRdm(
  X: ArrayLike<number>, n: number, p: number, conditions: ArrayLike<number>, runs: ArrayLike<number>,
): CrossnobisResult {
  checkX(X, n, p, 'crossnobisRdm');
  if (conditions.length !== n || runs.length !== n) {
    throw new DdError('GEOMETRY_BAD_SHAPE', `crossnobisRdm: ${conditions.length} condition labels and ${runs.length} run labels for ${n} trials.`);
  }
  const conds = [...new Set(Array.from(conditions))].sort((a, b) => a - b);
  const runList = [...new Set(Array.from(runs))].sort((a, b) => a - b);
  if (runList.length < 2) {
    throw new DdError('GEOMETRY_ONE_RUN', `crossnobisRdm: cross-validated distances need at least two runs, got ${runList.length}. Use the correlation RDM for single-run data.`);
  }
  const C = conds.length, R = runList.length;
  const ci = new Map(conds.map((c, k) => [c, k]));
  const ri = new Map(runList.map((r, k) => [r, k]));
  const means = new Float64Array(C * R * p);
  const counts = new Float64Array(C * R);
  for (let i = 0; i < n; i++) {
    const cr = ci.get(conditions[i]!)! * R + ri.get(runs[i]!)!;
    counts[cr]++;
    const o = cr * p;
    for (let k = 0; k < p; k++) means[o + k] += X[i * p + k]!;
  }
  for (let cr = 0; cr < C * R; cr++) if (counts[cr]! > 0) for (let k = 0; k < p; k++) means[cr * p + k] /= counts[cr]!;
  const rdm = new Float64Array(C * C);
  const da = new Float64Array(p), db = new Float64Array(p);
  for (let c1 = 0; c1 < C; c1++) {
    for (let c2 = 0; c2 < c1; c2++) {
      let s = 0, pairs = 0;
      for (let a = 0; a < R; a++) {
        if (!counts[c1 * R + a] || !counts[c2 * R + a]) continue;
        for (let k = 0; k < p; k++) da[k] = means[(c1 * R + a) * p + k]! - means[(c2 * R + a) * p + k]!;
        for (let b = 0; b < R; b++) {
          if (b === a || !counts[c1 * R + b] || !counts[c2 * R + b]) continue;
          for (let k = 0; k < p; k++) db[k] = means[(c1 * R + b) * p + k]! - means[(c2 * R + b) * p + k]!;
          let d = 0;
          for (let k = 0; k < p; k++) d += da[k]! * db[k]!;
          s += d;
          pairs++;
        }
      }
      const v = pairs > 0 ? s / pairs / p : NaN;
      rdm[c1 * C + c2] = v;
      rdm[c2 * C + c1] = v;
    }
  }
  return { rdm, conditions: conds, runs: runList };
}

/** Model RDM from one trial variable: 'categorical' 0/1 (same/different), 'absdiff' |v_i − v_j|. */
export function modelRdm(values: ArrayLike<number>, kind: ModelRdmKind): Float64Array {
  const n = values.length;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i]!)) throw new DdError('GEOMETRY_NAN', `modelRdm: value ${i} is ${values[i]}; drop trials without the variable first.`);
    for (let j = 0; j < n; j++) {
      D[i * n + j] = kind === 'categorical' ? (values[i] === values[j] ? 0 : 1) : Math.abs(values[i]! - values[j]!);
    }
  }
  return D;
}

/** The strict upper triangle, row by row (scipy's squareform order). */
export function upperTriangle(D: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
  let q = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[q++] = D[i * n + j]!;
  return out;
}

function pearsonOfRanks(ra: Float64Array, rb: Float64Array): number {
  const m = ra.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < m; i++) { ma += ra[i]!; mb += rb[i]!; }
  ma /= m; mb /= m;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < m; i++) {
    const a = ra[i]! - ma, b = rb[i]! - mb;
    sab += a * b; saa += a * a; sbb += b * b;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** Spearman ρ of two vectors (mid-ranks; NaN when either is constant), as scipy.stats.spearmanr. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length < 2) throw new DdError('GEOMETRY_BAD_SHAPE', `spearman: vectors of length ${a.length} and ${b.length}.`);
  return pearsonOfRanks(midRanks(a), midRanks(b));
}

export interface PermutationOptions {
  /** Number of permutations (default 0: no test). */
  permutations?: number;
  seed?: number;
}

export interface RsaResult {
  /** Spearman ρ between the data and model RDM upper triangles. */
  rho: number;
  pValue: number | null;
  nPermutations: number;
  nullRho: Float64Array;
  /** Pairs used (upper-triangle entries with a finite data distance). */
  nPairs: number;
}

function checkPerms(opts: PermutationOptions): { N: number; rng: Rng } {
  const N = opts.permutations ?? 0;
  if (!Number.isInteger(N) || N < 0) throw new DdError('ARGS_BAD_VALUE', `permutations must be a whole number ≥ 0, got ${N}.`);
  return { N, rng: new Rng(opts.seed ?? 0, 3) };
}

/** RSA: Spearman ρ of the data RDM against the model RDM of `modelValues`, with a label permutation test. */
export function rsa(dataRdm: ArrayLike<number>, n: number, modelValues: ArrayLike<number>, kind: ModelRdmKind, opts: PermutationOptions = {}): RsaResult {
  if (dataRdm.length !== n * n || modelValues.length !== n) {
    throw new DdError('GEOMETRY_BAD_SHAPE', `rsa: a ${n} × ${n} data RDM needs ${n * n} values and ${n} model values; got ${dataRdm.length} and ${modelValues.length}.`);
  }
  const { N, rng } = checkPerms(opts);
  const pi: number[] = [], pj: number[] = [];
  const dv: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const d = dataRdm[i * n + j]!;
    if (Number.isFinite(d)) { pi.push(i); pj.push(j); dv.push(d); }
  }
  const m = dv.length;
  if (m < 3) throw new DdError('GEOMETRY_TOO_FEW', `rsa: ${m} finite distances; RSA needs at least 3 trial pairs.`);
  const rData = midRanks(dv);
  const vals = Float64Array.from(modelValues);
  const tri = new Float64Array(m);
  const modelTri = (v: Float64Array) => {
    for (let q = 0; q < m; q++) {
      const a = v[pi[q]!]!, b = v[pj[q]!]!;
      tri[q] = kind === 'categorical' ? (a === b ? 0 : 1) : Math.abs(a - b);
    }
    return tri;
  };
  for (let i = 0; i < n; i++) if (!Number.isFinite(vals[i]!)) throw new DdError('GEOMETRY_NAN', `rsa: model value ${i} is ${vals[i]}.`);
  const rModel = midRanks(modelTri(vals));
  const rho = pearsonOfRanks(rData, rModel);
  const nullRho = new Float64Array(N);
  let ge = 0;
  if (m === (n * (n - 1)) / 2) {
    // Every pair is used: permuting the trials only permutes the pairs, so the permuted model
    // triangle has the same values, hence the same mid-ranks, as the original, moved. Gather
    // them from the original's rank matrix instead of sorting again (identical numbers).
    const rankOf = new Float64Array(n * n);
    for (let q = 0; q < m; q++) rankOf[pi[q]! * n + pj[q]!] = rankOf[pj[q]! * n + pi[q]!] = rModel[q]!;
    const idx = new Float64Array(n);
    const rPerm = new Float64Array(m);
    for (let b = 0; b < N; b++) {
      for (let i = 0; i < n; i++) idx[i] = i;
      rng.shuffle(idx); // the same draws as shuffling the values: trial i takes trial idx[i]'s value
      for (let q = 0; q < m; q++) rPerm[q] = rankOf[idx[pi[q]!]! * n + idx[pj[q]!]!]!;
      nullRho[b] = pearsonOfRanks(rData, rPerm);
      if (nullRho[b]! >= rho) ge++;
    }
  } else {
    const perm = new Float64Array(vals);
    for (let b = 0; b < N; b++) {
      perm.set(vals);
      rng.shuffle(perm);
      nullRho[b] = pearsonOfRanks(rData, midRanks(modelTri(perm)));
      if (nullRho[b]! >= rho) ge++;
    }
  }
  return { rho, pValue: N > 0 && Number.isFinite(rho) ? (1 + ge) / (1 + N) : null, nPermutations: N, nullRho, nPairs: m };
}

export interface PcaResult {
  /** Variances of the principal components (descending, length min(n, p)). */
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  /** (Σλ)² / Σλ²: the effective number of dimensions. */
  participationRatio: number;
  /** Trial scores on the first `nScores` components (n × nScores, row-major). */
  scores: Float64Array;
  nScores: number;
}

/** PCA of the trial patterns via the n × n Gram matrix of the centred data. */
export function pca(X: ArrayLike<number>, n: number, p: number, nScores = 2): PcaResult {
  checkX(X, n, p, 'pca');
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let k = 0; k < p; k++) mean[k] += X[i * p + k]!;
  for (let k = 0; k < p; k++) mean[k] /= n;
  const Xc = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let k = 0; k < p; k++) Xc[i * p + k] = X[i * p + k]! - mean[k]!;
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += Xc[i * p + k]! * Xc[j * p + k]!;
    G[i * n + j] = s; G[j * n + i] = s;
  }
  const { values, vectors } = symEig(G, n);
  const q = Math.min(n, p);
  const ev = new Float64Array(q);
  let total = 0;
  for (let k = 0; k < q; k++) { ev[k] = Math.max(0, values[k]!) / (n - 1); total += ev[k]!; }
  // scikit-learn divides by the total variance (trace of the covariance), equal to Σ of all eigenvalues.
  let tr = 0;
  for (let i = 0; i < n; i++) tr += G[i * n + i]!;
  tr /= n - 1;
  const ratio = new Float64Array(q);
  let s2 = 0;
  for (let k = 0; k < q; k++) { ratio[k] = tr > 0 ? ev[k]! / tr : 0; s2 += ev[k]! * ev[k]!; }
  const ns = Math.min(nScores, q);
  const scores = new Float64Array(n * ns);
  for (let c = 0; c < ns; c++) {
    const f = Math.sqrt(Math.max(0, values[c]!));
    const vec = vectors.subarray(c * n, c * n + n);
    const sign = flipSign(vec);
    for (let i = 0; i < n; i++) scores[i * ns + c] = sign * vec[i]! * f;
  }
  return { explainedVariance: ev, explainedVarianceRatio: ratio, participationRatio: s2 > 0 ? (total * total) / s2 : 0, scores, nScores: ns };
}

/** +1 or −1 so that the largest-magnitude entry (first on ties) becomes positive. */
function flipSign(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]!) > Math.abs(v[best]!)) best = i;
  return v[best]! < 0 ? -1 : 1;
}

export interface MdsResult {
  /** n × dims coordinates (row-major). */
  coords: Float64Array;
  dims: number;
  /** Eigenvalues of the double-centred matrix (descending, all n). */
  eigenvalues: Float64Array;
}

/** Classical (Torgerson) MDS of an n × n distance matrix to `dims` dimensions. */
export function classicalMds(D: ArrayLike<number>, n: number, dims = 2): MdsResult {
  if (D.length !== n * n || n < 2) throw new DdError('GEOMETRY_BAD_SHAPE', `classicalMds: ${D.length} distances for ${n} items.`);
  for (let i = 0; i < n * n; i++) if (!Number.isFinite(D[i]!)) throw new DdError('GEOMETRY_NAN', `classicalMds: distance (${Math.floor(i / n)}, ${i % n}) is ${D[i]}.`);
  const B = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) B[i] = D[i]! * D[i]!;
  const rm = new Float64Array(n);
  let gm = 0;
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += B[i * n + j]!; rm[i] = s / n; gm += s; }
  gm /= n * n;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = -0.5 * (B[i * n + j]! - rm[i]! - rm[j]! + gm);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const s = (B[i * n + j]! + B[j * n + i]!) / 2; B[i * n + j] = s; B[j * n + i] = s; }
  const { values, vectors } = symEig(B, n);
  const d = Math.min(dims, n);
  const coords = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    const f = Math.sqrt(Math.max(0, values[c]!));
    const vec = vectors.subarray(c * n, c * n + n);
    const sign = flipSign(vec);
    for (let i = 0; i < n; i++) coords[i * d + c] = sign * vec[i]! * f;
  }
  return { coords, dims: d, eigenvalues: values };
}

export interface DistanceRatioResult {
  within: number;
  between: number;
  /** between / within. */
  ratio: number;
  pValue: number | null;
  nPermutations: number;
  nullRatio: Float64Array;
}

function ratioOf(D: ArrayLike<number>, n: number, labels: ArrayLike<number>): { within: number; between: number } {
  let sw = 0, nw = 0, sb = 0, nb = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const d = D[i * n + j]!;
    if (!Number.isFinite(d)) continue;
    if (labels[i] === labels[j]) { sw += d; nw++; } else { sb += d; nb++; }
  }
  return { within: nw ? sw / nw : NaN, between: nb ? sb / nb : NaN };
}

/** Mean between- / mean within-condition distance, with a label permutation test. */
export function distanceRatio(D: ArrayLike<number>, n: number, labels: ArrayLike<number>, opts: PermutationOptions = {}): DistanceRatioResult {
  if (D.length !== n * n || labels.length !== n) throw new DdError('GEOMETRY_BAD_SHAPE', `distanceRatio: ${D.length} distances and ${labels.length} labels for ${n} trials.`);
  if (new Set(Array.from(labels)).size < 2) throw new DdError('GEOMETRY_ONE_CONDITION', 'distanceRatio: the labels have one value; within/between needs two conditions.');
  const { N, rng } = checkPerms(opts);
  const { within, between } = ratioOf(D, n, labels);
  const ratio = between / within;
  const nullRatio = new Float64Array(N);
  const perm = Float64Array.from(labels);
  let ge = 0;
  for (let b = 0; b < N; b++) {
    perm.set(Float64Array.from(labels));
    rng.shuffle(perm);
    const r = ratioOf(D, n, perm);
    nullRatio[b] = r.between / r.within;
    if (nullRatio[b]! >= ratio) ge++;
  }
  return { within, between, ratio, pValue: N > 0 && Number.isFinite(ratio) ? (1 + ge) / (1 + N) : null, nPermutations: N, nullRatio };
}

export interface RoiGeometryOptions {
  /** Trial variables for model RDMs (NaN entries are dropped pairwise by dropping the trial). */
  variables: Record<string, { values: ArrayLike<number>; kind: ModelRdmKind }>;
  /** Condition labels for the within/between ratio and crossnobis (e.g. choice 0/1). */
  conditions?: ArrayLike<number> | null;
  /** Run codes; with ≥ 2 runs the crossnobis RDM over `conditions` is added. */
  runs?: ArrayLike<number> | null;
  permutations?: number;
  seed?: number;
  /** Number of MDS / PCA dimensions kept for plots (default 2). */
  dims?: number;
}

export interface RoiGeometry {
  n: number;
  p: number;
  /** Correlation-distance RDM, n × n row-major. */
  rdm: Float64Array;
  rsa: Record<string, { rho: number; pValue: number | null; nPairs: number }>;
  pca: { explainedVarianceRatio: number[]; participationRatio: number; scores: Float64Array; nScores: number };
  mds: { coords: Float64Array; dims: number };
  distanceRatio: DistanceRatioResult | null;
  crossnobis: CrossnobisResult | null;
}

/**
 * Every geometry measure of one ROI (SCIENCE.md "Geometry"), one seeded Rng stream per measure
 * (RSA of variable k uses seed + k), ready for results.json and the app's RDM / scatter views.
 */
export function roiGeometry(X: ArrayLike<number>, n: number, p: number, opts: RoiGeometryOptions): RoiGeometry {
  const seed = opts.seed ?? 0;
  const N = opts.permutations ?? 0;
  const rdm = correlationRdm(X, n, p);
  const rsaOut: RoiGeometry['rsa'] = {};
  Object.entries(opts.variables).forEach(([name, v], k) => {
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (Number.isFinite(v.values[i]!)) keep.push(i);
    const m = keep.length;
    const sub = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = rdm[keep[a]! * n + keep[b]!]!;
    const r = rsa(sub, m, keep.map((i) => v.values[i]!), v.kind, { permutations: N, seed: seed + k });
    rsaOut[name] = { rho: r.rho, pValue: r.pValue, nPairs: r.nPairs };
  });
  const pc = pca(X, n, p, opts.dims ?? 2);
  const finite = rdm.every((d) => Number.isFinite(d));
  const mds = finite ? classicalMds(rdm, n, opts.dims ?? 2) : { coords: new Float64Array(0), dims: 0 };
  let ratio: DistanceRatioResult | null = null;
  let cn: CrossnobisResult | null = null;
  if (opts.conditions && new Set(Array.from(opts.conditions)).size >= 2) {
    ratio = distanceRatio(rdm, n, opts.conditions, { permutations: N, seed: seed + 1000 });
    if (opts.runs && new Set(Array.from(opts.runs)).size >= 2) cn = crossnobisRdm(X, n, p, opts.conditions, opts.runs);
  }
  return {
    n, p, rdm, rsa: rsaOut,
    pca: { explainedVarianceRatio: Array.from(pc.explainedVarianceRatio.subarray(0, Math.min(10, pc.explainedVarianceRatio.length))), participationRatio: pc.participationRatio, scores: pc.scores, nScores: pc.nScores },
    mds: { coords: mds.coords, dims: mds.dims }, distanceRatio: ratio, crossnobis: cn,
  };
}
