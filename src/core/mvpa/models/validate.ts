/**
 * Input checks shared by the dual models. Every bad input is a DdError with a stable code, so a
 * model never returns NaN decisions:
 *   MODEL_BAD_SHAPE   K is not n × n, y is not length n, Ktest is not nTest × nTrain, n < 1;
 *   MODEL_NAN         a non-finite value in K, y or Ktest;
 *   MODEL_BAD_LABELS  classification labels other than 0 and 1;
 *   MODEL_ONE_CLASS   a classification training set with a single class;
 *   MODEL_BAD_OPTION  C or alpha not a finite number > 0, an unknown classWeight;
 *   MODEL_BAD_GRAM    a negative diagonal entry (K is not X Xᵀ);
 *   MODEL_NUMERIC     (thrown by the fits) a Newton / ridge system that is not positive definite,
 *                     i.e. K is not positive semi-definite.
 */
import { DdError } from '../../errors.ts';
import type { DualFit, ModelName, ModelOptions } from '../model.ts';

export function checkGram(model: ModelName, K: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new DdError('MODEL_BAD_SHAPE', `${model}: the training set needs at least one sample, got n = ${n}.`);
  }
  if (!(K instanceof Float64Array) || K.length !== n * n) {
    throw new DdError(
      'MODEL_BAD_SHAPE',
      `${model}: the training Gram matrix must be a Float64Array of n × n = ${n * n} values (n = ${n} samples), got ${K instanceof Float64Array ? K.length : typeof K} values.`,
    );
  }
  // Fast path: a sum is finite iff every term is (barring overflow, which the exact scan below
  // reports too). Four accumulators keep the loop short.
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const m = K.length;
  let k = 0;
  for (; k + 4 <= m; k += 4) { s0 += K[k]!; s1 += K[k + 1]!; s2 += K[k + 2]!; s3 += K[k + 3]!; }
  for (; k < m; k++) s0 += K[k]!;
  const s = s0 + s1 + s2 + s3;
  if (s - s === 0) {
    for (let i = 0; i < n; i++) {
      if (K[i * n + i]! < 0) {
        throw new DdError('MODEL_BAD_GRAM', `${model}: the training Gram matrix has ${K[i * n + i]} on its diagonal at ${i}; a Gram matrix X Xᵀ has squared norms there (≥ 0).`);
      }
    }
    return;
  }
  for (let q = 0; q < m; q++) {
    const v = K[q]!;
    if (v - v !== 0) {
      const i = Math.floor(q / n), j = q % n;
      throw new DdError('MODEL_NAN', `${model}: the training Gram matrix has ${v} at (${i}, ${j}); the features contain NaN or infinite values (check the mask and the scaling of constant voxels).`);
    }
  }
  throw new DdError('MODEL_NAN', `${model}: the training Gram matrix is too large to sum in f64 (values near 1e308); rescale the features.`);
}

export function checkTargets(model: ModelName, y: Float64Array | ArrayLike<number>, n: number): void {
  if (y.length !== n) {
    throw new DdError('MODEL_BAD_SHAPE', `${model}: ${y.length} targets for ${n} training samples.`);
  }
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v - v !== 0) throw new DdError('MODEL_NAN', `${model}: target ${i} is ${v}; drop trials without a target value before decoding.`);
  }
}

/** Checks 0/1 labels with both classes present; returns the class sizes. */
export function checkLabels(model: ModelName, y: Float64Array | ArrayLike<number>, n: number): { n0: number; n1: number } {
  checkTargets(model, y, n);
  let n1 = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v === 1) n1++;
    else if (v !== 0) throw new DdError('MODEL_BAD_LABELS', `${model}: classification labels must be 0 or 1, got ${v} for sample ${i}.`);
  }
  const n0 = n - n1;
  if (n0 === 0 || n1 === 0) {
    throw new DdError(
      'MODEL_ONE_CLASS',
      `${model}: the training set has only class ${n1 === 0 ? 0 : 1} (${n} samples); a classifier needs both classes in every training fold (choose another cross-validation or target).`,
    );
  }
  return { n0, n1 };
}

export function positiveOption(model: ModelName, name: 'C' | 'alpha', value: number | undefined, def: number): number {
  const v = value ?? def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new DdError('MODEL_BAD_OPTION', `${model}: ${name} must be a finite number > 0, got ${String(v)}.`);
  }
  return v;
}

/** Class weights (w0, w1): 1 and 1, or scikit-learn's 'balanced' n / (2 n_c). */
export function classWeights(model: ModelName, opts: ModelOptions, n0: number, n1: number): [number, number] {
  const cw = opts.classWeight ?? null;
  if (cw === null) return [1, 1];
  if (cw === 'balanced') {
    const n = n0 + n1;
    return [n / (2 * n0), n / (2 * n1)];
  }
  throw new DdError('MODEL_BAD_OPTION', `${model}: classWeight must be 'balanced' or null, got ${JSON.stringify(cw)}.`);
}

export function checkDecisionInput(fit: DualFit, Ktest: Float64Array, nTest: number): number {
  const n = fit.coef.length;
  if (!Number.isInteger(nTest) || nTest < 0) {
    throw new DdError('MODEL_BAD_SHAPE', `${fit.model}: nTest must be a non-negative integer, got ${nTest}.`);
  }
  if (!(Ktest instanceof Float64Array) || Ktest.length !== nTest * n) {
    throw new DdError(
      'MODEL_BAD_SHAPE',
      `${fit.model}: the test Gram matrix must hold nTest × nTrain = ${nTest} × ${n} = ${nTest * n} values, got ${Ktest instanceof Float64Array ? Ktest.length : typeof Ktest}.`,
    );
  }
  for (let k = 0; k < Ktest.length; k++) {
    const v = Ktest[k]!;
    if (v - v !== 0) {
      throw new DdError('MODEL_NAN', `${fit.model}: the test Gram matrix has ${v} at (${Math.floor(k / n)}, ${k % n}); the test features contain NaN or infinite values.`);
    }
  }
  return n;
}
