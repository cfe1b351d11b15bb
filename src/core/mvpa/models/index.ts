/**
 * The dual linear models (ARCHITECTURE.md "Decoders in the dual"; SCIENCE.md "Decoding"):
 *
 *   const model = getModel('svc');                       // 'svc' | 'logreg' | 'ridge'
 *   const fit = model.fit(Ktrain, nTrain, y, { C: 1, classWeight: 'balanced' });
 *   const dec = model.decision(fit, Ktest, nTest);       // > 0 ⇒ class 1 (classifiers)
 *   const w = primalWeights(Xtrain, fit);                // maps: w = Xᵀ coef
 *
 *  - svc: libsvm's C-SVC with a linear kernel (SMO, WSS3, shrinking, eps 1e-3), as
 *    scikit-learn SVC(kernel="linear");
 *  - logreg: L2 logistic regression, unpenalised intercept, Newton to a 1e-10 relative gradient,
 *    as scikit-learn LogisticRegression();
 *  - ridge: Ridge(alpha) with the intercept by centring, Cholesky.
 * Bad inputs throw DdError (codes in validate.ts). The n × n work runs in TypeScript unless
 * useWasmSolvers(engine) routes it through the wasm kernels (bit-identical results, faster; see
 * backend.ts).
 */
import { DdError } from '../../errors.ts';
import type { DualModel, ModelName } from '../model.ts';
import { logreg } from './logreg.ts';
import { ridge } from './ridge.ts';
import { svc } from './svc.ts';

export { fitSvc, svc, SVC_EPS } from './svc.ts';
export { fitLogreg, logreg, LOGREG_TOL, LOGREG_MAX_ITER } from './logreg.ts';
export { fitRidge, ridge } from './ridge.ts';
export { gramF64, subGram, linearDecision, primalWeights } from './gram.ts';
export { useWasmSolvers, wasmWorkspace, type SolverEngine } from './backend.ts';

export const MODELS: Readonly<Record<ModelName, DualModel>> = { svc, logreg, ridge };
export const MODEL_NAMES: readonly ModelName[] = ['svc', 'logreg', 'ridge'];

export function getModel(name: ModelName | string): DualModel {
  const m = (MODELS as Record<string, DualModel>)[name];
  if (!m || !Object.prototype.hasOwnProperty.call(MODELS, name)) {
    throw new DdError('MODEL_UNKNOWN', `Unknown model "${name}" (choose one of ${MODEL_NAMES.join(', ')}).`);
  }
  return m;
}
