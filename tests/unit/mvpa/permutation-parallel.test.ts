/**
 * The fast permutation path (issue 3, Performance): fold predictors (K checked once; ridge's hat
 * matrix) against refitting, and permutation shards over worker threads (decodeAsync) against
 * decode() on one thread: the same null scores bit for bit, whatever the number of workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, decodeAsync, createNullShardRunner, prepareFolds, type DecodeData, type DecodeOptions, type PermutationWorkers } from '../../../src/core/mvpa/decode.ts';
import type { DualModel, ModelName } from '../../../src/core/mvpa/model.ts';
import { getModel, useWasmSolvers, wasmWorkspace } from '../../../src/core/mvpa/models/index.ts';
import { foldPredictor } from '../../../src/core/mvpa/models/fold.ts';
import { gramF64 } from '../../../src/core/mvpa/scaling.ts';
import { makeFolds, parseCv } from '../../../src/core/mvpa/splitters.ts';
import { Rng } from '../../../src/core/random.ts';
import type { KernelEngine } from '../../../src/core/kernels/index.ts';
import { createNodeEngine } from '../../../src/platform/node/pool.ts';
import { startPermutationWorkers, type NodePermutationWorkers } from '../../../src/platform/node/permutation-pool.ts';

/** A model that is not one of the built-in objects (so neither the fast paths nor workers know it). */
const centroid: DualModel = { ...getModel('svc'), name: 'custom' as ModelName };

function problem(seed: number, n: number, p: number, signal = 0.4): { X: Float64Array; y: Float64Array; v: Float64Array } {
  const rng = new Rng(seed);
  const y = Float64Array.from({ length: n }, (_, i) => i % 2);
  rng.shuffle(y);
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  for (let i = 0; i < n; i++) for (let j = 0; j < 5; j++) X[i * p + j] += signal * (2 * y[i]! - 1);
  const v = Float64Array.from({ length: n }, (_, i) => X[i * p]! + 0.5 * rng.normal());
  return { X, y, v };
}

function kernels(X: Float64Array, p: number, train: number[], test: number[]) {
  const rows = (idx: number[]) => Float64Array.from(idx.flatMap((r) => [...X.subarray(r * p, r * p + p)]));
  const A = rows(train), B = rows(test);
  const Ktr = gramF64(A, train.length, p);
  const Kte = new Float64Array(test.length * train.length);
  for (let t = 0; t < test.length; t++) for (let i = 0; i < train.length; i++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += B[t * p + k]! * A[i * p + k]!;
    Kte[t * train.length + i] = s;
  }
  return { Ktr, Kte };
}

describe('fold predictors', () => {
  const n = 40, p = 30;
  const { X, y, v } = problem(3, n, p);
  const train = Array.from({ length: 30 }, (_, i) => i + 10), test = Array.from({ length: 10 }, (_, i) => i);
  const { Ktr, Kte } = kernels(X, p, train, test);
  const rng = new Rng(5);

  for (const name of ['svc', 'logreg'] as const) {
    it(`${name}: bit-identical to fit + decision, for many label vectors`, () => {
      const model = getModel(name);
      const fp = foldPredictor(model, Ktr, 30, Kte, 10, { C: 0.5 });
      const out = new Float64Array(10);
      const yTr = Float64Array.from(train, (i) => y[i]!);
      for (let r = 0; r < 20; r++) {
        rng.shuffle(yTr);
        fp.decide(yTr, out);
        const ref = model.decision(model.fit(Ktr, 30, yTr, { C: 0.5 }), Kte, 10);
        expect([...out]).toEqual([...ref]);
      }
    });
  }

  it('ridge: the hat matrix gives the refitted decisions (to rounding), alpha honoured', () => {
    const model = getModel('ridge');
    for (const alpha of [0.01, 1, 100]) {
      const fp = foldPredictor(model, Ktr, 30, Kte, 10, { alpha });
      const out = new Float64Array(10);
      const yTr = Float64Array.from(train, (i) => v[i]!);
      for (let r = 0; r < 10; r++) {
        rng.shuffle(yTr);
        fp.decide(yTr, out);
        const ref = model.decision(model.fit(Ktr, 30, yTr, { alpha }), Kte, 10);
        const scale = Math.max(...ref.map(Math.abs));
        out.forEach((d, t) => expect(Math.abs(d - ref[t]!)).toBeLessThanOrEqual(1e-10 * scale));
      }
    }
  });

  it('bad K is reported once, up front, with the model codes', () => {
    const bad = Ktr.slice();
    bad[5] = NaN;
    for (const name of ['svc', 'logreg', 'ridge'] as const) {
      expect(() => foldPredictor(getModel(name), bad, 30, Kte, 10)).toThrowError(expect.objectContaining({ code: 'MODEL_NAN' }));
    }
  });

  it('another DualModel falls back to its own fit + decision', () => {
    const fp = foldPredictor(centroid, Ktr, 30, Kte, 10);
    const yTr = Float64Array.from(train, (i) => y[i]!);
    const out = new Float64Array(10);
    fp.decide(yTr, out);
    expect([...out]).toEqual([...centroid.decision(centroid.fit(Ktr, 30, yTr), Kte, 10)]);
  });
});

/** In-process stand-ins for worker threads: each "worker" has its own shard runner; replies come back asynchronously and out of order. */
function fakeWorkers(size: number, log: { runs: number[] }): PermutationWorkers {
  const runners = Array.from({ length: size }, () => createNullShardRunner((m: ModelName) => getModel(m)));
  let tick = 0;
  return {
    size,
    async setup(w, job) {
      // What a worker receives: a structured clone.
      runners[w]!.setup(structuredClone(job));
    },
    async run(w, labels, count) {
      log.runs[w] = (log.runs[w] ?? 0) + count;
      await new Promise((r) => setTimeout(r, (tick++ % 3) * 2));
      return runners[w]!.run(labels.slice(), count);
    },
  };
}

const cases: { name: 'svc' | 'logreg' | 'ridge'; scaling: DecodeOptions['scaling']; cv: string; groups: boolean }[] = [
  { name: 'svc', scaling: 'train-fold', cv: 'blocked:5:0', groups: false },
  { name: 'logreg', scaling: 'within-run', cv: 'loro', groups: true },
  { name: 'ridge', scaling: 'train-fold', cv: 'kfold:4', groups: false },
];

describe('decodeAsync: permutation shards give decode()’s null scores bit for bit', () => {
  const n = 48, p = 60;
  const { X, y, v } = problem(7, n, p, 0.3);
  const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 12));
  for (const c of cases) {
    for (const size of [1, 3]) {
      it(`${c.name} ${c.scaling} ${c.cv}, ${size} worker(s) + this thread`, async () => {
        const model = getModel(c.name);
        const data: DecodeData = { X, n, p, y: c.name === 'ridge' ? v : y, groups: c.groups ? groups : null };
        const opts: DecodeOptions = { model, scaling: c.scaling, cv: parseCv(c.cv), permutations: 97, seed: 4 };
        const ref = decode(data, opts);
        const log = { runs: [] as number[] };
        const progress: number[] = [];
        const got = await decodeAsync(data, { ...opts, parallelMinSeconds: 0, startWorkers: async () => fakeWorkers(size, log), onProgress: (d) => progress.push(d) });
        expect(log.runs.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        expect([...got.nullScores]).toEqual([...ref.nullScores]);
        expect(got.pValue).toBe(ref.pValue);
        expect(got.score).toBe(ref.score);
        expect(got.foldScores).toEqual(ref.foldScores);
        expect([...got.decision]).toEqual([...ref.decision]);
        expect(got.nNotConverged).toBe(ref.nNotConverged);
        expect(progress.at(-1)).toBe(97);
        expect(progress.every((d, i) => i === 0 || d > progress[i - 1]!)).toBe(true);
      });
    }
  }

  it('a worker that never answers: this thread scores its chunks too (same result, no hang)', async () => {
    const model = getModel('svc');
    const opts: DecodeOptions = { model, cv: parseCv('blocked:4:0'), permutations: 60, seed: 5 };
    const ref = decode({ X, n, p, y }, opts);
    let calls = 0;
    const stuck: PermutationWorkers = { size: 1, setup: async () => {}, run: () => { calls++; return new Promise(() => {}); } };
    const got = await decodeAsync({ X, n, p, y }, { ...opts, parallelMinSeconds: 0, startWorkers: async () => stuck });
    expect(calls).toBeGreaterThan(0);
    expect([...got.nullScores]).toEqual([...ref.nullScores]);
  });

  it('small jobs stay on this thread; no workers, no start', async () => {
    const model = getModel('ridge');
    let started = 0;
    const r = await decodeAsync({ X, n, p, y: v }, { model, scaling: 'none', cv: parseCv('kfold:4'), permutations: 20, seed: 1, startWorkers: async () => { started++; return null; } });
    expect(started).toBe(0);
    expect([...r.nullScores]).toEqual([...decode({ X, n, p, y: v }, { model, scaling: 'none', cv: parseCv('kfold:4'), permutations: 20, seed: 1 }).nullScores]);
  });

  it('a failing worker start leaves the work to this thread; custom models never leave it', async () => {
    const opts: DecodeOptions = { model: getModel('svc'), cv: parseCv('blocked:4:0'), permutations: 30, seed: 2 };
    const ref = decode({ X, n, p, y }, opts);
    const r = await decodeAsync({ X, n, p, y }, { ...opts, parallelMinSeconds: 0, startWorkers: async () => { throw new Error('no threads'); } });
    expect([...r.nullScores]).toEqual([...ref.nullScores]);
    let started = 0;
    const c = await decodeAsync({ X, n, p, y }, { model: centroid as DualModel, cv: parseCv('blocked:4:0'), permutations: 30, seed: 2, parallelMinSeconds: 0, startWorkers: async () => { started++; return null; } });
    expect(started).toBe(0);
    expect([...c.nullScores]).toEqual([...decode({ X, n, p, y }, { model: centroid, cv: parseCv('blocked:4:0'), permutations: 30, seed: 2 }).nullScores]);
  });

  it('errors keep their codes: a one-class permuted fold, cancellation', async () => {
    const model = getModel('svc');
    // Explicit permutation 3 puts all of class 1 into the first block: its training fold has one class.
    const yy = Float64Array.from({ length: n }, (_, i) => i % 2);
    const perms = Array.from({ length: 6 }, (_, b) => (b === 3 ? Float64Array.from({ length: n }, (_, i) => (i < 24 ? 1 : 0)) : yy));
    await expect(decodeAsync({ X, n, p, y: yy }, { model, cv: parseCv('blocked:2:0'), permutations: perms, parallelMinSeconds: 0, startWorkers: async () => fakeWorkers(1, { runs: [] }) }))
      .rejects.toMatchObject({ code: 'DECODE_ONE_CLASS_FOLD' });
    const signal = { aborted: false };
    await expect(decodeAsync({ X, n, p, y }, { model, cv: parseCv('blocked:4:0'), permutations: 400, seed: 1, signal, parallelMinSeconds: 0, startWorkers: async () => fakeWorkers(1, { runs: [] }), onProgress: (d) => { if (d >= 20) signal.aborted = true; } }))
      .rejects.toMatchObject({ code: 'DECODE_CANCELLED' });
  });
});

describe('decodeAsync on real worker_threads (wasm solvers in each thread)', () => {
  let engine: KernelEngine;
  let workers: NodePermutationWorkers | null = null;
  beforeAll(async () => {
    engine = await createNodeEngine();
    useWasmSolvers(engine);
  });
  afterAll(async () => {
    useWasmSolvers(null);
    await workers?.close();
  });

  it('two workers + this thread: identical to decode() for svc, logreg and ridge', async () => {
    const n = 60, p = 80;
    const { X, y, v } = problem(9, n, p);
    for (const name of ['svc', 'logreg', 'ridge'] as const) {
      const model = getModel(name);
      const data: DecodeData = { X, n, p, y: name === 'ridge' ? v : y };
      const opts: DecodeOptions = { model, scaling: 'train-fold', cv: parseCv('blocked:5:0'), permutations: 200, seed: 3 };
      const ref = decode(data, opts);
      const got = await decodeAsync(data, {
        ...opts, parallelMinSeconds: 0,
        startWorkers: async () => (workers ??= await startPermutationWorkers({ module: engine.module, size: 2 })),
      });
      expect([...got.nullScores]).toEqual([...ref.nullScores]);
      expect(got.pValue).toBe(ref.pValue);
    }
  }, 60_000);
});

describe('train-fold Gram matrices in wasm (scaled_gram_f64)', () => {
  it('bit-identical to the TypeScript scaler + gramF64, odd sizes', async () => {
    const engine = await createNodeEngine();
    try {
      for (const [n, p, k] of [[37, 75, 4], [24, 3, 3], [61, 130, 5]] as const) {
        const rng = new Rng(n * p);
        const X = Float32Array.from({ length: n * p }, () => rng.normal() * 3 + 1);
        for (let i = 0; i < n; i++) X[i * p + 1] = 2.5; // a constant column (scale 1)
        const folds = makeFolds(parseCv(`blocked:${k}:0`), { n, groups: null, onsets: null, y: new Float64Array(n), classification: false, seed: 0 });
        const data = { X, n, p, y: new Float64Array(n) };
        useWasmSolvers(null);
        const ts = prepareFolds(data, folds, 'train-fold', gramF64);
        useWasmSolvers(engine);
        expect(wasmWorkspace()?.decodeKernels()).not.toBeNull();
        const wasm = prepareFolds(data, folds, 'train-fold', gramF64);
        useWasmSolvers(null);
        wasm.forEach((f, i) => {
          expect(f.Ktrain).toEqual(ts[i]!.Ktrain);
          expect(f.Ktest).toEqual(ts[i]!.Ktest);
          expect(Buffer.from(f.Ktrain.buffer).equals(Buffer.from(ts[i]!.Ktrain.buffer))).toBe(true);
          expect(Buffer.from(f.Ktest.buffer).equals(Buffer.from(ts[i]!.Ktest.buffer))).toBe(true);
        });
      }
    } finally {
      useWasmSolvers(null);
    }
  });
});
