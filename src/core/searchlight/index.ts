/**
 * Whole-brain searchlight (SCIENCE.md "Searchlight"): for every mask voxel, the CV score of the
 * same dual models and folds as ROI decoding (getModel, splitters) on the voxels of a sphere of
 * radius r mm around it.
 *
 *   const res = await searchlight(
 *     { X, nRows, maskIndices, grid, rows, y, groups, onsets },
 *     { radiusMm: 6, model: 'svc', permutations: 0 },
 *     { module, pool },            // pool: SearchlightWorkerApi workers on one shared memory
 *   );
 *   res.scores        // Float64Array, one per mask voxel (balanced accuracy for choice)
 *   scoreVolume(res.scores, maskIndices, grid)   // Float32Array on the grid, NaN outside
 *
 * The design (ARCHITECTURE.md "Decoders in the dual"): the patterns are scaled once (z-scored
 * within each run, ddof 0, as StandardScaler; then rounded to f32, the engine's bulk format) and
 * stored voxel-major in the shared kernel memory. Per sphere, K_s = X_s X_sᵀ (n × n) is formed
 * in wasm SIMD and slid along i from the neighbouring sphere (only the voxels that enter and
 * leave); each fold's dual model is fitted on slices of K_s by the wasm solvers. Spheres are
 * spread over the pool in contiguous chunks (dynamic scheduling); each worker has its own kernel
 * instances and a private scratch region of the memory. Results do not depend on the number of
 * workers or the chunking except through the Gram matrix's sliding (≤ 1e-12 relative).
 *
 * Scaling: 'within-run' (default) or 'none'; 'train-fold' (a scaler per fold) is not offered for
 * searchlights (SEARCHLIGHT_BAD_SCALING): it needs a Gram matrix per fold and sphere.
 *
 * Permutations (optional, N small): the labels permuted within the same strata as ROI decoding
 * (runs, or the blocked CV's blocks for one run), the same N permutations at every voxel;
 * p = (1 + #{null ≥ observed}) / (1 + N).
 */
import { DdError } from '../errors.ts';
import { createKernelEngine, type KernelEngine } from '../kernels/index.ts';
import { defaultMetric } from '../mvpa/decode.ts';
import { metricKind, type MetricName } from '../mvpa/metrics.ts';
import type { ModelName, ModelOptions } from '../mvpa/model.ts';
import { getModel } from '../mvpa/models/index.ts';
import { LabelPermuter, permutationStrata } from '../mvpa/permutation.ts';
import { fitScaler } from '../mvpa/scaling.ts';
import { defaultCv, formatCv, makeFolds, type CvSpec, type Fold } from '../mvpa/splitters.ts';
import { localPool, type Pool } from '../pool.ts';
import type { Grid } from '../roi/grid.ts';
import { runShard, type SearchlightLayout, type SearchlightTask, type ShardStats } from './shard.ts';
import { maskLookup, sphereOffsets } from './spheres.ts';
import { createSearchlightWorkerApi, regionBytes, type SearchlightWorkerApi } from './worker-api.ts';

export { sphereOffsets, maskLookup, collectColumns, type SphereOffsets } from './spheres.ts';
export { createSearchlightWorkerApi, regionBytes, type SearchlightWorkerApi, type SearchlightRegion } from './worker-api.ts';
export { runShard, type SearchlightTask, type SearchlightLayout, type ShardStats } from './shard.ts';
export { scoreVolume, groupTMap, maskIndicesOf, type GroupTMap } from './maps.ts';

export const DEFAULT_RADIUS_MM = 6;

export interface SearchlightInput {
  /** Row-major nRows × nVoxels patterns (columns = mask voxels in ascending grid order). */
  X: Float32Array | Float64Array;
  nRows: number;
  /** Ascending linear grid indices of the columns of X. */
  maskIndices: Int32Array;
  grid: Grid;
  /** Rows of X that are samples (e.g. trials with a target), and their targets / runs / onsets. */
  rows: Int32Array;
  y: Float64Array;
  groups?: Int32Array | null;
  onsets?: ArrayLike<number> | null;
}

export interface SearchlightOptions {
  radiusMm?: number;
  model?: ModelName;
  modelOptions?: ModelOptions;
  metric?: MetricName;
  cv?: CvSpec;
  folds?: Fold[];
  scaling?: 'within-run' | 'none';
  permutations?: number;
  seed?: number;
  /** Full Gram recomputation after this many slides (default 64; 0 = never slide). */
  refreshEvery?: number;
  /** Only the spheres centred on mask voxels [start, end) (e.g. one SLURM task's share); the others score NaN. */
  range?: { start: number; end: number };
  /** Centres per chunk handed to a worker (default 1024). */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: { aborted: boolean };
}

export interface SearchlightHost {
  module: WebAssembly.Module;
  /** Workers serving SearchlightWorkerApi; default: the calling realm alone. */
  pool?: Pool<SearchlightWorkerApi>;
  /** The shared memory the pool's workers can reach (default: a new one). */
  engine?: KernelEngine;
}

export interface SearchlightResult {
  scores: Float64Array;
  /** Null without permutations. */
  pValues: Float64Array | null;
  sphereSizes: Int32Array;
  metric: MetricName;
  model: ModelName;
  cv: string;
  folds: Fold[];
  radiusMm: number;
  nPermutations: number;
  nSamples: number;
  nVoxels: number;
  /** Offsets of the full sphere (voxels of an interior sphere). */
  sphereVoxels: number;
  nNotConverged: number;
  nSlides: number;
  nFull: number;
  seconds: { scale: number; spheres: number };
}

/** Scaled, voxel-major f32 patterns of the sample rows into dst (V × ldx). */
function scaleInto(input: SearchlightInput, scaling: 'within-run' | 'none', dst: Float32Array, ldx: number): void {
  const { X, rows, maskIndices } = input;
  const V = maskIndices.length, n = rows.length;
  const groups = input.groups ?? null;
  const runRows: number[][] = [];
  for (let a = 0; a < n; a++) {
    const g = groups ? groups[a]! : 0;
    (runRows[g] ??= []).push(a);
  }
  const B = 512;
  const blockX = new Float64Array(n * B);
  for (let v0 = 0; v0 < V; v0 += B) {
    const w = Math.min(B, V - v0);
    for (let a = 0; a < n; a++) {
      const o = rows[a]! * V + v0;
      for (let q = 0; q < w; q++) blockX[a * w + q] = X[o + q]!;
    }
    if (scaling === 'within-run') {
      for (const rr of runRows) {
        if (!rr) continue;
        const s = fitScaler(blockX, w, rr);
        for (const a of rr) for (let q = 0; q < w; q++) blockX[a * w + q] = (blockX[a * w + q]! - s.mean[q]!) / s.scale[q]!;
      }
    }
    for (let q = 0; q < w; q++) {
      const o = (v0 + q) * ldx;
      for (let a = 0; a < n; a++) dst[o + a] = blockX[a * w + q]!;
    }
  }
}

export async function searchlight(input: SearchlightInput, opts: SearchlightOptions, host: SearchlightHost): Promise<SearchlightResult> {
  const { maskIndices, grid, rows, y } = input;
  const n = rows.length, V = maskIndices.length;
  const modelName = opts.model ?? 'svc';
  const model = getModel(modelName);
  const metric = opts.metric ?? defaultMetric(model.kind);
  if (metricKind(metric) !== model.kind) throw new DdError('ARGS_BAD_VALUE', `--metric ${metric} does not fit the ${model.kind} model ${modelName}.`);
  const scaling = opts.scaling ?? 'within-run';
  if (scaling !== 'within-run' && scaling !== 'none') {
    throw new DdError('SEARCHLIGHT_BAD_SCALING', `Searchlight scaling must be within-run or none, got ${String(scaling)} (a scaler per training fold would need a Gram matrix per fold and sphere).`);
  }
  if (y.length !== n) throw new DdError('DECODE_LENGTH_MISMATCH', `${y.length} targets for ${n} sample rows.`);
  if (input.X.length !== input.nRows * V) {
    throw new DdError('DECODE_LENGTH_MISMATCH', `The patterns hold ${input.X.length} values; ${input.nRows} rows × ${V} mask voxels expected. The columns must be the mask's voxels (the brain.npy written with brain_mask.nii.gz).`);
  }
  for (let a = 0; a < n; a++) {
    if (!(rows[a]! >= 0 && rows[a]! < input.nRows)) throw new DdError('DECODE_LENGTH_MISMATCH', `Sample row ${rows[a]} is outside the ${input.nRows} pattern rows.`);
    if (!Number.isFinite(y[a]!)) throw new DdError('DECODE_NAN', `Target ${a} is ${y[a]}.`);
    if (model.kind === 'classification' && y[a] !== 0 && y[a] !== 1) throw new DdError('DECODE_NOT_BINARY', `Classification labels must be 0/1, sample ${a} has ${y[a]}.`);
  }
  for (const a of rows) {
    const o = a * V;
    for (let q = 0; q < V; q++) {
      if (!Number.isFinite(input.X[o + q]!)) throw new DdError('DECODE_NAN', `Pattern row ${a}, mask voxel ${q} is ${input.X[o + q]}; the searchlight needs finite patterns.`);
    }
  }
  const groups = input.groups ?? null;
  const onsets = input.onsets ?? null;
  const seed = opts.seed ?? 0;
  let cv: CvSpec | null = null;
  let folds: Fold[];
  if (opts.folds) folds = opts.folds;
  else {
    cv = opts.cv ?? defaultCv(groups ? new Set(groups).size : 1);
    folds = makeFolds(cv, { n, groups, onsets, y, classification: model.kind === 'classification', seed });
  }
  const checkTrain = (yy: Float64Array, what: string) => folds.forEach((f, k) => {
    if (f.train.length === 0 || f.test.length === 0) throw new DdError('DECODE_TOO_FEW_SAMPLES', `CV fold ${k + 1} has ${f.train.length} training and ${f.test.length} test samples.`);
    if (model.kind !== 'classification') return;
    let n1 = 0;
    for (const i of f.train) n1 += yy[i]!;
    if (n1 === 0 || n1 === f.train.length) throw new DdError('DECODE_ONE_CLASS_FOLD', `CV fold ${k + 1}: the training samples${what} are all class ${n1 ? 1 : 0}; use another CV or target.`);
  });
  checkTrain(y, '');
  const nPerm = opts.permutations ?? 0;
  if (!Number.isInteger(nPerm) || nPerm < 0) throw new DdError('ARGS_BAD_VALUE', `--permutations must be a whole number ≥ 0, got ${nPerm}.`);
  const perms = new Float64Array(nPerm * n);
  if (nPerm > 0) {
    const strata = cv ? permutationStrata(cv, n, groups, onsets) : groups;
    const permuter = new LabelPermuter(y, strata, seed);
    for (let b = 0; b < nPerm; b++) {
      const yp = permuter.next();
      checkTrain(yp, ' (under a label permutation)');
      perms.set(yp, b * n);
    }
  }

  const radiusMm = opts.radiusMm ?? DEFAULT_RADIUS_MM;
  const offsets = sphereOffsets(grid.affine, radiusMm);
  const maxM = offsets.all.length / 3;
  const pool = host.pool ?? localPool(createSearchlightWorkerApi(), 'single');
  const ldx = Math.ceil(n / 4) * 4;
  const gridSize = grid.dims[0] * grid.dims[1] * grid.dims[2];
  const rb = regionBytes(n, maxM);
  const total = V * ldx * 4 + gridSize * 4 + V * 4 + V * 8 * 2 + V * 4 + pool.size * rb + (1 << 20);
  const engine = host.engine ?? createKernelEngine(host.module, { initialPages: Math.ceil(total / 65536) + 64 });
  const arena = engine.arena;
  const blocks: number[] = [];
  const alloc = (bytes: number) => { const p = arena.alloc(bytes, 64); blocks.push(p); return p; };
  try {
    const t0 = performance.now();
    const layout: SearchlightLayout = {
      xt: alloc(V * ldx * 4), ldx, n, nVoxels: V, dims: [...grid.dims] as [number, number, number],
      lut: alloc(gridSize * 4), centres: alloc(V * 4), outScore: alloc(V * 8), outNullGe: alloc(V * 8), outSize: alloc(V * 4),
    };
    const regions = Array.from({ length: pool.size }, () => ({ base: alloc(rb), bytes: rb }));
    const xtView = arena.f32(layout.xt, V * ldx);
    xtView.fill(0);
    scaleInto(input, scaling, xtView, ldx);
    maskLookup(grid, maskIndices, arena.i32(layout.lut, gridSize));
    arena.i32(layout.centres, V).set(maskIndices);
    const tScale = performance.now();

    const task: SearchlightTask = {
      layout, offsets: { all: offsets.all, enter: offsets.enter, leave: offsets.leave },
      folds: folds.map((f) => ({ train: f.train, test: f.test })), y, perms, nPerm,
      model: modelName, modelOptions: opts.modelOptions, metric, refreshEvery: opts.refreshEvery ?? 64,
    };
    await Promise.all(regions.map((r, w) => pool.call(w, 'slInit', engine.module, engine.memory, w, r, n, maxM)));
    await pool.broadcast('slSetTask', task);
    const chunk = Math.max(1, opts.chunk ?? 1024);
    const r0 = opts.range?.start ?? 0, r1 = opts.range?.end ?? V;
    if (!Number.isInteger(r0) || !Number.isInteger(r1) || r0 < 0 || r1 > V || r0 > r1) {
      throw new DdError('ARGS_BAD_VALUE', `searchlight range [${r0}, ${r1}) is not inside the ${V} mask voxels.`);
    }
    arena.f64(layout.outScore, V).fill(NaN);
    let next = r0, done = 0;
    const stats: ShardStats[] = [];
    const workerLoop = async (w: number) => {
      while (next < r1) {
        if (opts.signal?.aborted) throw new DdError('SEARCHLIGHT_CANCELLED', 'The searchlight was cancelled.');
        const start = next;
        const end = Math.min(r1, start + chunk);
        next = end;
        stats.push(await pool.call(w, 'slRun', start, end));
        done += end - start;
        opts.onProgress?.(done, r1 - r0);
      }
    };
    await Promise.all(Array.from({ length: pool.size }, (_, w) => workerLoop(w)));
    const tEnd = performance.now();
    const scores = Float64Array.from(arena.f64(layout.outScore, V));
    let pValues: Float64Array | null = null;
    if (nPerm > 0) {
      const ge = arena.f64(layout.outNullGe, V);
      pValues = new Float64Array(V);
      for (let v = 0; v < V; v++) pValues[v] = (1 + ge[v]!) / (1 + nPerm);
    }
    const sphereSizes = Int32Array.from(arena.i32(layout.outSize, V));
    const sum = (k: 'nNotConverged' | 'nSlides' | 'nFull') => stats.reduce((s, x) => s + x[k], 0);
    return {
      scores, pValues, sphereSizes, metric, model: modelName, cv: cv ? formatCv(cv) : 'custom', folds, radiusMm,
      nPermutations: nPerm, nSamples: n, nVoxels: V, sphereVoxels: maxM,
      nNotConverged: sum('nNotConverged'), nSlides: sum('nSlides'), nFull: sum('nFull'),
      seconds: { scale: (tScale - t0) / 1000, spheres: (tEnd - tScale) / 1000 },
    };
  } finally {
    if (!host.engine) {
      // A private engine: its memory goes with it.
    } else for (const p of blocks) arena.free(p);
  }
}

/** Runs one shard in this realm (tests and the brute-force comparison). */
export { runShard as runSearchlightShard };
