/**
 * The searchlight's in-place svc folds (svc-folds.ts: svc_solve_ld on the whole sphere K) give
 * the same decision values, bit for bit, as the generic fold path (sliced K → foldPredictor →
 * fitSvcCheckedGram), in TypeScript and in wasm; odd and even training sizes, class weights.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKernelEngine } from '../../../src/core/kernels/index.ts';
import { foldPredictor } from '../../../src/core/mvpa/models/fold.ts';
import { gramF64, svc, useWasmSolvers } from '../../../src/core/mvpa/models/index.ts';
import { createSvcFolds, svcFoldsBytes } from '../../../src/core/searchlight/svc-folds.ts';
import { Rng } from '../../../src/core/random.ts';
import { loadKernelModule } from '../../../src/platform/node/pool.ts';
import { firstDiff } from '../kernels/helpers.ts';

afterEach(() => useWasmSolvers(null));

function slice(K: Float64Array, n: number, rows: Int32Array, cols: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((r, a) => cols.forEach((c, b) => (out[a * cols.length + b] = K[r * n + c]!)));
  return out;
}

describe('svc folds in place on the sphere K = the generic fold path', () => {
  it('random spheres, 5 folds, C = 1 and balanced weights', async () => {
    const module = await loadKernelModule();
    const engine = createKernelEngine(module);
    const rng = new Rng(7);
    for (const [n, p] of [[60, 33], [61, 81], [45, 7]] as const) {
      const X = new Float64Array(n * p).map(() => Math.fround(rng.normal()));
      const y = new Float64Array(n).map(() => (rng.next() < 0.45 ? 1 : 0));
      for (let i = 0; i < n; i++) if (y[i] === 1) X[i * p] = X[i * p]! + 0.7;
      const K = gramF64(X, n, p);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      const folds = [0, 1, 2, 3, 4].map((q) => ({
        train: order.filter((i) => i % 5 !== q),
        test: order.filter((i) => i % 5 === q),
      }));
      for (const opts of [{}, { classWeight: 'balanced' as const }]) {
        const kP = engine.arena.alloc(n * n * 8, 64);
        engine.arena.f64(kP, n * n).set(K);
        const base = engine.arena.alloc(svcFoldsBytes(n), 64);
        const sf = createSvcFolds(module, engine.memory, kP, n, base, folds, opts)!;
        expect(sf).not.toBeNull();
        folds.forEach((f, q) => {
          const yTr = Float64Array.from(f.train, (i) => y[i]!);
          const fast = new Float64Array(f.test.length);
          expect(sf.decide(q, yTr, fast)).toBe(true);
          for (const backend of [null, createKernelEngine(module)]) {
            useWasmSolvers(backend);
            const ref = new Float64Array(f.test.length);
            foldPredictor(svc, slice(K, n, f.train, f.train), f.train.length, slice(K, n, f.test, f.train), f.test.length, opts).decide(yTr, ref);
            expect(firstDiff(fast, ref), `n ${n} fold ${q} ${JSON.stringify(opts)} ${backend ? 'wasm' : 'ts'}`).toBe(-1);
          }
          useWasmSolvers(null);
        });
        engine.arena.free(base);
        engine.arena.free(kP);
      }
    }
  });
});
