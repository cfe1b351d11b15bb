import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import { Rng } from '../../../src/core/random.ts';
import {
  applyProjectionDense,
  buildDesign,
  buildProjection,
  pinvTall,
  type DesignTrial,
  type ProjectionInput,
} from '../../../src/core/design/index.ts';

function trialsEvery(n: number, isi: number, first = 2, dur = 1.5): DesignTrial[] {
  return Array.from({ length: n }, (_, i) => ({ index: i, onset: first + i * isi, duration: dur, missed: false }));
}

function randomConfounds(rng: Rng, T: number, k: number): Float64Array[] {
  return Array.from({ length: k }, () => {
    const c = new Float64Array(T);
    for (let t = 0; t < T; t++) c[t] = rng.normal();
    return c;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Dense full-model pseudo-inverse rows (the slow definition of LSA/LSS). */
function denseBetaRow(cols: Float64Array[], T: number, which: number): Float64Array {
  const A = new Float64Array(cols.length * T);
  cols.forEach((c, j) => A.set(c, j * T));
  const { pinv } = pinvTall(A, T, cols.length);
  return pinv.slice(which * T, which * T + T);
}

describe('buildProjection', () => {
  const rng = new Rng(7);
  const T = 150;
  const tr = 2;
  const base: Omit<ProjectionInput, 'estimator'> = {
    trials: trialsEvery(25, 11.3),
    tr,
    nVolumes: T,
    confounds: randomConfounds(rng, T, 4),
  };

  it('LSS and LSA rows equal the dense full-model definitions', () => {
    const d = buildDesign(base);
    const n = d.trialIndex.length;
    const lsa = buildProjection({ ...base, estimator: 'lsa' });
    const lss = buildProjection({ ...base, estimator: 'lss' });
    const full = [...d.trialRegressors, ...d.nuisance];
    for (const i of [0, 7, n - 1]) {
      const ref = denseBetaRow(full, T, i);
      expect(maxAbsDiff(lsa.W.subarray(i * T, i * T + T), ref) / maxAbs(ref)).toBeLessThan(1e-9);
      const others = new Float64Array(T);
      d.trialRegressors.forEach((x, j) => {
        if (j !== i) for (let t = 0; t < T; t++) others[t] += x[t];
      });
      const refS = denseBetaRow([d.trialRegressors[i], others, ...d.nuisance], T, 0);
      expect(maxAbsDiff(lss.W.subarray(i * T, i * T + T), refS) / maxAbs(refS)).toBeLessThan(1e-9);
    }
  });

  it('a single trial: LSS equals LSA', () => {
    const one = { ...base, trials: [{ index: 3, onset: 20, duration: 2, missed: false }] };
    const a = buildProjection({ ...one, estimator: 'lsa' });
    const s = buildProjection({ ...one, estimator: 'lss' });
    expect(a.rows).toEqual([3]);
    expect(maxAbsDiff(a.W, s.W) / maxAbs(a.W)).toBeLessThan(1e-10);
  });

  it('rank-deficient nuisance (duplicate, constant and zero confounds) gives the same W', () => {
    const c = base.confounds;
    const dup = [...c, Float64Array.from(c[1], (v) => -3 * v), new Float64Array(T).fill(2), new Float64Array(T), c[0]];
    for (const estimator of ['lss', 'lsa', 'lag'] as const) {
      const ref = buildProjection({ ...base, estimator });
      const got = buildProjection({ ...base, confounds: dup, estimator });
      expect(got.rows).toEqual(ref.rows);
      expect(got.nuisanceRank).toBe(ref.nuisanceRank);
      expect(got.warnings.map((w) => w.code)).toContain('DESIGN_NUISANCE_RANK_DEFICIENT');
      expect(maxAbsDiff(got.W, ref.W) / maxAbs(ref.W)).toBeLessThan(1e-9);
    }
  });

  it('a saturated drift basis (few long volumes) does not crash', () => {
    const input = {
      trials: [
        { index: 0, onset: 10, duration: 5, missed: false },
        { index: 1, onset: 200, duration: 5, missed: false },
      ],
      tr: 64,
      nVolumes: 6,
      confounds: [new Float64Array(6).fill(1)],
    };
    for (const estimator of ['lss', 'lsa', 'lag'] as const) {
      const P = buildProjection({ ...input, estimator });
      expect(P.W.every((v) => Number.isFinite(v))).toBe(true);
      const codes = P.warnings.map((w) => w.code);
      expect(codes).toContain('DESIGN_HIGHPASS_SATURATES');
      expect(codes).toContain('DESIGN_NUISANCE_RANK_DEFICIENT');
      expect(codes).toContain('DESIGN_NO_RESIDUAL_DF');
    }
  });

  it('a trial starting after the scan end gets no row and a warning; missed trials never get rows', () => {
    const trials: DesignTrial[] = [
      ...trialsEvery(10, 12),
      { index: 10, onset: 140, duration: 2, missed: true },
      { index: 11, onset: 301, duration: 2, missed: false }, // scan ends at 300 s
      { index: 12, onset: 295, duration: 20, missed: false }, // runs past the end: truncated, modelled
      { index: 13, onset: 50, duration: 2, missed: false, modelled: false },
    ];
    for (const estimator of ['lss', 'lsa', 'lag'] as const) {
      const P = buildProjection({ ...base, trials, estimator, lagWindowS: [0, 4] });
      expect(P.rows).not.toContain(10);
      expect(P.rows).not.toContain(11);
      expect(P.rows).not.toContain(13);
      expect(P.rows).toContain(12);
      expect(P.nuisanceNames[P.nuisanceNames.length - 1]).toBe('missed_trials');
      const w = P.warnings.find((x) => x.code === 'DESIGN_TRIAL_AFTER_SCAN');
      expect(w?.message).toContain('Trial 11');
      expect(P.W.length).toBe(P.rows.length * T);
    }
  });

  it('lag rows average the nuisance-cleaned volumes in [onset+4, onset+8]', () => {
    const trials = [{ index: 0, onset: 30, duration: 1, missed: false }];
    const P = buildProjection({ ...base, trials, confounds: [], estimator: 'lag', highPassS: 1e9 });
    // no drift (huge high-pass) and no confounds: nuisance is the constant only
    expect(P.nuisanceNames).toEqual(['constant']);
    // frame times (k + 0.5)·2 in [34, 38]: 35 and 37 → k = 17, 18
    const w = P.W;
    const c = -1 / T;
    for (let t = 0; t < T; t++) expect(w[t]).toBeCloseTo(t === 17 || t === 18 ? 0.5 + c : c, 14);
  });

  it('collinear trials (identical onsets) warn and stay finite', () => {
    // LSA: trials 1 and 5 are identical → not identifiable, min-norm betas (shared equally)
    const trials = [...trialsEvery(5, 20), { index: 5, onset: 22, duration: 1.5, missed: false }];
    const P = buildProjection({ ...base, trials, estimator: 'lsa' });
    expect(P.warnings.map((w) => w.code)).toContain('DESIGN_TRIALS_COLLINEAR');
    expect(P.W.every((v) => Number.isFinite(v))).toBe(true);
    const i1 = P.rows.indexOf(1);
    const i5 = P.rows.indexOf(5);
    expect(maxAbsDiff(P.W.subarray(i1 * T, i1 * T + T), P.W.subarray(i5 * T, i5 * T + T))).toBeLessThan(1e-10);
    // LSS: [x1 | x1 + others | N] is still identifiable, so no warning there
    const S = buildProjection({ ...base, trials, estimator: 'lss' });
    expect(S.warnings.map((w) => w.code)).not.toContain('DESIGN_TRIALS_COLLINEAR');
    // LSS with exactly two identical trials: [x | x | N] is not identifiable
    const two = [
      { index: 0, onset: 30, duration: 2, missed: false },
      { index: 1, onset: 30, duration: 2, missed: false },
    ];
    const S2 = buildProjection({ ...base, trials: two, estimator: 'lss' });
    expect(S2.warnings.map((w) => w.code)).toContain('DESIGN_TRIALS_COLLINEAR');
    expect(S2.W.every((v) => Number.isFinite(v))).toBe(true);
    // min-norm of [x | x] gives half the single-trial beta
    const single = buildProjection({ ...base, trials: [two[0]], estimator: 'lss' });
    expect(maxAbsDiff(S2.W.subarray(0, T), single.W.map((v) => v / 2)) / maxAbs(single.W)).toBeLessThan(1e-9);
  });

  it('rejects bad input with DdError', () => {
    expect(() => buildProjection({ ...base, confounds: [new Float64Array(T - 1)], estimator: 'lss' })).toThrow(DdError);
    const nan = new Float64Array(T);
    nan[3] = NaN;
    expect(() => buildProjection({ ...base, confounds: [nan], estimator: 'lss' })).toThrow(DdError);
    expect(() =>
      buildProjection({ ...base, trials: [{ index: 0, onset: NaN, duration: 1, missed: false }], estimator: 'lss' }),
    ).toThrow(DdError);
    expect(() =>
      buildProjection({
        ...base,
        trials: [
          { index: 0, onset: 1, duration: 1, missed: false },
          { index: 0, onset: 5, duration: 1, missed: false },
        ],
        estimator: 'lss',
      }),
    ).toThrow(DdError);
    expect(() => buildProjection({ ...base, nVolumes: 1, confounds: [], estimator: 'lss' })).toThrow(DdError);
  });

  it('applyProjectionDense computes W · Y', () => {
    const W = Float64Array.from([1, 2, 0, -1, 0.5, 0]); // 2 × 3
    const Y = Float32Array.from([1, 10, 2, 20, 3, 30]); // 3 × 2
    expect(Array.from(applyProjectionDense(W, [0, 1], 3, Y, 2))).toEqual([5, 50, 0, 0]);
  });

  it('LSS and LSA with 120 trials and T = 1000 give one row per trial (speed: bench/design.bench.ts)', () => {
    const r = new Rng(11);
    const big: ProjectionInput = {
      trials: trialsEvery(120, 5.5, 3, 2),
      tr: 0.68,
      nVolumes: 1000,
      confounds: randomConfounds(r, 1000, 8),
      estimator: 'lss',
    };
    expect(buildProjection(big).rows.length).toBe(120);
    expect(buildProjection({ ...big, estimator: 'lsa' }).rows.length).toBe(120);
  });
});
