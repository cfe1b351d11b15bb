/**
 * Dual models (src/core/mvpa/models) on small hand-made cases against scikit-learn 1.2.1
 * (tests/fixtures/golden/models_small.json from scripts/golden/models_reference.py), the
 * contract's conventions, and every bad input of the model layer. TypeScript backend; the wasm
 * backend is checked bit for bit against it in models-wasm.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import type { DualModel, ModelName } from '../../../src/core/mvpa/model.ts';
import {
  MODEL_NAMES, fitLogreg, fitRidge, fitSvc, getModel, gramF64, linearDecision, primalWeights, subGram,
} from '../../../src/core/mvpa/models/index.ts';
import { Rng } from '../../../src/core/random.ts';
import { maxAbs, maxDiff, readGolden, relDiff, smallCaseData, type SmallCase } from './models-helpers.ts';

const doc = readGolden<{ sklearn: string; cases: SmallCase[] }>('models_small.json');
const cases = doc.cases;

function expectCode(f: () => unknown, code: string): void {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err, `expected DdError ${code}`).toBeInstanceOf(DdError);
  expect((err as DdError).code).toBe(code);
}

describe('svc = libsvm C-SVC (scikit-learn SVC(kernel="linear"))', () => {
  for (const c of cases) {
    it(`${c.name}: the same SMO path (iterations), dual coefficients, intercept and decisions`, () => {
      const d = smallCaseData(c, cases);
      const n = d.X.length;
      const fit = fitSvc(d.K, n, d.y, d.opts);
      expect(fit.converged).toBe(true);
      expect(fit.iterations).toBe(c.svc.n_iter);
      const scale = Math.max(1, c.C * (c.class_weight ? 4 : 1));
      expect(maxDiff(fit.coef, c.svc.dual)).toBeLessThanOrEqual(1e-9 * scale);
      expect(Math.abs(fit.intercept - c.svc.intercept)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c.svc.intercept)));
      const dec = getModel('svc').decision(fit, d.Ktest, d.Xtest.length);
      expect(relDiff(dec, c.svc.decision, 1)).toBeLessThanOrEqual(1e-9);
      expect(relDiff(getModel('svc').decision(fit, d.K, n), c.svc.decision_train, 1)).toBeLessThanOrEqual(1e-9);
      // Predictions: decision > 0 => class 1 (exact zeros only arise for indistinguishable samples).
      c.svc.decision.forEach((v, t) => { if (v !== 0) expect(dec[t]! > 0 ? 1 : 0).toBe(c.svc.pred[t]); });
      // Dual feasibility: 0 <= alpha_i <= C_i, sum y_i alpha_i = 0.
      const sum = fit.coef.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum)).toBeLessThanOrEqual(1e-9 * scale);
    });
  }
});

describe('logreg = L2 logistic regression, unpenalised intercept (LogisticRegression())', () => {
  for (const c of cases) {
    it(`${c.name}: the exact optimum (primal Newton reference) and scikit-learn's predictions`, () => {
      const d = smallCaseData(c, cases);
      const n = d.X.length;
      const fit = fitLogreg(d.K, n, d.y, d.opts);
      expect(fit.converged).toBe(true);
      const dec = getModel('logreg').decision(fit, d.Ktest, d.Xtest.length);
      expect(maxDiff(dec, c.logreg.exact.decision) / Math.max(1, maxAbs(c.logreg.exact.decision))).toBeLessThanOrEqual(1e-7);
      expect(Math.abs(fit.intercept - c.logreg.exact.intercept)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(c.logreg.exact.intercept)));
      const w = primalWeights(d.X.flat(), fit);
      expect(maxDiff(w, c.logreg.exact.coef!) / Math.max(1, maxAbs(c.logreg.exact.coef!))).toBeLessThanOrEqual(1e-7);
      // scikit-learn's lbfgs stops at tol 1e-4: its decisions are close, its predictions equal.
      expect(maxDiff(dec, c.logreg.decision) / Math.max(1, maxAbs(c.logreg.decision))).toBeLessThanOrEqual(2e-3);
      c.logreg.decision.forEach((v, t) => { if (v !== 0) expect(dec[t]! > 0 ? 1 : 0).toBe(c.logreg.pred[t]); });
    });
  }
});

describe('ridge = Ridge(alpha) with the intercept by centring', () => {
  for (const c of cases) {
    it(`${c.name}: coef_ (via primalWeights), intercept_ and predictions`, () => {
      const d = smallCaseData(c, cases);
      const n = d.X.length;
      const target = d.yReg ?? d.y;
      const fit = fitRidge(d.K, n, target, d.opts);
      const w = primalWeights(d.X.flat(), fit);
      expect(maxDiff(w, c.ridge.coef!) / Math.max(1e-12, maxAbs(c.ridge.coef!))).toBeLessThanOrEqual(1e-8);
      expect(Math.abs(fit.intercept - c.ridge.intercept)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c.ridge.intercept)));
      const pred = getModel('ridge').decision(fit, d.Ktest, d.Xtest.length);
      expect(maxDiff(pred, c.ridge.pred)).toBeLessThanOrEqual(1e-9 * Math.max(1, maxAbs(c.ridge.pred)));
      // The dual coefficients sum to zero (what lets raw test Gram rows be used).
      expect(Math.abs(fit.coef.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(fit.coef)) * n);
    });
  }
});

describe('contract', () => {
  it('getModel returns the three models with their kinds; unknown names fail', () => {
    expect(MODEL_NAMES).toEqual(['svc', 'logreg', 'ridge']);
    expect(getModel('svc').kind).toBe('classification');
    expect(getModel('logreg').kind).toBe('classification');
    expect(getModel('ridge').kind).toBe('regression');
    for (const m of MODEL_NAMES) expect(getModel(m).name).toBe(m);
    expectCode(() => getModel('xgboost'), 'MODEL_UNKNOWN');
    expectCode(() => getModel('toString'), 'MODEL_UNKNOWN');
  });

  it('decision > 0 means class 1 for both label orders; labels are not reordered by position', () => {
    const X = [[0, 0], [0.2, 0.1], [3, 3], [2.8, 3.1]];
    const K = gramF64(X.flat(), 4, 2);
    for (const y of [[0, 0, 1, 1], [1, 1, 0, 0]]) {
      for (const name of ['svc', 'logreg'] as ModelName[]) {
        const m = getModel(name);
        const dec = m.decision(m.fit(K, 4, Float64Array.from(y)), K, 4);
        dec.forEach((v, i) => expect(v > 0 ? 1 : 0, `${name} ${y}`).toBe(y[i]));
      }
    }
  });

  it('n = 2: the SVC has the closed form of two support vectors', () => {
    // x0 = (1, 0) class 0, x1 = (0, 1) class 1: w = (x1 - x0) / |x1 - x0|^2 is inside the box (alpha = 1 <= C).
    const K = new Float64Array([1, 0, 0, 1]);
    const fit = fitSvc(K, 2, new Float64Array([0, 1]));
    expect(Array.from(fit.coef)).toEqual([-1, 1]);
    expect(fit.intercept).toBe(0);
    expect(fit.iterations).toBe(1);
  });

  it('primalWeights gives the same decisions as the dual for every model (f32 or f64 X)', () => {
    const rng = new Rng(11);
    const n = 30, p = 7;
    const X = new Float32Array(n * p).map(() => rng.normal());
    const y = new Float64Array(n).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const K = gramF64(X, n, p);
    for (const m of MODEL_NAMES.map(getModel)) {
      const fit = m.fit(K, n, y);
      const w = primalWeights(X, fit);
      const dec = m.decision(fit, K, n);
      for (let i = 0; i < n; i++) {
        let s = fit.intercept;
        for (let j = 0; j < p; j++) s += X[i * p + j]! * w[j]!;
        expect(s).toBeCloseTo(dec[i]!, 10);
      }
    }
  });

  it('subGram slices train × train and test × train blocks of one Gram matrix', () => {
    const X = [1, 2, 3, 4, 5, 6, 7, 8]; // 4 × 2
    const K = gramF64(X, 4, 2);
    expect(Array.from(subGram(K, 4, [0, 2], [0, 2]))).toEqual([5, 17, 17, 61]);
    expect(Array.from(subGram(K, 4, [3], [0, 2]))).toEqual([23, 83]);
    expectCode(() => subGram(K, 4, [4], [0]), 'MODEL_BAD_SHAPE');
  });

  it('degenerate features (all zero) give finite decisions, never NaN', () => {
    const K = new Float64Array(16);
    const y = new Float64Array([0, 1, 1, 0]);
    for (const m of MODEL_NAMES.map(getModel)) {
      const fit = m.fit(K, 4, y);
      const dec = m.decision(fit, new Float64Array(8), 2);
      for (const v of dec) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('class weights: balanced on balanced data changes nothing (weights are exactly 1)', () => {
    const rng = new Rng(5);
    const n = 24, p = 6;
    const X = new Float64Array(n * p).map(() => rng.normal());
    const y = new Float64Array(n).map((_, i) => i % 2);
    const K = gramF64(X, n, p);
    for (const m of [getModel('svc'), getModel('logreg')] as DualModel[]) {
      const a = m.fit(K, n, y), b = m.fit(K, n, y, { classWeight: 'balanced' });
      expect(Array.from(b.coef)).toEqual(Array.from(a.coef));
      expect(b.intercept).toBe(a.intercept);
    }
  });
});

describe('bad input inside the model layer', () => {
  const K = gramF64([0, 0, 1, 0, 0, 1, 1, 1], 4, 2);
  const y = new Float64Array([0, 1, 0, 1]);

  it('one class in the training set: MODEL_ONE_CLASS', () => {
    for (const name of ['svc', 'logreg'] as ModelName[]) {
      expectCode(() => getModel(name).fit(K, 4, new Float64Array([1, 1, 1, 1])), 'MODEL_ONE_CLASS');
      expectCode(() => getModel(name).fit(K, 4, new Float64Array([0, 0, 0, 0])), 'MODEL_ONE_CLASS');
      expectCode(() => getModel(name).fit(new Float64Array([2]), 1, new Float64Array([1])), 'MODEL_ONE_CLASS');
    }
  });

  it('NaN or infinity in K or y: MODEL_NAN', () => {
    for (const name of MODEL_NAMES) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const K2 = K.slice();
        K2[5] = bad;
        expectCode(() => getModel(name).fit(K2, 4, y), 'MODEL_NAN');
        const y2 = y.slice();
        y2[2] = bad;
        expectCode(() => getModel(name).fit(K, 4, y2), 'MODEL_NAN');
      }
      expectCode(() => getModel(name).fit(new Float64Array(16).fill(1e308), 4, y), 'MODEL_NAN');
    }
  });

  it('K not n × n, y not length n, n < 1: MODEL_BAD_SHAPE', () => {
    for (const name of MODEL_NAMES) {
      const m = getModel(name);
      expectCode(() => m.fit(K, 3, y.subarray(0, 3)), 'MODEL_BAD_SHAPE');
      expectCode(() => m.fit(K.subarray(0, 15), 4, y), 'MODEL_BAD_SHAPE');
      expectCode(() => m.fit(K, 4, y.subarray(0, 3)), 'MODEL_BAD_SHAPE');
      expectCode(() => m.fit(new Float64Array(0), 0, new Float64Array(0)), 'MODEL_BAD_SHAPE');
      expectCode(() => m.fit(Array.from(K) as unknown as Float64Array, 4, y), 'MODEL_BAD_SHAPE');
      expectCode(() => m.fit(K, 2.5, y), 'MODEL_BAD_SHAPE');
    }
  });

  it('C <= 0 (or not finite), alpha <= 0, an unknown classWeight: MODEL_BAD_OPTION', () => {
    for (const name of ['svc', 'logreg'] as ModelName[]) {
      for (const C of [0, -1, NaN, Infinity]) expectCode(() => getModel(name).fit(K, 4, y, { C }), 'MODEL_BAD_OPTION');
      expectCode(() => getModel(name).fit(K, 4, y, { classWeight: 'auto' as 'balanced' }), 'MODEL_BAD_OPTION');
    }
    for (const alpha of [0, -2, NaN]) expectCode(() => getModel('ridge').fit(K, 4, y, { alpha }), 'MODEL_BAD_OPTION');
  });

  it('classification labels other than 0/1: MODEL_BAD_LABELS', () => {
    for (const name of ['svc', 'logreg'] as ModelName[]) {
      expectCode(() => getModel(name).fit(K, 4, new Float64Array([0, 1, 2, 1])), 'MODEL_BAD_LABELS');
      expectCode(() => getModel(name).fit(K, 4, new Float64Array([-1, 1, -1, 1])), 'MODEL_BAD_LABELS');
    }
  });

  it('a Gram matrix that is not positive semi-definite: MODEL_BAD_GRAM / MODEL_NUMERIC', () => {
    for (const name of MODEL_NAMES) expectCode(() => getModel(name).fit(new Float64Array([1, 0, 0, -1]), 2, new Float64Array([0, 1])), 'MODEL_BAD_GRAM');
    // Positive diagonal, eigenvalues 11, 11, -9, -9.
    const bad = new Float64Array([1, 10, 0, 0, 10, 1, 0, 0, 0, 0, 1, 10, 0, 0, 10, 1]);
    expectCode(() => fitRidge(bad, 4, y), 'MODEL_NUMERIC');
    expectCode(() => fitLogreg(bad, 4, y), 'MODEL_NUMERIC');
    const fit = fitSvc(bad, 4, y); // libsvm's tau rule keeps SMO defined
    for (const v of linearDecision(fit, bad, 4)) expect(Number.isFinite(v)).toBe(true);
  });

  it('decision: Ktest of the wrong shape is MODEL_BAD_SHAPE, non-finite values MODEL_NAN', () => {
    for (const name of MODEL_NAMES) {
      const m = getModel(name);
      const fit = m.fit(K, 4, y);
      expectCode(() => m.decision(fit, new Float64Array(7), 2), 'MODEL_BAD_SHAPE');
      expectCode(() => m.decision(fit, new Float64Array(8), -1), 'MODEL_BAD_SHAPE');
      expectCode(() => m.decision(fit, new Float64Array([1, 2, 3, NaN]), 1), 'MODEL_NAN');
      expect(m.decision(fit, new Float64Array(0), 0).length).toBe(0);
    }
  });
});
