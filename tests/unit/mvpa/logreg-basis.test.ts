/**
 * The permutation path of logreg (src/core/mvpa/models/logreg-basis.ts): K's eigendecomposition
 * (eigen.ts), the portable exponential (linalg.ts expNeg), fits in the eigenbasis against the
 * exact optimum of scikit-learn's problem (models_small.json) in both backends, the fold predictor
 * that uses them, and the wasm = TypeScript identity of the kernel (assembly/newton.ts).
 * The Haxby folds are checked in models-haxby.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import type { DualFit, ModelOptions } from '../../../src/core/mvpa/model.ts';
import { fitLogreg, getModel, gramF64, primalWeights, useWasmSolvers, wasmWorkspace } from '../../../src/core/mvpa/models/index.ts';
import { symmetricEigen, symmetricEigenTs } from '../../../src/core/mvpa/models/eigen.ts';
import { foldPredictor, LOGREG_BASIS_MIN_FITS } from '../../../src/core/mvpa/models/fold.ts';
import { expNeg } from '../../../src/core/mvpa/models/linalg.ts';
import { decideInBasis, fitLogregInBasis, logregBasis } from '../../../src/core/mvpa/models/logreg-basis.ts';
import { Rng } from '../../../src/core/random.ts';
import { firstDiff, getEngine } from '../kernels/helpers.ts';
import { maxAbs, maxDiff, readGolden, relDiff, smallCaseData, type SmallCase } from './models-helpers.ts';

afterEach(() => useWasmSolvers(null));

const cases = readGolden<{ cases: SmallCase[] }>('models_small.json').cases;

function code(f: () => unknown): string {
  try { f(); } catch (e) { return e instanceof DdError ? e.code : String(e); }
  return 'none';
}

function randomGram(rng: Rng, n: number, p: number): { X: Float64Array; K: Float64Array } {
  const X = new Float64Array(n * p).map(() => rng.normal());
  return { X, K: gramF64(X, n, p) };
}

describe('symmetricEigen', () => {
  it('A = Vᵀ diag(λ) V and V Vᵀ = I to rounding, ascending λ (wide, tall rank-deficient, repeated, tiny)', () => {
    const rng = new Rng(1);
    const mats: [string, Float64Array, number][] = [];
    for (const [n, p] of [[96, 2000], [40, 5], [7, 7], [1, 3], [2, 1]] as const) mats.push([`${n}×${p}`, randomGram(rng, n, p).K, n]);
    const diag = new Float64Array(25);
    [3, 1, 3, 0, 1].forEach((v, i) => (diag[i * 5 + i] = v));
    mats.push(['diagonal with repeats', diag, 5], ['zero', new Float64Array(16), 4]);
    for (const [name, A, n] of mats) {
      const { values, vectors } = symmetricEigen(A, n);
      const scale = Math.max(1, maxAbs(A));
      let rec = 0, orth = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let a = 0, o = 0;
          for (let k = 0; k < n; k++) { a += vectors[k * n + i]! * values[k]! * vectors[k * n + j]!; o += vectors[i * n + k]! * vectors[j * n + k]!; }
          rec = Math.max(rec, Math.abs(a - A[i * n + j]!));
          orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
        }
      }
      expect(rec / scale, name).toBeLessThanOrEqual(1e-13);
      expect(orth, name).toBeLessThanOrEqual(1e-13);
      for (let k = 1; k < n; k++) expect(values[k]!, name).toBeGreaterThanOrEqual(values[k - 1]!);
    }
    expect([...symmetricEigen(diag, 5).values]).toEqual([0, 1, 1, 3, 3]);
  });
});

describe('expNeg', () => {
  it('is exp(x) to 1 ulp on [−708, 0], exactly 1 at 0 and 0 below −708', () => {
    const rng = new Rng(2);
    let worst = 0;
    for (let k = 0; k < 100000; k++) {
      const x = k % 2 ? -708 * rng.next() : -3 * rng.next();
      const ref = Math.exp(x);
      worst = Math.max(worst, Math.abs(expNeg(x) - ref) / (ref * Number.EPSILON));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(expNeg(0)).toBe(1);
    expect(expNeg(-Number.MIN_VALUE)).toBe(1);
    expect(expNeg(-708.0001)).toBe(0);
    expect(expNeg(-1e300)).toBe(0);
  });
});

function expectExact(fit: DualFit, c: SmallCase, d: ReturnType<typeof smallCaseData>, what: string): void {
  expect(fit.converged, what).toBe(true);
  const dec = getModel('logreg').decision(fit, d.Ktest, d.Xtest.length);
  expect(maxDiff(dec, c.logreg.exact.decision) / Math.max(1, maxAbs(c.logreg.exact.decision)), what).toBeLessThanOrEqual(1e-7);
  expect(Math.abs(fit.intercept - c.logreg.exact.intercept), what).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(c.logreg.exact.intercept)));
  const w = primalWeights(d.X.flat(), fit);
  expect(maxDiff(w, c.logreg.exact.coef!) / Math.max(1, maxAbs(c.logreg.exact.coef!)), what).toBeLessThanOrEqual(1e-7);
  c.logreg.decision.forEach((v, t) => { if (v !== 0) expect(dec[t]! > 0 ? 1 : 0, what).toBe(c.logreg.pred[t]); });
}

for (const backend of ['ts', 'wasm'] as const) {
  describe(`fits in the eigenbasis (${backend} backend)`, () => {
    const use = async () => useWasmSolvers(backend === 'wasm' ? await getEngine() : null);

    it('every small golden case: the exact optimum and scikit-learn\'s predictions', async () => {
      await use();
      if (backend === 'wasm') expect(wasmWorkspace()?.newtonKernels()).toBeTruthy();
      for (const c of cases) {
        const d = smallCaseData(c, cases);
        expectExact(fitLogregInBasis(logregBasis(d.K, d.X.length), d.y, d.opts), c, d, c.name);
      }
    });

    it('the fold predictor for many fits: the decisions of refitting (to the solver tolerance), for many label vectors', async () => {
      await use();
      const rng = new Rng(7);
      for (const [n, p, opts] of [[60, 500, {}], [45, 6, { C: 100 }], [31, 40, { C: 0.01, classWeight: 'balanced' }]] as [number, number, ModelOptions][]) {
        const { X } = randomGram(rng, n + 10, p);
        for (let i = 0; i < n + 10; i++) X[i * p] = X[i * p]! + (i % 3 === 0 ? 1 : 0);
        const K = gramF64(X, n + 10, p);
        const tr = Array.from({ length: n }, (_, i) => i + 10), te = Array.from({ length: 10 }, (_, i) => i);
        const Ktr = new Float64Array(n * n), Kte = new Float64Array(10 * n);
        tr.forEach((a, i) => tr.forEach((b, j) => (Ktr[i * n + j] = K[a * (n + 10) + b]!)));
        te.forEach((a, t) => tr.forEach((b, j) => (Kte[t * n + j] = K[a * (n + 10) + b]!)));
        const fp = foldPredictor(getModel('logreg'), Ktr, n, Kte, 10, opts, LOGREG_BASIS_MIN_FITS);
        const y = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
        const out = new Float64Array(10);
        for (let r = 0; r < 15; r++) {
          rng.shuffle(y);
          expect(fp.decide(y, out)).toBe(true);
          const ref = getModel('logreg').decision(fitLogreg(Ktr, n, y, opts), Kte, 10);
          expect(relDiff(out, ref, 1), `n ${n} p ${p} ${JSON.stringify(opts)}`).toBeLessThanOrEqual(1e-7);
        }
      }
    });

    it('K = 0 (intercept only) and a rank-one K: the decisions of fitLogreg (the coefficients differ in K\'s null space)', async () => {
      await use();
      const y = Float64Array.from([0, 1, 1, 0, 1]);
      for (const K of [new Float64Array(25), gramF64(Float64Array.from([1, 2, 0.5, -1, 3]), 5, 1)]) {
        const a = fitLogregInBasis(logregBasis(K, 5), y, {}), b = fitLogreg(K, 5, y, {});
        expect(a.converged).toBe(true);
        expect(Math.abs(a.intercept - b.intercept)).toBeLessThanOrEqual(1e-9);
        const lr = getModel('logreg');
        expect(maxDiff(lr.decision(a, K, 5), lr.decision(b, K, 5))).toBeLessThanOrEqual(1e-9);
      }
    });
  });
}

describe('bad input of the eigenbasis path', () => {
  it('a Gram matrix that is not positive semi-definite: MODEL_NUMERIC up front; NaN: MODEL_NAN', () => {
    const bad = Float64Array.from([1, 2, 0, 2, 1, 0, 0, 0, 1]); // eigenvalue −1
    const Kte = new Float64Array(3);
    expect(code(() => foldPredictor(getModel('logreg'), bad, 3, Kte, 1, {}, Infinity))).toBe('MODEL_NUMERIC');
    expect(code(() => logregBasis(bad, 3))).toBe('MODEL_NUMERIC');
    const nan = Float64Array.from([1, NaN, NaN, 1]);
    expect(code(() => foldPredictor(getModel('logreg'), nan, 2, new Float64Array(2), 1, {}, Infinity))).toBe('MODEL_NAN');
  });
  it('labels and options are checked per fit, as fitLogreg does', () => {
    const B = logregBasis(Float64Array.from([2, 1, 1, 2]), 2);
    expect(code(() => fitLogregInBasis(B, Float64Array.from([1, 1])))).toBe('MODEL_ONE_CLASS');
    expect(code(() => fitLogregInBasis(B, Float64Array.from([0, 2])))).toBe('MODEL_BAD_LABELS');
    expect(code(() => fitLogregInBasis(B, Float64Array.from([0, 1]), { C: -1 }))).toBe('MODEL_BAD_OPTION');
  });
});

describe('wasm kernel = TypeScript twin, bit for bit', () => {
  it('the eigendecomposition (sym_eig_f64 = symmetricEigenTs)', async () => {
    const engine = await getEngine();
    const rng = new Rng(5);
    const mats = [[96, 2000], [97, 300], [40, 5], [3, 2], [1, 1]].map(([n, p]) => ({ n: n!, K: randomGram(rng, n!, p!).K }));
    mats.push({ n: 4, K: new Float64Array(16) });
    for (const { n, K } of mats) {
      useWasmSolvers(engine);
      const w = symmetricEigen(K, n);
      useWasmSolvers(null);
      const t = symmetricEigenTs(K, n);
      expect(firstDiff(w.values, t.values), `n ${n} values`).toBe(-1);
      expect(firstDiff(w.vectors, t.vectors), `n ${n} vectors`).toBe(-1);
    }
  });

  it('random problems: wide and tall, odd and even n, C from 1e-3 to 100, balanced weights; fits and decisions', async () => {
    const engine = await getEngine();
    const rng = new Rng(2024);
    for (const [n, p] of [[3, 2], [7, 50], [33, 4], [96, 2000], [97, 300], [150, 12]] as const) {
      const { X, K } = randomGram(rng, n, p);
      const y = new Float64Array(n).map(() => (rng.next() < 0.35 ? 1 : 0));
      y[0] = 0; y[1] = 1;
      for (let i = 0; i < n; i++) if (y[i] === 1) X[i * p] = X[i * p]! + 1;
      const Kb = gramF64(X, n, p);
      const B = logregBasis(Kb, n);
      const Kte = K.subarray(0, 3 * n).slice(); // three "test" rows
      for (const opts of [{}, { C: 1e-3 }, { C: 100 }, { classWeight: 'balanced' as const }, { C: 0.05, classWeight: 'balanced' as const }]) {
        const what = `n ${n} p ${p} ${JSON.stringify(opts)}`;
        const both = (backend: 'ts' | 'wasm') => {
          useWasmSolvers(backend === 'wasm' ? engine : null);
          const fit = fitLogregInBasis(B, y, opts);
          const dec = new Float64Array(3);
          const conv = decideInBasis(B, Kte, 3, y, opts, dec);
          useWasmSolvers(null);
          return { fit, dec, conv };
        };
        const a = both('ts'), b = both('wasm');
        expect(a.fit.converged, what).toBe(true);
        expect(b.fit.iterations, what).toBe(a.fit.iterations);
        expect(Object.is(a.fit.intercept, b.fit.intercept), what).toBe(true);
        a.fit.coef.forEach((v, i) => { if (!Object.is(v, b.fit.coef[i])) expect.fail(`${what}: coef[${i}] ${v} (ts) vs ${b.fit.coef[i]} (wasm)`); });
        a.dec.forEach((v, t) => { if (!Object.is(v, b.dec[t])) expect.fail(`${what}: decision ${t} ${v} (ts) vs ${b.dec[t]} (wasm)`); });
        expect(b.conv).toBe(a.conv);
      }
    }
  });

  it('kernel wrappers check their arguments', async () => {
    const engine = await getEngine();
    const arena = engine.arena;
    useWasmSolvers(engine);
    const nk = wasmWorkspace()!.newtonKernels()!;
    const p = arena.alloc(1024, 16);
    const base = { Z: p, Zt: p, lam: p, q: p, n: 4, r: 2, s: p, c: p, tol: 1e-10, maxIter: 10, Ktest: p, nTest: 1, work: p, out: p };
    expect(code(() => nk.logregBasisFit({ ...base, r: 5 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => nk.logregBasisFit({ ...base, n: 0 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => nk.logregBasisFit({ ...base, Z: p + 4 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => nk.logregBasisFit({ ...base, tol: NaN }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => nk.logregBasisFit({ ...base, nTest: -1 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => nk.logregBasisFit({ ...base, nTest: 1e6 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => nk.matVec(p, 2, 3, p, arena.f64(p, 1).buffer.byteLength))).toBe('KERNEL_BAD_ARGS');
    arena.free(p);
  });
});
