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
import type { DualModel, ModelKind, ModelOptions } from './model.ts';
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

interface PreparedFold {
  train: Int32Array;
  test: Int32Array;
  Ktrain: Float64Array;
  Ktest: Float64Array;
}

/** Default metric of a model kind. */
export function defaultMetric(kind: ModelKind): MetricName {
  return kind === 'classification' ? 'balanced_accuracy' : 'r2';
}

function prepareFolds(data: DecodeData, folds: Fold[], scaling: Scaling, gram: GramFn): PreparedFold[] {
  const { X, n, p } = data;
  if (scaling !== 'train-fold') {
    const Xs = scaling === 'within-run' ? zscoreWithinGroups(X, n, p, data.groups ?? null) : toF64(X, n, p);
    const K = gram(Xs, n, p);
    return folds.map((f) => ({ train: f.train, test: f.test, Ktrain: sliceGram(K, n, f.train, f.train), Ktest: sliceGram(K, n, f.test, f.train) }));
  }
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

export function decode(data: DecodeData, opts: DecodeOptions): DecodeResult {
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
  let nextLabels: (b: number, out: Float64Array) => Float64Array;
  if (typeof perms === 'number') {
    if (!Number.isInteger(perms) || perms < 0) throw new DdError('ARGS_BAD_VALUE', `--permutations must be a whole number ≥ 0, got ${perms}.`);
    nPerm = perms;
    const strata = opts.strata !== undefined ? opts.strata : cv ? permutationStrata(cv, n, groups, onsets) : groups;
    const permuter = new LabelPermuter(y, strata, seed);
    nextLabels = (_b, out) => permuter.next(out);
  } else {
    checkExplicitPermutations(perms, n);
    nPerm = perms.length;
    nextLabels = (b, out) => { for (let i = 0; i < n; i++) out[i] = perms[b]![i]!; return out; };
  }
  const nullScores = new Float64Array(nPerm);
  const yPerm = new Float64Array(n);
  for (let b = 0; b < nPerm; b++) {
    if (opts.signal?.aborted) throw new DdError('DECODE_CANCELLED', 'Decoding was cancelled.');
    nextLabels(b, yPerm);
    checkFolds(folds, yPerm, kind, true);
    nullScores[b] = meanScore(crossValidate(prepared, yPerm, model, opts.modelOptions, metric, null, counter));
    opts.onProgress?.(b + 1, nPerm);
  }

  return {
    metric,
    score: observed,
    foldScores,
    pValue: nPerm > 0 ? permutationPValue(observed, nullScores) : null,
    nPermutations: nPerm,
    nullScores,
    nSamples: n,
    nFeatures: p,
    model: model.name,
    cv: cv ? formatCv(cv) : 'custom',
    scaling,
    folds,
    decision,
    nNotConverged: counter.notConverged,
  };
}
