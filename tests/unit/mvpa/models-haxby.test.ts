/**
 * Golden test of the dual models on real fMRI: Haxby et al. (2001) sub001 (tests/fixtures/haxby),
 * face vs house single volumes, 530 mask voxels z-scored within run over all 121 volumes,
 * leave-one-run-out over the 12 runs, against scikit-learn 1.2.1
 * (tests/fixtures/golden/models_haxby.json from scripts/golden/models_reference.py).
 * Both backends (TypeScript and wasm) are held to the same references.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelOptions } from '../../../src/core/mvpa/model.ts';
import { getModel, gramF64, primalWeights, subGram, useWasmSolvers } from '../../../src/core/mvpa/models/index.ts';
import { foldPredictor, LOGREG_BASIS_MIN_FITS } from '../../../src/core/mvpa/models/fold.ts';
import { getEngine } from '../kernels/helpers.ts';
import { loadHaxby, maxAbs, maxDiff, readGolden, relDiff, rowsOf, type HaxbyData, type HaxbyFold, type HaxbyGolden } from './models-helpers.ts';

const golden = readGolden<HaxbyGolden>('models_haxby.json');

interface Problem {
  samples: number[];
  X: Float64Array;
  K: Float64Array;
  y: number[];
  runs: number[];
  times: number[];
}

let data: HaxbyData;
const problems: Record<'face_house' | 'balanced', Problem> = {} as never;

function problem(d: HaxbyData, samples: number[]): Problem {
  const X = rowsOf(d.X, d.p, samples);
  return {
    samples, X,
    K: gramF64(X, samples.length, d.p),
    y: samples.map((s) => (d.labels[s] === 2 ? 1 : 0)),
    runs: samples.map((s) => d.runs[s]!),
    times: samples.map((s) => (s - d.runs[s]! * 121) * golden.tr),
  };
}

function split(P: Problem, fold: HaxbyFold): { train: number[]; test: number[] } {
  const train: number[] = [], test: number[] = [];
  P.runs.forEach((r, a) => (r === fold.test_run ? test : train).push(a));
  return { train, test };
}

beforeAll(async () => {
  data = await loadHaxby();
  const fh = data.labels.flatMap((l, t) => (l === 1 || l === 2 ? [t] : []));
  problems.face_house = problem(data, fh);
  problems.balanced = problem(data, golden.balanced.samples);
});

it('builds the same samples as the golden script (mask order, counts)', () => {
  expect(data.maskIndices).toEqual(golden.mask_indices);
  expect(data.p).toBe(golden.n_voxels);
  expect(problems.face_house.samples.length).toBe(golden.face_house.n_samples);
  expect(problems.balanced.samples.length).toBe(golden.balanced.n_samples);
  expect(problems.balanced.y.filter((v) => v === 1).length).toBe(36);
  // README reference (LinearSVC 0.9074); SVC(kernel="linear") reaches 0.9537 on the same folds.
  expect(golden.face_house.mean_accuracy.linear_svc).toBeCloseTo(0.9074, 4);
  expect(golden.face_house.mean_accuracy.logreg).toBeCloseTo(0.9537, 4);
  expect(golden.face_house.mean_accuracy.svc).toBeCloseTo(0.9537, 4);
});

for (const backend of ['ts', 'wasm'] as const) {
  describe(`Haxby face vs house, leave one run out (${backend} backend)`, () => {
    beforeAll(async () => useWasmSolvers(backend === 'wasm' ? await getEngine() : null));
    afterAll(() => useWasmSolvers(null));

    for (const key of ['face_house', 'balanced'] as const) {
      const opts: ModelOptions = key === 'balanced' ? { classWeight: 'balanced' } : {};
      const G = golden[key];

      it(`${key}: svc follows libsvm's path and gives scikit-learn's predictions and decisions`, () => {
        const P = problems[key];
        const m = getModel('svc');
        let accSum = 0;
        for (const fold of G.folds) {
          const { train, test } = split(P, fold);
          expect(train.length).toBe(fold.n_train);
          const fit = m.fit(subGram(P.K, P.samples.length, train, train), train.length, Float64Array.from(train, (a) => P.y[a]!), opts);
          expect(fit.converged).toBe(true);
          expect(fit.iterations, `run ${fold.test_run}`).toBe(fold.svc.n_iter);
          expect(maxDiff(fit.coef, fold.svc.dual)).toBeLessThanOrEqual(1e-9);
          expect(Math.abs(fit.intercept - fold.svc.intercept)).toBeLessThanOrEqual(1e-9);
          const dec = m.decision(fit, subGram(P.K, P.samples.length, test, train), test.length);
          expect(relDiff(dec, fold.svc.decision, 1)).toBeLessThanOrEqual(1e-9);
          const pred = Array.from(dec, (v) => (v > 0 ? 1 : 0));
          expect(pred, `run ${fold.test_run}`).toEqual(fold.svc.pred);
          accSum += pred.filter((v, t) => v === P.y[test[t]!]).length / test.length;
        }
        expect(accSum / G.folds.length).toBeCloseTo(G.mean_accuracy.svc, 12);
      });

      it(`${key}: logreg reaches the exact optimum and scikit-learn's predictions`, () => {
        const P = problems[key];
        const m = getModel('logreg');
        let accSum = 0;
        for (const fold of G.folds) {
          const { train, test } = split(P, fold);
          const fit = m.fit(subGram(P.K, P.samples.length, train, train), train.length, Float64Array.from(train, (a) => P.y[a]!), opts);
          expect(fit.converged).toBe(true);
          const dec = m.decision(fit, subGram(P.K, P.samples.length, test, train), test.length);
          expect(relDiff(dec, fold.logreg.exact.decision)).toBeLessThanOrEqual(1e-7);
          expect(Math.abs(fit.intercept - fold.logreg.exact.intercept)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(fold.logreg.exact.intercept)));
          // lbfgs (tol 1e-4) is within ~2e-4 of the optimum; the predictions agree on >= 99 % (here all).
          expect(relDiff(dec, fold.logreg.decision)).toBeLessThanOrEqual(2e-3);
          const pred = Array.from(dec, (v) => (v > 0 ? 1 : 0));
          const agree = pred.filter((v, t) => v === fold.logreg.pred[t]).length / test.length;
          expect(agree, `run ${fold.test_run}`).toBeGreaterThanOrEqual(0.99);
          accSum += pred.filter((v, t) => v === P.y[test[t]!]).length / test.length;
          if (fold.logreg.exact.coef) {
            const w = primalWeights(rowsOf(P.X, data.p, train), fit);
            expect(relDiff(w, fold.logreg.exact.coef)).toBeLessThanOrEqual(1e-7);
            expect(relDiff(w, fold.logreg.coef!)).toBeLessThanOrEqual(2e-3);
          }
        }
        expect(accSum / G.folds.length).toBeCloseTo(G.mean_accuracy.logreg, 12);
      });

      it(`${key}: logreg in the eigenbasis of K (the permutation path) reaches the same optimum and predictions`, () => {
        const P = problems[key];
        let accSum = 0;
        for (const fold of G.folds) {
          const { train, test } = split(P, fold);
          const Ktr = subGram(P.K, P.samples.length, train, train), Kte = subGram(P.K, P.samples.length, test, train);
          const fp = foldPredictor(getModel('logreg'), Ktr, train.length, Kte, test.length, opts, LOGREG_BASIS_MIN_FITS);
          const dec = new Float64Array(test.length);
          expect(fp.decide(Float64Array.from(train, (a) => P.y[a]!), dec)).toBe(true);
          expect(relDiff(dec, fold.logreg.exact.decision)).toBeLessThanOrEqual(1e-7);
          const pred = Array.from(dec, (v) => (v > 0 ? 1 : 0));
          expect(pred.filter((v, t) => v === fold.logreg.pred[t]).length / test.length, `run ${fold.test_run}`).toBeGreaterThanOrEqual(0.99);
          accSum += pred.filter((v, t) => v === P.y[test[t]!]).length / test.length;
        }
        expect(accSum / G.folds.length).toBeCloseTo(G.mean_accuracy.logreg, 12);
      });
    }

    it('ridge: coef_ and intercept_ of Ridge() per fold (0/1 labels and the time within the run)', () => {
      const P = problems.face_house;
      const m = getModel('ridge');
      for (const fold of golden.face_house.folds) {
        const { train, test } = split(P, fold);
        const Ktr = subGram(P.K, P.samples.length, train, train);
        const Xtr = rowsOf(P.X, data.p, train);
        const fit = m.fit(Ktr, train.length, Float64Array.from(train, (a) => P.y[a]!));
        expect(relDiff(primalWeights(Xtr, fit), fold.ridge!.coef)).toBeLessThanOrEqual(1e-8);
        expect(Math.abs(fit.intercept - fold.ridge!.intercept)).toBeLessThanOrEqual(1e-9);
        const pred = m.decision(fit, subGram(P.K, P.samples.length, test, train), test.length);
        expect(maxDiff(pred, fold.ridge!.pred)).toBeLessThanOrEqual(1e-9);
        if (fold.ridge_time) {
          const ft = m.fit(Ktr, train.length, Float64Array.from(train, (a) => P.times[a]!));
          expect(relDiff(primalWeights(Xtr, ft), fold.ridge_time.coef)).toBeLessThanOrEqual(1e-8);
          expect(Math.abs(ft.intercept - fold.ridge_time.intercept)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(fold.ridge_time.intercept)));
          const pt = m.decision(ft, subGram(P.K, P.samples.length, test, train), test.length);
          expect(maxDiff(pt, fold.ridge_time.pred)).toBeLessThanOrEqual(1e-8 * maxAbs(fold.ridge_time.pred));
        }
      }
    });
  });
}
