/**
 * Golden tests against scripts/golden/design_reference.py (independent NumPy/SciPy reference:
 * dense lstsq per model). Fixtures: tests/fixtures/golden/design_haxby_run1.json (Haxby sub001
 * run 1, 530 mask voxels in NIfTI x-fastest order, int16 BOLD embedded) and
 * design_synthetic.json (negative onset, event past the scan, event after the scan, missed
 * trials, random confounds, a non-grid slice-time reference, rank-deficient confounds).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  applyProjectionDense,
  buildDesign,
  buildProjection,
  cosineDrift,
  gammaDifferenceHrf,
  type DesignTrial,
  type Estimator,
  type ProjectionInput,
} from '../../../src/core/design/index.ts';

interface GoldenCase {
  name: string;
  tr: number;
  nVolumes: number;
  sliceTimeRef: number;
  highPassS: number;
  lagWindowS: [number, number];
  trials: DesignTrial[];
  confounds: number[][];
  nVoxels: number;
  hrf: number[];
  drift: number[][];
  regressors: { trialIndex: number[]; columns: number[][] };
  missedRegressor: number[] | null;
  nuisanceColumns: number;
  nuisanceRank: number;
  expected: Record<Estimator, { rows: number[]; patterns: number[] }>;
  bold?: number[];
  voxelIndices?: number[];
  dims?: number[];
}

interface GoldenFile {
  cases: GoldenCase[];
  bold?: number[];
  hrfChecks?: { tr: number; ratio: number; hrf: number[] }[];
  driftChecks?: { nVolumes: number; tr: number; highPassS: number; columns: number[][] }[];
}

function load(name: string): GoldenFile {
  const path = fileURLToPath(new URL(`../../fixtures/golden/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as GoldenFile;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function inputFor(c: GoldenCase, estimator: Estimator): ProjectionInput {
  return {
    trials: c.trials,
    tr: c.tr,
    nVolumes: c.nVolumes,
    confounds: c.confounds.map((col) => Float64Array.from(col)),
    estimator,
    sliceTimeRef: c.sliceTimeRef,
    highPassS: c.highPassS,
    lagWindowS: c.lagWindowS,
  };
}

function checkCase(c: GoldenCase, bold: number[]) {
  const T = c.nVolumes;
  const V = c.nVoxels;
  const Y = Float32Array.from(bold);
  expect(Y.length).toBe(T * V);

  it(`${c.name}: HRF, drift and regressors equal the reference to 1e-10`, () => {
    const d = buildDesign(inputFor(c, 'lss'));
    expect(maxAbsDiff(d.grid.hrf, c.hrf)).toBeLessThan(1e-10);
    const nDrift = c.drift.length;
    expect(d.nuisance.length).toBe(c.nuisanceColumns);
    for (let j = 0; j < nDrift; j++) expect(maxAbsDiff(d.nuisance[j], c.drift[j])).toBeLessThan(1e-10);
    expect(d.trialIndex).toEqual(c.regressors.trialIndex);
    d.trialRegressors.forEach((x, j) => expect(maxAbsDiff(x, c.regressors.columns[j])).toBeLessThan(1e-10));
    if (c.missedRegressor === null) expect(d.missedRegressor).toBeNull();
    else expect(maxAbsDiff(d.missedRegressor!, c.missedRegressor)).toBeLessThan(1e-10);
  });

  for (const est of ['lss', 'lsa', 'lag'] as const) {
    it(`${c.name}: ${est} W·Y equals dense least squares to 1e-4 relative`, () => {
      const P = buildProjection(inputFor(c, est));
      const exp = c.expected[est];
      expect(P.rows).toEqual(exp.rows);
      expect(P.nuisanceRank).toBe(c.nuisanceRank);
      expect(P.W.length).toBe(P.rows.length * T);
      const got = applyProjectionDense(P.W, P.rows, T, Y, V);
      const scale = maxAbs(exp.patterns);
      expect(scale).toBeGreaterThan(0);
      const err = maxAbsDiff(got, exp.patterns) / scale;
      expect(err).toBeLessThan(1e-4);
    });
  }
}

describe('design golden: Haxby sub001 run 1', () => {
  const f = load('design_haxby_run1.json');
  const c = f.cases[0];
  it('stores 530 voxels in ascending NIfTI (x-fastest) linear order', () => {
    expect(c.voxelIndices!.length).toBe(530);
    expect(c.dims).toEqual([40, 20, 1]);
    for (let i = 1; i < c.voxelIndices!.length; i++) expect(c.voxelIndices![i]).toBeGreaterThan(c.voxelIndices![i - 1]);
    expect(c.nVolumes).toBe(121);
    expect(c.tr).toBe(2.5);
  });
  checkCase(c, c.bold!);
});

describe('design golden: synthetic runs', () => {
  const f = load('design_synthetic.json');
  for (const c of f.cases) checkCase(c, c.bold ?? f.bold!);

  it('HRF matches nilearn _gamma_difference_hrf (ratio 1/6 and 0.167) to 1e-10 for several TRs', () => {
    for (const h of f.hrfChecks!) {
      const got = gammaDifferenceHrf(h.tr, { ratio: h.ratio });
      expect(got.length).toBe(h.hrf.length);
      expect(maxAbsDiff(got, h.hrf)).toBeLessThan(1e-10);
    }
  });

  it('cosine drift matches nilearn create_cosine_drift to 1e-10 (incl. a saturated basis)', () => {
    for (const d of f.driftChecks!) {
      const got = cosineDrift(d.nVolumes, d.tr, d.highPassS);
      expect(got.columns.length).toBe(d.columns.length);
      got.columns.forEach((col, j) => expect(maxAbsDiff(col, d.columns[j])).toBeLessThan(1e-10));
    }
  });

  it('reports the trial after the scan, the trial with no signal, and rank deficiency', () => {
    const [c0, , c2] = f.cases;
    const lss = buildProjection(inputFor(c0, 'lss'));
    const codes = lss.warnings.map((w) => w.code);
    expect(codes).toContain('DESIGN_TRIAL_AFTER_SCAN'); // trial 19, onset 165 s ≥ 160 s
    expect(codes).toContain('DESIGN_TRIAL_NO_SIGNAL'); // trial 20, onset 159.5 s > last frame 159 s
    expect(lss.rows).not.toContain(19);
    expect(lss.rows).not.toContain(20);
    expect(lss.rows).not.toContain(3); // missed
    expect(lss.rows).not.toContain(7); // missed
    expect(lss.nuisanceNames).toContain('missed_trials');
    const lag = buildProjection(inputFor(c0, 'lag'));
    expect(lag.warnings.map((w) => w.code)).toContain('DESIGN_LAG_WINDOW_EMPTY');
    const rd = buildProjection(inputFor(c2, 'lsa'));
    expect(rd.warnings.map((w) => w.code)).toContain('DESIGN_NUISANCE_RANK_DEFICIENT');
  });
});
