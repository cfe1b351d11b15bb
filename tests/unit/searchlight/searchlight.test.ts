/**
 * Searchlight vs a brute-force scikit-learn reference (cross_val_score per sphere, same folds;
 * tests/fixtures/golden/searchlight.json from scripts/golden/searchlight_golden.py), sphere
 * geometry, sliding Gram updates vs full recomputation, workers-independence, maps.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernelEngine, loadSearchlightKernels } from '../../../src/core/kernels/index.ts';
import { searchlight, sphereOffsets, scoreVolume, groupTMap, maskIndicesOf } from '../../../src/core/searchlight/index.ts';
import { statsReady } from '../../../src/core/stats/distributions.ts';
import type { ModelName } from '../../../src/core/mvpa/model.ts';
import type { MetricName } from '../../../src/core/mvpa/metrics.ts';
import { loadKernelModule } from '../../../src/platform/node/pool.ts';
import { DdError } from '../../../src/core/errors.ts';

interface Case { name: string; groups: number[]; target: number[]; model: ModelName; metric: MetricName; radius: number; folds: { train: number[]; test: number[] }[]; scores: number[]; sphere_sizes: number[] }
const g = JSON.parse(readFileSync(new URL('../../fixtures/golden/searchlight.json', import.meta.url), 'utf8')) as {
  dims: [number, number, number]; affine: number[][]; mask_indices: number[]; n: number; X: number[]; cases: Case[];
};
const X = Float32Array.from(g.X);
const maskIndices = Int32Array.from(g.mask_indices);
const grid = { dims: g.dims, affine: g.affine };
let module: WebAssembly.Module;
beforeAll(async () => { module = await loadKernelModule(); await statsReady(); });

const input = (c: Case) => ({
  X, nRows: g.n, maskIndices, grid, rows: Int32Array.from({ length: g.n }, (_, i) => i), y: Float64Array.from(c.target),
  groups: new Set(c.groups).size > 1 ? Int32Array.from(c.groups) : null,
});
const folds = (c: Case) => c.folds.map((f) => ({ train: Int32Array.from(f.train), test: Int32Array.from(f.test) }));

describe('searchlight = scikit-learn cross_val_score per sphere (golden)', () => {
  for (const c of g.cases) {
    it(c.name, async () => {
      const r = await searchlight(input(c), { radiusMm: c.radius, model: c.model, metric: c.metric, folds: folds(c) }, { module });
      expect([...r.sphereSizes]).toEqual(c.sphere_sizes);
      let worst = 0;
      for (let v = 0; v < c.scores.length; v++) worst = Math.max(worst, Math.abs(r.scores[v]! - c.scores[v]!));
      expect(worst).toBeLessThanOrEqual(c.model === 'ridge' ? 1e-9 : 1e-12);
      expect(r.nSlides).toBeGreaterThan(0);
      expect(r.nNotConverged).toBe(0);
    });
  }
  it('sliding Gram updates = full recomputation; chunking does not matter', async () => {
    const c = g.cases[0]!;
    const a = await searchlight(input(c), { radiusMm: c.radius, folds: folds(c), refreshEvery: 0 }, { module });
    const b = await searchlight(input(c), { radiusMm: c.radius, folds: folds(c), refreshEvery: 1000, chunk: 7 }, { module });
    expect(a.nSlides).toBe(0);
    expect([...b.scores]).toEqual([...a.scores]);
  });
  it('a range of centres scores those spheres only (NaN elsewhere), identically', async () => {
    const c = g.cases[0]!;
    const r = await searchlight(input(c), { radiusMm: c.radius, folds: folds(c), range: { start: 50, end: 120 } }, { module });
    for (let v = 0; v < c.scores.length; v++) {
      if (v >= 50 && v < 120) expect(Math.abs(r.scores[v]! - c.scores[v]!)).toBeLessThanOrEqual(1e-12);
      else expect(Number.isNaN(r.scores[v]!)).toBe(true);
    }
  });
  it('permutation p map: seeded, p = (1+#≥)/(1+N)', async () => {
    const c = g.cases[0]!;
    const r1 = await searchlight(input(c), { radiusMm: c.radius, folds: folds(c), permutations: 9, seed: 3 }, { module });
    const r2 = await searchlight(input(c), { radiusMm: c.radius, folds: folds(c), permutations: 9, seed: 3 }, { module });
    expect([...r1.pValues!]).toEqual([...r2.pValues!]);
    for (const p of r1.pValues!) expect(Number.isInteger(p * 10 - 1) || Math.abs(p * 10 - Math.round(p * 10)) < 1e-12).toBe(true);
    const best = r1.scores.indexOf(Math.max(...r1.scores));
    expect(r1.pValues![best]).toBe(0.1);
  });
});

describe('searchlight pieces', () => {
  it('sphere offsets: 2.2 mm isotropic, r 6 mm; enter/leave are the faces', () => {
    const A = [[2.2, 0, 0, 0], [0, 2.2, 0, 0], [0, 0, 2.2, 0], [0, 0, 0, 1]];
    const o = sphereOffsets(A, 6);
    let brute = 0;
    for (let i = -3; i <= 3; i++) for (let j = -3; j <= 3; j++) for (let k = -3; k <= 3; k++) if ((i * i + j * j + k * k) * 4.84 <= 36) brute++;
    expect(o.all.length / 3).toBe(brute);
    expect(o.enter.length).toBe(o.leave.length);
    expect(sphereOffsets(A, 0).all.length).toBe(3);
  });
  it('sl_gram matches a JS Gram', () => {
    const engine = createKernelEngine(module);
    const sl = loadSearchlightKernels({ module, memory: engine.memory });
    const n = 7, V = 9, ldx = 8;
    const xt = engine.arena.alloc(V * ldx * 4, 64), idx = engine.arena.alloc(64), work = engine.arena.alloc(sl.workBytes(n, 5), 64), K = engine.arena.alloc(n * n * 8, 64);
    const xv = engine.arena.f32(xt, V * ldx);
    for (let q = 0; q < xv.length; q++) xv[q] = Math.fround(Math.sin(q * 1.3));
    const cols = [0, 3, 4, 8, 2];
    engine.arena.i32(idx, 5).set(cols);
    sl.gram(xt, ldx, n, idx, 5, work, K);
    const k = engine.arena.f64(K, n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (const c of cols) s += xv[c * ldx + i]! * xv[c * ldx + j]!;
      expect(k[i * n + j]).toBeCloseTo(s, 12);
    }
  });
  it('maps: volume, mask indices, group t map', () => {
    const vol = scoreVolume([0.5, 0.7], [1, 3], { dims: [2, 2, 1], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] });
    expect(Number.isNaN(vol[0]!)).toBe(true);
    expect(vol[3]).toBeCloseTo(0.7, 6);
    expect([...maskIndicesOf({ dims: [2, 2, 1], affine: [], data: Float32Array.from([0, 1, 0, 2]) })]).toEqual([1, 3]);
    const t = groupTMap([Float32Array.from([0.6, NaN]), Float32Array.from([0.7, NaN]), Float32Array.from([0.65, 0.5])], 0.5);
    expect(t.t[0]).toBeCloseTo(0.15 / (0.05 / Math.sqrt(3)), 4); // scipy.stats.ttest_1samp([.6,.7,.65], .5)
    expect(Number.isNaN(t.t[1]!)).toBe(true);
    expect(t.n[1]).toBe(1);
  });
  it('bad inputs are DdErrors', async () => {
    const c = g.cases[0]!;
    await expect(searchlight({ ...input(c), y: new Float64Array(3) }, {}, { module })).rejects.toThrow(DdError);
    await expect(searchlight(input(c), { scaling: 'train-fold' as never }, { module })).rejects.toThrow(/within-run or none/);
  });
});
