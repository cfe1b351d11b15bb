/**
 * The contract between the decoding driver (splitters, permutations, metrics) and the linear
 * models. Every model is fitted in the dual on an n × n Gram matrix K = X Xᵀ of the training
 * samples (ARCHITECTURE.md "Decoders in the dual"): a label permutation changes y, not K, so a
 * permutation re-solves only an n × n problem.
 *
 * Conventions: matrices are row-major Float64Array; classification labels are 0/1 (the positive
 * class is 1); decision values > 0 predict class 1.
 */
export type ModelName = 'svc' | 'logreg' | 'ridge';
export type ModelKind = 'classification' | 'regression';

export interface ModelOptions {
  /** Inverse regularisation for svc / logreg (scikit-learn's C, default 1). */
  C?: number;
  /** Ridge penalty (scikit-learn's alpha, default 1). */
  alpha?: number;
  /** 'balanced' weights classes by n / (2 · n_c), as scikit-learn's class_weight='balanced'. */
  classWeight?: 'balanced' | null;
}

export interface DualFit {
  model: ModelName;
  /** Dual coefficients, one per training sample: w = Xᵀ · coef (in the scaled feature space). */
  coef: Float64Array;
  intercept: number;
  /** Solver iterations and whether it converged (reported, never silently ignored). */
  iterations: number;
  converged: boolean;
}

export interface DualModel {
  readonly name: ModelName;
  readonly kind: ModelKind;
  /** Fit on the training Gram matrix K (n × n) and targets y (0/1 labels or real values). */
  fit(K: Float64Array, n: number, y: Float64Array, opts?: ModelOptions): DualFit;
  /** Decision values for test samples from Ktest (nTest × nTrain, rows = test · train). */
  decision(fit: DualFit, Ktest: Float64Array, nTest: number): Float64Array;
}
