/**
 * The decoding driver end to end on a trial table + patterns (golden: scikit-learn fold scores,
 * tests/fixtures/golden/decode.json), the Gram-slice identity, and every bad input as a DdError.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDataset, readTrialTable } from '../../../src/core/mvpa/dataset.ts';
import { decode, defaultMetric } from '../../../src/core/mvpa/decode.ts';
import type { MetricName } from '../../../src/core/mvpa/metrics.ts';
import type { DualModel } from '../../../src/core/mvpa/model.ts';
import { getModel } from '../../../src/core/mvpa/models/index.ts';
import { fitScaler, applyScaler, gramF64, sliceGram, zscoreWithinGroups } from '../../../src/core/mvpa/scaling.ts';
import { parseCv } from '../../../src/core/mvpa/splitters.ts';
import { Rng } from '../../../src/core/random.ts';

interface GCase { target: string; model: 'svc' | 'logreg' | 'ridge'; metric: MetricName; scaling: 'within-run' | 'train-fold'; cv: string; groups: string | null; n_samples: number; n_dropped: number; fold_scores: number[]; score: number; folds: { train: number[]; test: number[] }[] }
const golden = JSON.parse(readFileSync(new URL('../../fixtures/golden/decode.json', import.meta.url), 'utf8')) as { n: number; p: number; X: number[]; tsv: string; cases: GCase[] };

const table = readTrialTable(golden.tsv, 'trials.tsv');
const features = { data: Float32Array.from(golden.X), shape: [golden.n, golden.p], file: 'roi.npy' };

describe('trial table + patterns → scikit-learn fold scores (golden)', () => {
  for (const c of golden.cases) {
    it(`${c.target} ${c.model} ${c.metric} ${c.scaling} ${c.cv}${c.groups ? '' : ' (one run)'}`, () => {
      const model = getModel(c.model);
      const ds = buildDataset(features, table, { target: c.target, groups: c.groups, kind: model.kind });
      expect(ds.n).toBe(c.n_samples);
      expect(ds.nDropped).toBe(c.n_dropped);
      const r = decode(ds, { model, metric: c.metric, scaling: c.scaling, cv: parseCv(c.cv) });
      expect(r.folds.map((f) => ({ train: [...f.train], test: [...f.test] }))).toEqual(c.folds);
      const tol = c.model === 'ridge' ? 1e-9 : 1e-12;
      r.foldScores.forEach((s, i) => expect(Math.abs(s - c.fold_scores[i]!), `fold ${i}`).toBeLessThanOrEqual(tol));
      expect(Math.abs(r.score - c.score)).toBeLessThanOrEqual(tol);
      expect(r.pValue).toBeNull();
      expect(r.nSamples).toBe(c.n_samples);
      expect(r.nFeatures).toBe(golden.p);
    });
  }
});

describe('Gram matrices', () => {
  const rng = new Rng(1);
  const n = 9, p = 7;
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  it('gramF64 is X Xᵀ, exactly symmetric', () => {
    const K = gramF64(X, n, p);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += X[i * p + k]! * X[j * p + k]!;
      expect(K[i * n + j]).toBeCloseTo(s, 12);
      expect(K[i * n + j]).toBe(K[j * n + i]);
    }
  });
  it('K_train and K_test·train are slices of one Gram matrix (within-run scaling)', () => {
    const groups = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    const Xs = zscoreWithinGroups(X, n, p, groups);
    const K = gramF64(Xs, n, p);
    const train = [0, 1, 2, 6, 7, 8], test = [3, 4, 5];
    const sub = (rows: number[]) => Float64Array.from(rows.flatMap((r) => [...Xs.subarray(r * p, r * p + p)]));
    const Kt = sliceGram(K, n, test, train);
    const direct = new Float64Array(test.length * train.length);
    const A = sub(test), B = sub(train);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 6; b++) { let s = 0; for (let k = 0; k < p; k++) s += A[a * p + k]! * B[b * p + k]!; direct[a * 6 + b] = s; }
    [...Kt].forEach((v, i) => expect(v).toBeCloseTo(direct[i]!, 12));
    const Ktr = sliceGram(K, n, train, train);
    [...gramF64(B, 6, p)].forEach((v, i) => expect(Ktr[i]).toBeCloseTo(v, 12));
  });
  it('the scaler uses population SD and only centres a constant feature (as StandardScaler)', () => {
    const Y = Float64Array.from([1, 5, 3, 5, 5, 5]); // 3 rows × 2 features; feature 1 constant
    const s = fitScaler(Y, 2, [0, 1, 2]);
    expect([...s.mean]).toEqual([3, 5]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(8 / 3), 15);
    expect(s.scale[1]).toBe(1);
    const out = new Float64Array(6);
    applyScaler(Y, 2, [0, 1, 2], s, out);
    expect(out[1]).toBe(0);
  });
  it('a host Gram function is used when given', () => {
    const y = Float64Array.from({ length: n }, (_, i) => i % 2);
    let calls = 0;
    decode({ X, n, p, y }, { model: getModel('svc'), cv: parseCv('blocked:3:0'), gram: (A, m, q) => { calls++; return gramF64(A, m, q); } });
    expect(calls).toBe(1);
    decode({ X, n, p, y }, { model: getModel('svc'), cv: parseCv('blocked:3:0'), scaling: 'train-fold', gram: (A, m, q) => { calls++; return gramF64(A, m, q); } });
    expect(calls).toBe(4);
  });
});

describe('defaults', () => {
  it('metric: balanced_accuracy for classifiers, r2 for ridge', () => {
    expect(defaultMetric('classification')).toBe('balanced_accuracy');
    expect(defaultMetric('regression')).toBe('r2');
  });
  it('cv: loro with ≥ 2 runs, blocked:5:12 with one', () => {
    const ds = buildDataset(features, table, { target: 'choice' });
    expect(decode(ds, { model: getModel('logreg') }).cv).toBe('loro');
    const one = buildDataset(features, table, { target: 'choice', groups: null });
    const r = decode(one, { model: getModel('logreg') });
    expect(r.cv).toBe('blocked:5:12');
    expect(r.metric).toBe('balanced_accuracy');
  });
});

describe('bad input: a DdError with a stable code, never a NaN score', () => {
  const rng = new Rng(2);
  const n = 20, p = 4;
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const svc: DualModel = getModel('svc');
  const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as { code?: string }).code; } return 'no error'; };

  it('DECODE_CONSTANT_TARGET', () => {
    expect(code(() => decode({ X, n, p, y: new Float64Array(n).fill(1) }, { model: svc, cv: parseCv('blocked:2:0') }))).toBe('DECODE_CONSTANT_TARGET');
  });
  it('DECODE_ONE_CLASS_FOLD: a training fold with one class', () => {
    const yy = Float64Array.from({ length: n }, (_, i) => (i < 5 ? 1 : 0)); // blocked:4 → fold 1 trains on class 0 only
    expect(code(() => decode({ X, n, p, y: yy }, { model: svc, cv: parseCv('blocked:4:0') }))).toBe('DECODE_ONE_CLASS_FOLD');
  });
  it('DECODE_TOO_FEW_SAMPLES: fewer samples than folds', () => {
    expect(code(() => decode({ X: X.subarray(0, 3 * p), n: 3, p, y: Float64Array.from([0, 1, 0]) }, { model: svc, cv: parseCv('blocked:5:0') }))).toBe('DECODE_TOO_FEW_SAMPLES');
    expect(code(() => decode({ X: X.subarray(0, 3 * p), n: 3, p, y: Float64Array.from([0, 1, 0]) }, { model: svc, cv: parseCv('kfold:5') }))).toBe('DECODE_TOO_FEW_SAMPLES');
  });
  it('DECODE_TOO_FEW_SAMPLES: a gap that leaves a fold without training samples', () => {
    const onsets = Float64Array.from({ length: n }, (_, i) => i);
    expect(code(() => decode({ X, n, p, y, onsets }, { model: svc, cv: parseCv('blocked:2:100') }))).toBe('DECODE_TOO_FEW_SAMPLES');
  });
  it('DECODE_NAN in features or targets', () => {
    const Xn = X.slice(); Xn[7] = NaN;
    expect(code(() => decode({ X: Xn, n, p, y }, { model: svc, cv: parseCv('blocked:2:0') }))).toBe('DECODE_NAN');
    const yn = y.slice(); yn[3] = NaN;
    expect(code(() => decode({ X, n, p, y: yn }, { model: svc, cv: parseCv('blocked:2:0') }))).toBe('DECODE_NAN');
  });
  it('DECODE_LENGTH_MISMATCH', () => {
    expect(code(() => decode({ X, n, p, y: y.subarray(0, 10) }, { model: svc }))).toBe('DECODE_LENGTH_MISMATCH');
    expect(code(() => decode({ X, n, p, y }, { model: svc, cv: parseCv('blocked:2:0'), permutations: [[0, 1]] }))).toBe('DECODE_LENGTH_MISMATCH');
  });
  it('a regression metric with a classifier is ARGS_BAD_VALUE', () => {
    expect(code(() => decode({ X, n, p, y }, { model: svc, metric: 'r2' }))).toBe('ARGS_BAD_VALUE');
  });
  it('roc_auc on a test fold with one class is DECODE_ONE_CLASS_TEST_FOLD', () => {
    const yy = Float64Array.from({ length: n }, (_, i) => (i < 10 && i % 2 === 0 ? 1 : i >= 15 ? 1 : 0));
    expect(code(() => decode({ X, n, p, y: yy }, { model: svc, cv: parseCv('blocked:4:0'), metric: 'roc_auc' }))).toBe('DECODE_ONE_CLASS_TEST_FOLD');
  });
  it('cancellation between permutations', () => {
    const signal = { aborted: false };
    expect(code(() => decode({ X, n, p, y }, { model: svc, cv: parseCv('blocked:2:0'), permutations: 10, signal, onProgress: (d) => { if (d === 3) signal.aborted = true; } }))).toBe('DECODE_CANCELLED');
  });
});
