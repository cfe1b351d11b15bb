/**
 * One searchlight shard: spheres centred on mask voxels [start, end), evaluated in the calling
 * realm (a worker, or the main thread). Everything bulky lives in the one shared kernel memory
 * (the patterns X, the mask lookup, the outputs); each realm brings its own kernel instances and
 * a private scratch region of that memory (its sphere Gram matrix and the dual solvers' arena).
 *
 * Per sphere: K_s = X_s X_sᵀ (assembly/searchlight.ts; slid from the previous centre when it is
 * the neighbour at i − 1, recomputed in full at row starts and every `refreshEvery` slides), then
 * for every CV fold the dual model on the K_s slices (getModel, through the wasm solvers when
 * useWasmSolvers() is active in this realm), the fold score, and the mean. Permutations re-fit the
 * same slices on permuted labels.
 */
import { DdError } from '../errors.ts';
import type { SearchlightKernels } from '../kernels/kernels.ts';
import { meanScore, score, type MetricName } from '../mvpa/metrics.ts';
import type { ModelName, ModelOptions } from '../mvpa/model.ts';
import { getModel, wasmWorkspace } from '../mvpa/models/index.ts';
import { foldPredictor, type FoldPredictor } from '../mvpa/models/fold.ts';
import { collectColumns } from './spheres.ts';
import { svcFoldsBytes, type SvcFolds } from './svc-folds.ts';

export interface SearchlightLayout {
  /** Voxel-major scaled patterns: voxel v's n values (f32) at xt + 4·v·ldx. */
  xt: number;
  ldx: number;
  n: number;
  nVoxels: number;
  dims: [number, number, number];
  /** i32 lookup over the grid: column of a mask voxel, else −1. */
  lut: number;
  /** i32 linear grid index of every mask voxel (ascending). */
  centres: number;
  /** f64 per mask voxel: mean CV score. */
  outScore: number;
  /** f64 per mask voxel: #{null ≥ observed} (permutations only). */
  outNullGe: number;
  /** i32 per mask voxel: voxels in the sphere. */
  outSize: number;
}

export interface SearchlightTask {
  layout: SearchlightLayout;
  offsets: { all: Int32Array; enter: Int32Array; leave: Int32Array };
  folds: { train: Int32Array; test: Int32Array }[];
  /** Observed targets (n). */
  y: Float64Array;
  /** Permuted targets, nPerm × n row-major. */
  perms: Float64Array;
  nPerm: number;
  model: ModelName;
  modelOptions?: ModelOptions;
  metric: MetricName;
  /** Full Gram recomputation after this many slides (bounds rounding drift; 0 = never slide). */
  refreshEvery: number;
}

export interface ShardStats {
  start: number;
  end: number;
  ms: number;
  nSlides: number;
  nFull: number;
  nNotConverged: number;
}

/** Scratch of one realm inside the shared memory: idx list, kernel work, the sphere K, the svc fits' scratch. */
export interface ShardScratch {
  idx: number;
  idxCap: number;
  work: number;
  K: number;
  svc: number;
}

export function scratchBytes(n: number, maxM: number, sl: SearchlightKernels): { idx: number; work: number; K: number; svc: number; total: number } {
  const idx = Math.ceil((maxM * 4) / 64) * 64 + 64;
  const work = Math.ceil(sl.workBytes(n, maxM) / 64) * 64 + 64;
  const K = Math.ceil((n * n * 8) / 64) * 64 + 64;
  const svc = svcFoldsBytes(n);
  return { idx, work, K, svc, total: idx + work + K + svc };
}

/** `svcFolds` (svc only): the fits in place on the sphere K (svc-folds.ts) instead of sliced copies. */
export function runShard(sl: SearchlightKernels, memory: WebAssembly.Memory, scratch: ShardScratch, task: SearchlightTask, start: number, end: number, svcFolds: SvcFolds | null = null): ShardStats {
  const t0 = performance.now();
  const L = task.layout;
  const { n, dims } = L;
  const [nx, ny] = dims;
  const model = getModel(task.model);
  const buf = memory.buffer;
  const lut = new Int32Array(buf, L.lut, dims[0] * dims[1] * dims[2]);
  const centres = new Int32Array(buf, L.centres, L.nVoxels);
  const outScore = new Float64Array(buf, L.outScore, L.nVoxels);
  const outNullGe = new Float64Array(buf, L.outNullGe, L.nVoxels);
  const outSize = new Int32Array(buf, L.outSize, L.nVoxels);
  const idx = new Int32Array(buf, scratch.idx, scratch.idxCap);
  const K = new Float64Array(buf, scratch.K, n * n);
  const folds = task.folds.map((f) => ({
    train: f.train, test: f.test,
    Ktr: new Float64Array(svcFolds ? 0 : f.train.length * f.train.length),
    Kte: new Float64Array(svcFolds ? 0 : f.test.length * f.train.length),
    yTr: new Float64Array(f.train.length),
    yTe: new Float64Array(f.test.length),
    dec: new Float64Array(f.test.length),
  }));
  const nAll = task.offsets.all.length / 3;
  if (nAll > scratch.idxCap) throw new DdError('SEARCHLIGHT_INTERNAL', `sphere of ${nAll} offsets exceeds the scratch (${scratch.idxCap}).`);
  let nSlides = 0, nFull = 0, nNotConverged = 0;
  let prevLinear = -2, prevSize = 0, sinceFull = 0;

  const predictors: FoldPredictor[] = [];
  const scores = new Float64Array(folds.length);
  const cvScore = (y: Float64Array): number => {
    folds.forEach((f, q) => {
      for (let a = 0; a < f.train.length; a++) f.yTr[a] = y[f.train[a]!]!;
      for (let a = 0; a < f.test.length; a++) f.yTe[a] = y[f.test[a]!]!;
      const ok = svcFolds ? svcFolds.decide(q, f.yTr, f.dec) : predictors[q]!.decide(f.yTr, f.dec);
      if (!ok) nNotConverged++;
      scores[q] = score(task.metric, f.yTe, f.dec);
    });
    return meanScore(scores);
  };
  const yPerm = new Float64Array(n);

  for (let c = start; c < end; c++) {
    const lin = centres[c]!;
    const i = lin % nx, j = Math.floor(lin / nx) % ny, k = Math.floor(lin / (nx * ny));
    let m: number;
    if (task.refreshEvery > 0 && lin === prevLinear + 1 && i > 0 && sinceFull < task.refreshEvery) {
      const mAdd = collectColumns(dims, lut, i, j, k, task.offsets.enter, idx, 0);
      const mTot = collectColumns(dims, lut, i - 1, j, k, task.offsets.leave, idx, mAdd);
      sl.gramUpdate(L.xt, L.ldx, n, scratch.idx, mTot, mAdd, scratch.work, scratch.K);
      m = prevSize + mAdd - (mTot - mAdd);
      nSlides++;
      sinceFull++;
    } else {
      m = collectColumns(dims, lut, i, j, k, task.offsets.all, idx, 0);
      sl.gram(L.xt, L.ldx, n, scratch.idx, m, scratch.work, scratch.K);
      nFull++;
      sinceFull = 0;
    }
    prevLinear = lin;
    prevSize = m;
    if (!svcFolds) for (const f of folds) {
      const tr = f.train, te = f.test, ntr = tr.length;
      for (let a = 0; a < ntr; a++) {
        const o = tr[a]! * n, r = a * ntr;
        for (let b = 0; b < ntr; b++) f.Ktr[r + b] = K[o + tr[b]!]!;
      }
      for (let a = 0; a < te.length; a++) {
        const o = te[a]! * n, r = a * ntr;
        for (let b = 0; b < ntr; b++) f.Kte[r + b] = K[o + tr[b]!]!;
      }
    }
    // The slices were rewritten in place: the wasm models must not reuse their copies of the
    // previous sphere's (they skip the copy for an unchanged array, e.g. with a single fold).
    if (!svcFolds) for (const block of ['svc.K', 'dense.K']) wasmWorkspace()?.overwritten(block);
    if (!svcFolds) folds.forEach((f, q) => (predictors[q] = foldPredictor(model, f.Ktr, f.train.length, f.Kte, f.test.length, task.modelOptions, 1 + task.nPerm)));
    const obs = cvScore(task.y);
    let ge = 0;
    for (let b = 0; b < task.nPerm; b++) {
      yPerm.set(task.perms.subarray(b * n, b * n + n));
      if (cvScore(yPerm) >= obs) ge++;
    }
    outScore[c] = obs;
    outNullGe[c] = ge;
    outSize[c] = m;
  }
  return { start, end, ms: performance.now() - t0, nSlides, nFull, nNotConverged };
}
