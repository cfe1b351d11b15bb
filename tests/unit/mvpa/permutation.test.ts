/**
 * The permutation test: label permutations within strata, p-values, golden null scores against
 * scikit-learn's cross_val_score with explicit permuted labels (tests/fixtures/golden/permutation.json),
 * and the false-positive rate on null data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, type DecodeOptions } from '../../../src/core/mvpa/decode.ts';
import type { DualFit, DualModel, ModelName } from '../../../src/core/mvpa/model.ts';
import { getModel } from '../../../src/core/mvpa/models/index.ts';
import { LabelPermuter, permutationPValue, permutationStrata, strataIndices } from '../../../src/core/mvpa/permutation.ts';
import type { MetricName } from '../../../src/core/mvpa/metrics.ts';
import { encodeGroups, parseCv } from '../../../src/core/mvpa/splitters.ts';
import { Rng } from '../../../src/core/random.ts';

/**
 * scikit-learn's NearestCentroid as a dual model: d(x, c0)² − d(x, c1)² = 2 x·(c1 − c0) + |c0|² − |c1|²,
 * i.e. coef = +2/n1 on class 1, −2/n0 on class 0; intercept |c0|² − |c1|² from K. Ties → class 0.
 */
export const centroid: DualModel = {
  name: 'centroid' as ModelName,
  kind: 'classification',
  fit(K, n, y): DualFit {
    let n1 = 0;
    for (let i = 0; i < n; i++) n1 += y[i]!;
    const n0 = n - n1;
    const coef = new Float64Array(n);
    for (let i = 0; i < n; i++) coef[i] = y[i] === 1 ? 2 / n1 : -2 / n0;
    // s11 = yᵀ K y, s00 = (1 − y)ᵀ K (1 − y), from the row sums of K over class 1 and over all.
    let s00 = 0, s11 = 0;
    for (let i = 0; i < n; i++) {
      let r1 = 0, rAll = 0;
      const o = i * n;
      for (let j = 0; j < n; j++) { const k = K[o + j]!; rAll += k; r1 += y[j]! * k; }
      s11 += y[i]! * r1;
      s00 += (1 - y[i]!) * (rAll - r1);
    }
    return { model: 'centroid' as ModelName, coef, intercept: s00 / (n0 * n0) - s11 / (n1 * n1), iterations: 0, converged: true };
  },
  decision(fit, Kt, nTest) {
    const m = fit.coef.length;
    const out = new Float64Array(nTest);
    for (let a = 0; a < nTest; a++) {
      let s = fit.intercept;
      for (let j = 0; j < m; j++) s += fit.coef[j]! * Kt[a * m + j]!;
      out[a] = s;
    }
    return out;
  },
};

interface GCase { name: string; n: number; p: number; X: number[]; y: number[]; groups: number[]; onsets: number[]; cv: string; folds: { train: number[]; test: number[] }[]; strata: number[]; permutations: number[][] }
interface GRun { case: string; model: string; metric: MetricName; scaling: 'within-run' | 'train-fold'; fold_scores: number[]; score: number; null: number[]; p_value: number }
const golden = JSON.parse(readFileSync(new URL('../../fixtures/golden/permutation.json', import.meta.url), 'utf8')) as { cases: GCase[]; runs: GRun[] };

describe('LabelPermuter', () => {
  it('shuffles within strata only, keeps each stratum’s labels, is seeded', () => {
    const y = Float64Array.from({ length: 30 }, (_, i) => (i * 7) % 5);
    const strata = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
    const a = new LabelPermuter(y, strata, 11);
    const b = new LabelPermuter(y, strata, 11);
    let changed = 0;
    for (let k = 0; k < 50; k++) {
      const pa = a.next(), pb = b.next();
      expect([...pa]).toEqual([...pb]);
      for (let s = 0; s < 3; s++) {
        const orig = [...y.subarray(10 * s, 10 * s + 10)].sort();
        expect([...pa.subarray(10 * s, 10 * s + 10)].sort()).toEqual(orig);
      }
      if (pa.some((v, i) => v !== y[i])) changed++;
    }
    expect(changed).toBeGreaterThan(45);
    expect([...new LabelPermuter(y, strata, 12).next()]).not.toEqual([...new LabelPermuter(y, strata, 11).next()]);
  });
  it('the documented draw: per stratum (ascending code), Fisher–Yates of the stratum’s positions with one Rng', () => {
    const y = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const strata = Int32Array.from([1, 0, 1, 0, 1, 0]);
    const rng = new Rng(3, 0);
    const p0 = [0, 1, 2]; rng.shuffle(p0); // stratum 0: samples 1, 3, 5
    const p1 = [0, 1, 2]; rng.shuffle(p1); // stratum 1: samples 0, 2, 4
    const want = new Array<number>(6);
    [1, 3, 5].forEach((s, j) => (want[s] = y[[1, 3, 5][p0[j]!]!]!));
    [0, 2, 4].forEach((s, j) => (want[s] = y[[0, 2, 4][p1[j]!]!]!));
    expect([...new LabelPermuter(y, strata, 3).next()]).toEqual(want);
  });
  it('strata: runs, or the blocked CV’s blocks for one run, else none', () => {
    const groups = Int32Array.from([0, 0, 1, 1]);
    expect(permutationStrata({ kind: 'loro' }, 4, groups, null)).toBe(groups);
    expect([...permutationStrata(parseCv('blocked:2:0'), 6, null, [5, 4, 3, 2, 1, 0])!]).toEqual([1, 1, 1, 0, 0, 0]);
    expect(permutationStrata(parseCv('kfold:3'), 6, null, null)).toBeNull();
    expect(strataIndices(null, 3).map((s) => [...s])).toEqual([[0, 1, 2]]);
  });
  it('p = (1 + #{null ≥ observed}) / (1 + N)', () => {
    expect(permutationPValue(0.7, [0.5, 0.7, 0.8, 0.6])).toBe(3 / 5);
    expect(permutationPValue(0.9, [0.5, 0.7])).toBe(1 / 3);
  });
});

function modelOf(name: string): DualModel {
  return name === 'centroid' ? centroid : getModel(name);
}

describe('null scores = scikit-learn cross_val_score on the same permuted labels (golden)', () => {
  for (const r of golden.runs) {
    it(`${r.case}: ${r.model} ${r.metric} (${r.scaling})`, () => {
      const c = golden.cases.find((x) => x.name === r.case)!;
      const groups = encodeGroups(c.groups.map(String));
      const opts: DecodeOptions = {
        model: modelOf(r.model), metric: r.metric, scaling: r.scaling, cv: parseCv(c.cv), permutations: c.permutations, seed: 0,
      };
      const res = decode({ X: Float64Array.from(c.X), n: c.n, p: c.p, y: Float64Array.from(c.y), groups: groups.names.length > 1 ? groups.codes : null, onsets: c.onsets }, opts);
      expect(res.folds.map((f) => ({ train: [...f.train], test: [...f.test] }))).toEqual(c.folds);
      // SVC stops at libsvm's tolerance (1e-3): decision values agree to ~1e-3, not to rounding.
      const tol = r.model === 'svc' ? 1e-9 : 1e-12;
      res.foldScores.forEach((s, i) => expect(Math.abs(s - r.fold_scores[i]!)).toBeLessThanOrEqual(r.metric === 'r2' ? 1e-6 : tol));
      expect(res.nullScores.length).toBe(r.null.length);
      res.nullScores.forEach((s, i) => expect(Math.abs(s - r.null[i]!), `permutation ${i}`).toBeLessThanOrEqual(r.metric === 'r2' ? 1e-6 : tol));
      expect(res.pValue).toBeCloseTo(r.p_value, 12);
    });
  }
});

describe('seeded permutations', () => {
  const c = golden.cases[0]!;
  const data = { X: Float64Array.from(c.X), n: c.n, p: c.p, y: Float64Array.from(c.y), groups: encodeGroups(c.groups.map(String)).codes, onsets: c.onsets };
  it('same seed same null distribution; another seed another one', () => {
    const a = decode(data, { model: centroid, permutations: 50, seed: 1 });
    const b = decode(data, { model: centroid, permutations: 50, seed: 1 });
    const d = decode(data, { model: centroid, permutations: 50, seed: 2 });
    expect([...a.nullScores]).toEqual([...b.nullScores]);
    expect([...a.nullScores]).not.toEqual([...d.nullScores]);
    expect(a.score).toBe(d.score);
  });
  it('permutations keep each run’s class counts, so no training fold loses a class', () => {
    const r = decode(data, { model: centroid, permutations: 200, seed: 4 });
    expect(r.pValue).toBeGreaterThan(0);
    expect(r.pValue).toBeLessThan(0.05);
    expect(r.nullScores.every(Number.isFinite)).toBe(true);
  });
});

describe('false-positive rate on null data (200 datasets, α = 0.05)', () => {
  it('stays in [0.02, 0.08] for loro (4 runs) and single-run blocked CV', () => {
    const rng = new Rng(20261129, 5);
    const n = 120, p = 20;
    let rejLoro = 0, rejBlocked = 0;
    const D = 200;
    for (let d = 0; d < D; d++) {
      // Gaussian patterns with no signal; labels ~70/30 as choices; AR(1) noise across trials
      // within a run, as slow drifts in the BOLD signal.
      const X = new Float64Array(n * p);
      for (let j = 0; j < p; j++) {
        let prev = 0;
        for (let i = 0; i < n; i++) { prev = 0.5 * prev + rng.normal(); X[i * p + j] = prev; }
      }
      const y = Float64Array.from({ length: n }, () => (rng.next() < 0.7 ? 1 : 0));
      const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 30));
      const onsets = Float64Array.from({ length: n }, (_, i) => 5 * i);
      const seed = d;
      const a = decode({ X, n, p, y, groups }, { model: centroid, permutations: 200, seed });
      if (a.pValue! <= 0.05) rejLoro++;
      const b = decode({ X, n, p, y, onsets }, { model: centroid, cv: parseCv('blocked:5:12'), permutations: 200, seed });
      if (b.pValue! <= 0.05) rejBlocked++;
    }
    expect(rejLoro / D).toBeGreaterThanOrEqual(0.02);
    expect(rejLoro / D).toBeLessThanOrEqual(0.08);
    expect(rejBlocked / D).toBeGreaterThanOrEqual(0.02);
    expect(rejBlocked / D).toBeLessThanOrEqual(0.08);
  }, 60_000);
});
