/**
 * The decoding driver: scaling → Gram matrices → CV folds → dual model per fold → fold scores →
 * permutation test (ARCHITECTURE.md "Decoders in the dual").
 *
 * Per fold, K_train (train × train) and K_test (test × train) are slices of ONE Gram matrix K =
 * X Xᵀ of the scaled features when scaling is label-free (`within-run`, `none`); with
 * `train-fold` scaling each fold has its own Gram matrix over its train and test samples. The
 * slices are made once; every permutation re-fits only the n × n dual problems on new labels.
 *
 * The same fold scores as scikit-learn's cross_val_score(model, X_scaled, y, cv=folds) (or a
 * StandardScaler → model pipeline for `train-fold`), given the same model solutions.
 */
import { DdError } from '../errors.ts';
import type { DualModel, ModelKind, ModelName, ModelOptions } from './model.ts';
import { foldPredictor, type FoldPredictor } from './models/fold.ts';
import { MODELS } from './models/index.ts';
import { wasmWorkspace, type WasmWorkspace } from './models/backend.ts';
import type { DecodeKernels } from '../kernels/kernels.ts';
import { metricKind, meanScore, score, type MetricName } from './metrics.ts';
import { checkExplicitPermutations, LabelPermuter, permutationPValue, permutationStrata } from './permutation.ts';
import { fitScaler, gramF64, sliceGram, toF64, zscoreWithinGroups, type GramFn, type Scaling } from './scaling.ts';
import { defaultCv, formatCv, makeFolds, type CvSpec, type Fold } from './splitters.ts';

export interface DecodeData {
  /** Row-major n × p features. */
  X: ArrayLike<number>;
  n: number;
  p: number;
  /** 0/1 labels (classification) or values (regression). */
  y: Float64Array;
  /** Dense run codes, or null for one run. */
  groups?: Int32Array | null;
  onsets?: ArrayLike<number> | null;
}

export interface DecodeOptions {
  model: DualModel;
  modelOptions?: ModelOptions;
  /** Default: balanced_accuracy for classification models, r2 for regression. */
  metric?: MetricName;
  /** Default: loro with ≥ 2 runs, else blocked:5:12. */
  cv?: CvSpec;
  /** Explicit folds (override `cv`; the permutation strata are then the runs, else none). */
  folds?: Fold[];
  scaling?: Scaling;
  /** N random permutations (default 0), or explicit permuted label vectors. */
  permutations?: number | readonly ArrayLike<number>[];
  /** Explicit permutation strata (default: runs, or the blocked CV's blocks for one run). */
  strata?: Int32Array | null;
  seed?: number;
  /** K = X Xᵀ on the scaled f64 features (default: TypeScript f64). */
  gram?: GramFn;
  onProgress?: (done: number, total: number) => void;
  /** Checked between permutations; when aborted, DECODE_CANCELLED is thrown. */
  signal?: { aborted: boolean };
}

export interface DecodeResult {
  metric: MetricName;
  /** Mean of the fold scores. */
  score: number;
  foldScores: number[];
  /** Null when no permutation was run. */
  pValue: number | null;
  nPermutations: number;
  /** Mean CV score for each permutation. */
  nullScores: Float64Array;
  nSamples: number;
  nFeatures: number;
  model: string;
  cv: string;
  scaling: Scaling;
  folds: Fold[];
  /** Decision values of every sample from the fold that tested it (observed labels). */
  decision: Float64Array;
  /** Fits (over the observed and permuted labels) whose solver did not converge. */
  nNotConverged: number;
}

/**
 * What a permutation shard needs to score permuted labels on its own thread: the model by name,
 * the metric and each fold's indices and Gram slices (all structured-cloneable).
 */
export interface NullJob {
  model: ModelName;
  modelOptions?: ModelOptions;
  metric: MetricName;
  /** Number of samples (length of each label vector). */
  n: number;
  folds: PreparedFold[];
}

/** Null scores of one shard of permuted label vectors. */
export interface NullShardResult {
  scores: Float64Array;
  notConverged: number;
}

/**
 * Threads that score permutation shards (e.g. src/platform/node/permutation-pool.ts). Each worker
 * builds the fold predictors of a job once (setup), then scores chunks of label vectors with its
 * own solver instance. Results depend only on the labels, never on the worker.
 */
export interface PermutationWorkers {
  readonly size: number;
  setup(worker: number, job: NullJob): Promise<void>;
  /** Mean CV scores of `count` label vectors (row-major count × n). */
  run(worker: number, labels: Float64Array, count: number): Promise<NullShardResult>;
}

export interface DecodeAsyncOptions extends DecodeOptions {
  /**
   * Starts the workers that share the permutations with this thread (called only when the
   * permutations are estimated to take longer than `parallelMinSeconds`). Null, or a start that
   * fails: this thread does all the work. The caller owns (and closes) what it starts.
   */
  startWorkers?: (() => Promise<PermutationWorkers | null>) | null;
  /** Default 0.2 s. */
  parallelMinSeconds?: number;
}

export interface PreparedFold {
  train: Int32Array;
  test: Int32Array;
  Ktrain: Float64Array;
  Ktest: Float64Array;
}

/** Default metric of a model kind. */
export function defaultMetric(kind: ModelKind): MetricName {
  return kind === 'classification' ? 'balanced_accuracy' : 'r2';
}

export function prepareFolds(data: DecodeData, folds: Fold[], scaling: Scaling, gram: GramFn): PreparedFold[] {
  const { X, n, p } = data;
  if (scaling !== 'train-fold') {
    const Xs = scaling === 'within-run' ? zscoreWithinGroups(X, n, p, data.groups ?? null) : toF64(X, n, p);
    const K = gram(Xs, n, p);
    return folds.map((f) => ({ train: f.train, test: f.test, Ktrain: sliceGram(K, n, f.train, f.train), Ktest: sliceGram(K, n, f.test, f.train) }));
  }
  const ws = gram === gramF64 && X instanceof Float32Array ? wasmWorkspace() : null;
  const dk = ws?.decodeKernels() ?? null;
  if (ws && dk) return prepareTrainFoldsWasm(ws, dk, X as Float32Array, n, p, folds);
  return folds.map((f) => {
    const s = fitScaler(X, p, f.train);
    // The fold's [train; test] rows, scaled by the training fold's scaler: one Gram matrix per fold.
    const rows = Int32Array.from([...f.train, ...f.test]);
    const m = rows.length;
    const Xc = new Float64Array(m * p);
    for (let a = 0; a < m; a++) {
      const o = rows[a]! * p;
      for (let j = 0; j < p; j++) Xc[a * p + j] = (X[o + j]! - s.mean[j]!) / s.scale[j]!;
    }
    const K = gram(Xc, m, p);
    const nTr = f.train.length;
    const tr = Int32Array.from({ length: nTr }, (_, i) => i);
    const te = Int32Array.from({ length: f.test.length }, (_, i) => nTr + i);
    return { train: f.train, test: f.test, Ktrain: sliceGram(K, m, tr, tr), Ktest: sliceGram(K, m, te, tr) };
  });
}

/**
 * prepareFolds for train-fold scaling in wasm: the same scaler (fitScaler) and the same scaled
 * values and Gram sums as the TypeScript path (assembly/gram.ts scaled_gram_f64), bit for bit.
 */
function prepareTrainFoldsWasm(ws: WasmWorkspace, dk: DecodeKernels, X: Float32Array, n: number, p: number, folds: Fold[]): PreparedFold[] {
  const arena = ws.arena;
  const mMax = Math.max(...folds.map((f) => f.train.length + f.test.length));
  const ptrs: number[] = [];
  const alloc = (bytes: number) => { const q = arena.alloc(Math.max(bytes, 16), 16); ptrs.push(q); return q; };
  try {
    const xP = alloc(n * p * 4), rowsP = alloc(mMax * 4), meanP = alloc(p * 8), scaleP = alloc(p * 8);
    const workP = alloc(p * mMax * 8), outP = alloc(mMax * mMax * 8);
    arena.f32(xP, n * p).set(X);
    return folds.map((f) => {
      const s = fitScaler(X, p, f.train);
      const nTr = f.train.length, m = nTr + f.test.length;
      const rows = arena.i32(rowsP, m);
      rows.set(f.train);
      rows.set(f.test, nTr);
      arena.f64(meanP, p).set(s.mean);
      arena.f64(scaleP, p).set(s.scale);
      dk.scaledGramF64({ x: xP, n, p, rows: rowsP, m, mean: meanP, scale: scaleP, work: workP, out: outP });
      const K = arena.f64(outP, m * m);
      const tr = Int32Array.from({ length: nTr }, (_, i) => i);
      const te = Int32Array.from({ length: f.test.length }, (_, i) => nTr + i);
      return { train: f.train, test: f.test, Ktrain: sliceGram(K, m, tr, tr), Ktest: sliceGram(K, m, te, tr) };
    });
  } finally {
    for (const q of ptrs) arena.free(q);
  }
}

function checkFolds(folds: Fold[], y: Float64Array, kind: ModelKind, permuted: boolean): void {
  folds.forEach((f, k) => {
    if (f.train.length === 0 || f.test.length === 0) {
      throw new DdError('DECODE_TOO_FEW_SAMPLES', `CV fold ${k + 1} has ${f.train.length} training and ${f.test.length} test samples. Use fewer folds, a smaller gap, or more trials.`);
    }
    if (kind !== 'classification') return;
    let n1 = 0;
    for (const i of f.train) n1 += y[i]!;
    if (n1 === 0 || n1 === f.train.length) {
      throw new DdError(
        'DECODE_ONE_CLASS_FOLD',
        `CV fold ${k + 1}: the ${f.train.length} training samples${permuted ? ' (under a label permutation)' : ''} are all class ${n1 ? 1 : 0}; a classifier needs both classes to train. ` +
          `Use a CV whose training folds hold both classes (e.g. fewer blocks, loro over more runs), or another target.`,
      );
    }
  });
}

/** One CV pass on labels y: fold scores (and optionally the decision values of the test samples). */
function crossValidate(
  prepared: PreparedFold[], y: Float64Array, model: DualModel, mopts: ModelOptions | undefined, metric: MetricName,
  decisionOut: Float64Array | null, counter: { notConverged: number },
): number[] {
  return prepared.map((f) => {
    const yTr = new Float64Array(f.train.length);
    for (let a = 0; a < f.train.length; a++) yTr[a] = y[f.train[a]!]!;
    const yTe = new Float64Array(f.test.length);
    for (let a = 0; a < f.test.length; a++) yTe[a] = y[f.test[a]!]!;
    const fit = model.fit(f.Ktrain, f.train.length, yTr, mopts);
    if (!fit.converged) counter.notConverged++;
    const dec = model.decision(fit, f.Ktest, f.test.length);
    for (let a = 0; a < dec.length; a++) {
      if (!Number.isFinite(dec[a]!)) {
        throw new DdError('DECODE_NOT_FINITE', `The ${model.name} model gave a non-finite decision value (${dec[a]}) on a test sample. The features are probably degenerate (all constant) or huge; check the patterns file.`);
      }
    }
    if (decisionOut) for (let a = 0; a < dec.length; a++) decisionOut[f.test[a]!] = dec[a]!;
    const s = score(metric, yTe, dec);
    if (!Number.isFinite(s)) throw new DdError('DECODE_NOT_FINITE', `The ${metric} score of a fold is ${s}; the fold's predictions are degenerate.`);
    return s;
  });
}

/**
 * Scores permuted label vectors on fixed folds: one FoldPredictor per fold (K validated once,
 * ridge's hat matrix, ...), then per label vector the same fold scores as crossValidate.
 */
export class NullScorer {
  notConverged = 0;
  private readonly predictors: FoldPredictor[];
  private readonly yTr: Float64Array[];
  private readonly yTe: Float64Array[];
  private readonly dec: Float64Array[];
  private readonly y: Float64Array;
  private readonly foldScores: number[];

  constructor(private readonly model: DualModel, mopts: ModelOptions | undefined, private readonly metric: MetricName, private readonly folds: PreparedFold[], readonly n: number) {
    // Many label vectors per fold (the permutation test).
    this.predictors = folds.map((f) => foldPredictor(model, f.Ktrain, f.train.length, f.Ktest, f.test.length, mopts, Infinity));
    this.yTr = folds.map((f) => new Float64Array(f.train.length));
    this.yTe = folds.map((f) => new Float64Array(f.test.length));
    this.dec = folds.map((f) => new Float64Array(f.test.length));
    this.y = new Float64Array(n);
    this.foldScores = folds.map(() => 0);
  }

  /** The score of fold k for the labels y (length n). */
  private foldScore(k: number, y: ArrayLike<number>): number {
    const f = this.folds[k]!, yTr = this.yTr[k]!, yTe = this.yTe[k]!, dec = this.dec[k]!;
    for (let a = 0; a < f.train.length; a++) yTr[a] = y[f.train[a]!]!;
    for (let a = 0; a < f.test.length; a++) yTe[a] = y[f.test[a]!]!;
    if (!this.predictors[k]!.decide(yTr, dec)) this.notConverged++;
    for (let a = 0; a < dec.length; a++) {
      if (!Number.isFinite(dec[a]!)) {
        throw new DdError('DECODE_NOT_FINITE', `The ${this.model.name} model gave a non-finite decision value (${dec[a]}) on a test sample. The features are probably degenerate (all constant) or huge; check the patterns file.`);
      }
    }
    const sc = score(this.metric, yTe, dec);
    if (!Number.isFinite(sc)) throw new DdError('DECODE_NOT_FINITE', `The ${this.metric} score of a fold is ${sc}; the fold's predictions are degenerate.`);
    return sc;
  }

  /** Mean CV score for the labels y (length n). */
  score(y: ArrayLike<number>): number {
    for (let k = 0; k < this.folds.length; k++) this.foldScores[k] = this.foldScore(k, y);
    return meanScore(this.foldScores);
  }

  /**
   * Mean CV scores of `count` label vectors stored row-major in `labels` (count × n): fold by
   * fold (consecutive fits share one K: no copy into wasm memory), then each mean in fold order,
   * so every score equals score() of its labels.
   */
  run(labels: Float64Array, count: number): NullShardResult {
    const n = this.n, nf = this.folds.length;
    const before = this.notConverged;
    const perFold = new Float64Array(count * nf);
    for (let k = 0; k < nf; k++) {
      for (let b = 0; b < count; b++) perFold[b * nf + k] = this.foldScore(k, labels.subarray(b * n, b * n + n));
    }
    const scores = new Float64Array(count);
    for (let b = 0; b < count; b++) {
      for (let k = 0; k < nf; k++) this.foldScores[k] = perFold[b * nf + k]!;
      scores[b] = meanScore(this.foldScores);
    }
    return { scores, notConverged: this.notConverged - before };
  }
}

/** The worker side of PermutationWorkers: set up a job, score shards of it. */
export function createNullShardRunner(getModel: (name: ModelName) => DualModel): {
  setup(job: NullJob): void;
  run(labels: Float64Array, count: number): NullShardResult;
} {
  let scorer: NullScorer | null = null;
  return {
    setup(job) {
      scorer = new NullScorer(getModel(job.model), job.modelOptions, job.metric, job.folds, job.n);
    },
    run(labels, count) {
      if (!scorer) throw new DdError('POOL_NOT_INITIALIZED', 'Permutation shard run before setup().');
      return scorer.run(labels, count);
    },
  };
}

interface Setup {
  metric: MetricName;
  kind: ModelKind;
  cv: CvSpec | null;
  folds: Fold[];
  prepared: PreparedFold[];
  foldScores: number[];
  observed: number;
  decision: Float64Array;
  notConverged: number;
  nPerm: number;
  /** Writes permuted label vector b (drawn in order b = 0, 1, ...) into out and checks its folds. */
  nextLabels: (b: number, out: Float64Array) => Float64Array;
  scaling: Scaling;
}

function setup(data: DecodeData, opts: DecodeOptions): Setup {
  const { n, p, y } = data;
  const model = opts.model;
  const kind = model.kind;
  const metric = opts.metric ?? defaultMetric(kind);
  if (metricKind(metric) !== kind) {
    throw new DdError('ARGS_BAD_VALUE', `--metric ${metric} is a ${metricKind(metric)} metric but --model ${model.name} is a ${kind} model. Use ${kind === 'classification' ? 'accuracy, balanced_accuracy or roc_auc' : 'r2 or pearson_r'}.`);
  }
  if (y.length !== n || data.X.length !== n * p) {
    throw new DdError('DECODE_LENGTH_MISMATCH', `The patterns have ${data.X.length / Math.max(p, 1)} rows of ${p} features but there are ${y.length} labels; give one label per pattern row.`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) throw new DdError('DECODE_NAN', `Target value ${i} is ${y[i]}; drop rows without a target before decoding.`);
    if (kind === 'classification' && y[i] !== 0 && y[i] !== 1) throw new DdError('DECODE_NOT_BINARY', `Classification labels must be 0 or 1, sample ${i} has ${y[i]}.`);
  }
  for (let i = 0; i < n * p; i++) {
    if (!Number.isFinite(data.X[i]!)) throw new DdError('DECODE_NAN', `Feature ${i % p} of sample ${Math.floor(i / p)} is ${data.X[i]}; decoding needs finite patterns.`);
  }
  let y0 = y[0]!, constant = true;
  for (let i = 1; i < n; i++) if (y[i] !== y0) { constant = false; break; }
  if (constant) throw new DdError('DECODE_CONSTANT_TARGET', `The target has one value (${y0}) in all ${n} samples; there is nothing to decode. Pick another target.`);

  const groups = data.groups ?? null;
  const onsets = data.onsets ?? null;
  const seed = opts.seed ?? 0;
  const scaling = opts.scaling ?? 'within-run';
  let cv: CvSpec | null = null;
  let folds: Fold[];
  if (opts.folds) folds = opts.folds;
  else {
    cv = opts.cv ?? defaultCv(groups ? new Set(groups).size : 1);
    if (cv.kind !== 'loro' && n < cv.k) {
      throw new DdError('DECODE_TOO_FEW_SAMPLES', `${n} samples cannot be split into ${cv.k} folds (${formatCv(cv)}). Use fewer folds or more trials.`);
    }
    folds = makeFolds(cv, { n, groups, onsets, y, classification: kind === 'classification', seed });
  }
  checkFolds(folds, y, kind, false);

  const prepared = prepareFolds(data, folds, scaling, opts.gram ?? gramF64);
  const counter = { notConverged: 0 };
  const decision = new Float64Array(n).fill(NaN);
  const foldScores = crossValidate(prepared, y, model, opts.modelOptions, metric, decision, counter);
  const observed = meanScore(foldScores);

  // Permutations.
  const perms = opts.permutations ?? 0;
  let nPerm: number;
  let draw: (b: number, out: Float64Array) => Float64Array;
  if (typeof perms === 'number') {
    if (!Number.isInteger(perms) || perms < 0) throw new DdError('ARGS_BAD_VALUE', `--permutations must be a whole number ≥ 0, got ${perms}.`);
    nPerm = perms;
    const strata = opts.strata !== undefined ? opts.strata : cv ? permutationStrata(cv, n, groups, onsets) : groups;
    const permuter = new LabelPermuter(y, strata, seed);
    draw = (_b, out) => permuter.next(out);
  } else {
    checkExplicitPermutations(perms, n);
    nPerm = perms.length;
    draw = (b, out) => { for (let i = 0; i < n; i++) out[i] = perms[b]![i]!; return out; };
  }
  const nextLabels = (b: number, out: Float64Array) => {
    draw(b, out);
    checkFolds(folds, out, kind, true);
    return out;
  };
  return { metric, kind, cv, folds, prepared, foldScores, observed, decision, notConverged: counter.notConverged, nPerm, nextLabels, scaling };
}

function result(data: DecodeData, opts: DecodeOptions, s: Setup, nullScores: Float64Array, nullNotConverged: number): DecodeResult {
  return {
    metric: s.metric,
    score: s.observed,
    foldScores: s.foldScores,
    pValue: s.nPerm > 0 ? permutationPValue(s.observed, nullScores) : null,
    nPermutations: s.nPerm,
    nullScores,
    nSamples: data.n,
    nFeatures: data.p,
    model: opts.model.name,
    cv: s.cv ? formatCv(s.cv) : 'custom',
    scaling: s.scaling,
    folds: s.folds,
    decision: s.decision,
    nNotConverged: s.notConverged + nullNotConverged,
  };
}

const cancelled = () => new DdError('DECODE_CANCELLED', 'Decoding was cancelled.');

export function decode(data: DecodeData, opts: DecodeOptions): DecodeResult {
  const s = setup(data, opts);
  const nullScores = new Float64Array(s.nPerm);
  if (s.nPerm === 0) return result(data, opts, s, nullScores, 0);
  const scorer = new NullScorer(opts.model, opts.modelOptions, s.metric, s.prepared, data.n);
  const yPerm = new Float64Array(data.n);
  for (let b = 0; b < s.nPerm; b++) {
    if (opts.signal?.aborted) throw cancelled();
    s.nextLabels(b, yPerm);
    nullScores[b] = scorer.score(yPerm);
    opts.onProgress?.(b + 1, s.nPerm);
  }
  return result(data, opts, s, nullScores, scorer.notConverged);
}

/** Lets worker replies in (setImmediate where the host has it: no 1 ms timer clamp). */
const yieldToEvents = (): Promise<void> => {
  const si = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise<void>((resolve) => (si ? si(resolve) : setTimeout(resolve, 0)));
};

/**
 * decode() with the permutations shared between this thread and worker threads
 * (opts.startWorkers). The permuted labels are drawn here, in order, from the one seeded
 * generator and scored in chunks wherever a thread is free; the null scores are merged in
 * permutation order, so the result is bit-identical to decode() whatever the number of workers.
 * Small jobs (estimated under opts.parallelMinSeconds) never start the workers.
 */
const NO_LABELS = new Float64Array(0);

export async function decodeAsync(data: DecodeData, opts: DecodeAsyncOptions): Promise<DecodeResult> {
  const s = setup(data, opts);
  const n = data.n, nPerm = s.nPerm;
  const nullScores = new Float64Array(nPerm);
  if (nPerm === 0) return result(data, opts, s, nullScores, 0);
  const scorer = new NullScorer(opts.model, opts.modelOptions, s.metric, s.prepared, n);

  // Chunks of consecutive permutations, drawn in order when handed out. Guided sizes: about
  // 1/(4 threads) of what is left, at most 64 and at least `minChunk`, so the last chunks are small.
  interface Chunk { start: number; count: number; labels: Float64Array; done: boolean }
  const minChunk = Math.max(1, Math.min(16, Math.ceil(nPerm / 100)));
  let threads = 1;
  let next = 0; // first permutation not yet handed out
  let done = 0;
  let workerNotConverged = 0;
  let failure: unknown = null;
  const take = (): Chunk | null => {
    if (next >= nPerm || failure !== null) return null;
    if (opts.signal?.aborted) { failure ??= cancelled(); return null; }
    const count = Math.min(nPerm - next, Math.max(minChunk, Math.min(64, Math.ceil((nPerm - next) / (4 * threads)))));
    const start = next;
    next += count;
    const labels = new Float64Array(count * n);
    try {
      for (let b = 0; b < count; b++) s.nextLabels(start + b, labels.subarray(b * n, b * n + n));
    } catch (e) {
      failure ??= e;
      return null;
    }
    return { start, count, labels, done: false };
  };
  const finish = (c: Chunk, scores: Float64Array) => {
    if (c.done) return false;
    c.done = true;
    c.labels = NO_LABELS; // sent or scored: free them
    nullScores.set(scores, c.start);
    done += c.count;
    opts.onProgress?.(done, nPerm);
    return true;
  };

  // Workers: started only for a long job, while this thread goes on scoring. When nothing is
  // left to hand out, this thread also scores the chunks still out on workers (the same labels
  // give the same scores anywhere; the first result wins), so it never waits on a slow worker
  // nor on a worker start slower than the whole job.
  const outstanding: Chunk[] = [];
  let starting = false, sharing = false;
  const modelName = opts.model.name;
  const canShare = !!opts.startWorkers && MODELS[modelName] === opts.model;
  let started = !canShare;
  const startWorkers = () => {
    started = true;
    starting = true;
    const job: NullJob = { model: modelName, modelOptions: opts.modelOptions, metric: s.metric, n, folds: s.prepared };
    void (async () => {
      let workers: PermutationWorkers | null = null;
      try {
        workers = await opts.startWorkers!();
      } catch {
        return; // no workers: this thread does the work
      } finally {
        starting = false;
      }
      if (!workers || next >= nPerm || failure !== null) return;
      const w = workers;
      threads = 1 + w.size;
      sharing = true; // from now on this thread lets the workers' replies in between its chunks
      for (let id = 0; id < w.size; id++) {
        void (async () => {
          try {
            await w.setup(id, job);
          } catch (e) {
            failure ??= e;
            return;
          }
          // Two chunks in flight per worker, so it never waits for this thread.
          const pump = async (): Promise<void> => {
            const c = take();
            if (!c) return;
            if (outstanding.length >= 64) outstanding.splice(0, outstanding.length, ...outstanding.filter((o) => !o.done));
            outstanding.push(c);
            try {
              const r = await w.run(id, c.labels, c.count);
              if (finish(c, r.scores)) workerNotConverged += r.notConverged;
            } catch (e) {
              if (!c.done) failure ??= e;
              return;
            }
            return pump();
          };
          await Promise.all([pump(), pump()]);
        })();
      }
    })();
  };

  const minSeconds = opts.parallelMinSeconds ?? 0.2;
  let chunksDone = 0;
  for (;;) {
    let c = take();
    if (!c) {
      if (failure !== null) break;
      // Nothing left to hand out: score the oldest chunk still out on a worker, or stop.
      c = outstanding.find((o) => !o.done) ?? null;
      if (!c) break;
    }
    const t0 = performance.now();
    const r = scorer.run(c.labels, c.count);
    finish(c, r.scores);
    chunksDone++;
    if (!started) {
      // The first chunk also warms up the code; the estimate comes from the second one (or
      // from the first when it alone says the job is long).
      const perPerm = (performance.now() - t0) / 1000 / c.count;
      const left = nPerm - c.start - c.count;
      if (perPerm * left > minSeconds * (chunksDone === 1 ? 2 : 1)) startWorkers();
      else if (chunksDone >= 2) started = true; // measured: a small job, this thread alone
    }
    if (starting || sharing) await yieldToEvents();
  }
  if (failure !== null) throw failure;
  return result(data, opts, s, nullScores, scorer.notConverged + workerNotConverged);
}
