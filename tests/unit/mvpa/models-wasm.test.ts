/**
 * The wasm backend of the dual models (assembly/solvers.ts via useWasmSolvers) is bit-identical
 * to the TypeScript backend: the same coefficients, intercept and iteration count, Object.is on
 * every number. Also the kernel wrappers' argument checks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import type { DualFit, ModelName, ModelOptions } from '../../../src/core/mvpa/model.ts';
import { MODEL_NAMES, getModel, gramF64, subGram, useWasmSolvers, wasmWorkspace } from '../../../src/core/mvpa/models/index.ts';
import { Rng } from '../../../src/core/random.ts';
import { getEngine } from '../kernels/helpers.ts';
import { loadHaxby, readGolden, rowsOf, smallCaseData, type HaxbyGolden, type SmallCase } from './models-helpers.ts';

afterEach(() => useWasmSolvers(null));

function sameFit(a: DualFit, b: DualFit, what: string): void {
  expect(b.coef.length, what).toBe(a.coef.length);
  for (let i = 0; i < a.coef.length; i++) {
    if (!Object.is(a.coef[i], b.coef[i])) expect.fail(`${what}: coef[${i}] ${a.coef[i]} (ts) vs ${b.coef[i]} (wasm)`);
  }
  expect(Object.is(a.intercept, b.intercept), `${what}: intercept ${a.intercept} vs ${b.intercept}`).toBe(true);
  expect(b.iterations, what).toBe(a.iterations);
  expect(b.converged, what).toBe(a.converged);
}

async function both(name: ModelName, K: Float64Array, n: number, y: Float64Array, opts: ModelOptions = {}): Promise<[DualFit, DualFit]> {
  useWasmSolvers(null);
  const ts = getModel(name).fit(K, n, y, opts);
  useWasmSolvers(await getEngine());
  const wasm = getModel(name).fit(K, n, y, opts);
  useWasmSolvers(null);
  return [ts, wasm];
}

describe('wasm backend = TypeScript backend, bit for bit', () => {
  it('every small golden case, every model', async () => {
    const cases = readGolden<{ cases: SmallCase[] }>('models_small.json').cases;
    for (const c of cases) {
      const d = smallCaseData(c, cases);
      for (const name of MODEL_NAMES) {
        const y = name === 'ridge' && d.yReg ? d.yReg : d.y;
        const [a, b] = await both(name, d.K, d.X.length, y, d.opts);
        sameFit(a, b, `${c.name} ${name}`);
      }
    }
  });

  it('random problems: wide and tall, odd and even n, C from 1e-3 to 100, balanced weights', async () => {
    const rng = new Rng(2024);
    for (const [n, p] of [[3, 2], [7, 50], [33, 4], [96, 2000], [97, 300], [150, 12]] as const) {
      const X = new Float64Array(n * p).map(() => rng.normal());
      const y = new Float64Array(n).map(() => (rng.next() < 0.35 ? 1 : 0));
      y[0] = 0; y[1] = 1;
      for (let i = 0; i < n; i++) if (y[i] === 1) X[i * p] = X[i * p]! + 1; // some signal in feature 0
      const K = gramF64(X, n, p);
      const yReg = new Float64Array(n).map((_, i) => X[i * p]! - 0.5 * X[i * p + 1]! + rng.normal());
      for (const opts of [{}, { C: 1e-3 }, { C: 100 }, { classWeight: 'balanced' as const }, { C: 0.05, classWeight: 'balanced' as const }]) {
        for (const name of ['svc', 'logreg'] as ModelName[]) {
          const [a, b] = await both(name, K, n, y, opts);
          sameFit(a, b, `n ${n} p ${p} ${JSON.stringify(opts)} ${name}`);
        }
      }
      for (const alpha of [1e-3, 1, 50]) {
        const [a, b] = await both('ridge', K, n, yReg, { alpha });
        sameFit(a, b, `n ${n} p ${p} ridge alpha ${alpha}`);
      }
    }
  });

  it('Haxby face vs house, every leave-one-run-out fold', async () => {
    const g = readGolden<HaxbyGolden>('models_haxby.json');
    const d = await loadHaxby();
    const samples = d.labels.flatMap((l, t) => (l === 1 || l === 2 ? [t] : []));
    const X = rowsOf(d.X, d.p, samples);
    const N = samples.length;
    const K = gramF64(X, N, d.p);
    for (const fold of g.face_house.folds) {
      const train = samples.flatMap((s, a) => (d.runs[s] !== fold.test_run ? [a] : []));
      const Ktr = subGram(K, N, train, train);
      const y = Float64Array.from(train, (a) => (d.labels[samples[a]!] === 2 ? 1 : 0));
      for (const name of MODEL_NAMES) {
        const [a, b] = await both(name, Ktr, train.length, y);
        sameFit(a, b, `run ${fold.test_run} ${name}`);
      }
    }
  });

  it('scratch blocks grow and shrink with n; fits do not depend on the previous fit', async () => {
    useWasmSolvers(await getEngine());
    const rng = new Rng(9);
    const make = (n: number) => {
      const X = new Float64Array(n * 5).map(() => rng.normal());
      return { K: gramF64(X, n, 5), y: new Float64Array(n).map((_, i) => i % 2) };
    };
    const small = make(10), big = make(120);
    const first = MODEL_NAMES.map((m) => getModel(m).fit(small.K, 10, small.y));
    for (const m of MODEL_NAMES) getModel(m).fit(big.K, 120, big.y);
    const again = MODEL_NAMES.map((m) => getModel(m).fit(small.K, 10, small.y));
    first.forEach((f, k) => sameFit(f, again[k]!, `${MODEL_NAMES[k]} after a larger fit`));
    expect(wasmWorkspace()).not.toBeNull();
    useWasmSolvers(null);
    expect(wasmWorkspace()).toBeNull();
  });
});

describe('kernel wrappers of the solvers', () => {
  it('check counts, pointers and parameters', async () => {
    const { kernels, arena } = await getEngine();
    const code = (f: () => unknown) => {
      try { f(); } catch (e) { return (e as DdError).code; }
      return 'none';
    };
    const n = 4;
    const K = arena.put(new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]));
    const perm = arena.put(new Int32Array([0, 2, 1, 3]));
    const work = arena.alloc(kernels.svcWorkBytes(n));
    const out = arena.alloc((n + 3) * 8);
    const base = { K, n, perm, n0: 2, C0: 1, C1: 1, eps: 1e-3, maxIter: 1000, work, out };
    kernels.svcSolve(base);
    const o = arena.f64(out, n + 3);
    expect(o[n + 2]).toBe(1); // converged
    expect(code(() => kernels.svcSolve({ ...base, n0: 5 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => kernels.svcSolve({ ...base, C0: 0 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => kernels.svcSolve({ ...base, eps: NaN }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => kernels.svcSolve({ ...base, work: work + 4 }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => kernels.svcSolve({ ...base, out: arena.capacity }))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => kernels.cholesky(K, 1e6))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => kernels.choleskySolve(K, n, 3))).toBe('KERNEL_BAD_ARGS');
    expect(code(() => kernels.symv(K, -1, K, K))).toBe('KERNEL_BAD_ARGS');
    expect(kernels.cholesky(K, n)).toBe(true);
    const bad = arena.put(new Float64Array([1, 2, 2, 1]));
    expect(kernels.cholesky(bad, 2)).toBe(false);
    for (const q of [bad, out, work, perm, K]) arena.free(q);
  });
});
