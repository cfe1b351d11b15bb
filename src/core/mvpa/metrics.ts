/**
 * Scores of one CV fold, as scikit-learn's scorers (names are the scorer names):
 *
 *  - `accuracy`: fraction of predicted labels (decision > 0 → 1) equal to the truth.
 *  - `balanced_accuracy`: mean recall over the classes present in y_true (sklearn's
 *    balanced_accuracy_score, adjusted=False).
 *  - `roc_auc`: area under the ROC curve of the decision values; ties between a positive and a
 *    negative count ½ (the Mann–Whitney form, equal to sklearn's trapezoidal roc_auc_score).
 *    Undefined when y_true has one class: DdError DECODE_ONE_CLASS_TEST_FOLD (sklearn raises).
 *  - `r2`: 1 − SS_res / SS_tot; a constant y_true gives 1 for a perfect prediction, else 0
 *    (sklearn's r2_score with force_finite=True).
 *  - `pearson_r`: Pearson correlation of y_true and the prediction (scipy.stats.pearsonr); 0 when
 *    either is constant (scipy returns NaN; a score here is never NaN).
 *
 * All sums in f64. Classification metrics take 0/1 labels and decision values.
 */
import { DdError } from '../errors.ts';

export type MetricName = 'accuracy' | 'balanced_accuracy' | 'roc_auc' | 'r2' | 'pearson_r';
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'balanced_accuracy', 'roc_auc', 'r2', 'pearson_r'];
export const CLASSIFICATION_METRICS: readonly MetricName[] = ['accuracy', 'balanced_accuracy', 'roc_auc'];
export const REGRESSION_METRICS: readonly MetricName[] = ['r2', 'pearson_r'];

export function isMetricName(s: string): s is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(s);
}

export function metricKind(m: MetricName): 'classification' | 'regression' {
  return CLASSIFICATION_METRICS.includes(m) ? 'classification' : 'regression';
}

/** The score of a model that knows nothing (group tests compare against it). */
export function chanceLevel(m: MetricName): number {
  return m === 'r2' || m === 'pearson_r' ? 0 : 0.5;
}

export function accuracy(yTrue: ArrayLike<number>, decision: ArrayLike<number>): number {
  const n = yTrue.length;
  let ok = 0;
  for (let i = 0; i < n; i++) if ((decision[i]! > 0 ? 1 : 0) === yTrue[i]) ok++;
  return ok / n;
}

export function balancedAccuracy(yTrue: ArrayLike<number>, decision: ArrayLike<number>): number {
  const n = yTrue.length;
  let n1 = 0, tp = 0, tn = 0;
  for (let i = 0; i < n; i++) {
    const p = decision[i]! > 0 ? 1 : 0;
    if (yTrue[i] === 1) { n1++; if (p === 1) tp++; } else if (p === 0) tn++;
  }
  const n0 = n - n1;
  if (n1 === 0) return tn / n0;
  if (n0 === 0) return tp / n1;
  return (tp / n1 + tn / n0) / 2;
}

/** ROC AUC from decision values via mid-ranks (ties count ½). */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = yTrue.length;
  let n1 = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === 1) n1++;
  const n0 = n - n1;
  if (n1 === 0 || n0 === 0) {
    throw new DdError('DECODE_ONE_CLASS_TEST_FOLD', `ROC AUC is undefined on a test fold with only one class (${n} samples, all ${n1 ? 1 : 0}). Use --metric balanced_accuracy, or a CV whose test folds hold both classes (e.g. fewer blocks, or loro over runs with both choices).`);
  }
  const ranks = midRanks(score);
  let r1 = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === 1) r1 += ranks[i]!;
  return (r1 - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let ssRes = 0, ssTot = 0;
  for (let i = 0; i < n; i++) {
    const r = yTrue[i]! - yPred[i]!;
    const t = yTrue[i]! - mean;
    ssRes += r * r;
    ssTot += t * t;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

export function pearsonR(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return 0;
  const r = sab / Math.sqrt(saa * sbb);
  return Math.max(-1, Math.min(1, r));
}

/** One fold's score: y true (0/1 labels or values) against the decision values of the test samples. */
export function score(metric: MetricName, yTrue: ArrayLike<number>, decision: ArrayLike<number>): number {
  switch (metric) {
    case 'accuracy': return accuracy(yTrue, decision);
    case 'balanced_accuracy': return balancedAccuracy(yTrue, decision);
    case 'roc_auc': return rocAuc(yTrue, decision);
    case 'r2': return r2Score(yTrue, decision);
    case 'pearson_r': return pearsonR(yTrue, decision);
  }
}

/** Mean of fold scores (f64, in fold order). */
export function meanScore(foldScores: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < foldScores.length; i++) s += foldScores[i]!;
  return s / foldScores.length;
}

/** Mid-ranks (1-based; ties get the mean of their ranks), as scipy.stats.rankdata('average'). */
export function midRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]!] === x[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) r[idx[m]!] = avg;
    i = j + 1;
  }
  return r;
}
