/** Geometry measures against NumPy / SciPy / scikit-learn (tests/fixtures/golden/geometry.json, scripts/golden/geometry_golden.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  classicalMds, correlationRdm, crossnobisRdm, distanceRatio, modelRdm, pca, roiGeometry, rsa, spearman, symEig, upperTriangle,
  type ModelRdmKind,
} from '../../../src/core/geometry/index.ts';
import { DdError } from '../../../src/core/errors.ts';

interface G {
  n: number; p: number; X: string[]; run: number[]; choice: number[]; sv_diff: number[]; later_delay: number[];
  rdm_upper: number[]; rsa: Record<string, { kind: ModelRdmKind; rho: number }>;
  pca_explained_variance_ratio: number[]; pca_explained_variance: number[]; participation_ratio: number;
  mds_coords: number[]; mds_eigenvalues: number[]; crossnobis: number[]; within: number; between: number; ratio: number;
}
const g = JSON.parse(readFileSync(new URL('../../fixtures/golden/geometry.json', import.meta.url), 'utf8')) as G;
const X = Float64Array.from(g.X.map(Number));
const { n, p } = g;

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol);
};

describe('geometry (golden)', () => {
  const D = correlationRdm(X, n, p);
  it('correlation RDM = scipy pdist(correlation)', () => {
    close(upperTriangle(D, n), g.rdm_upper, 1e-12);
    for (let i = 0; i < n; i++) expect(D[i * n + i]).toBe(0);
  });
  it('RSA Spearman ρ = scipy.stats.spearmanr for choice, sv_diff, later_delay', () => {
    const vals: Record<string, number[]> = { choice: g.choice, sv_diff: g.sv_diff, later_delay: g.later_delay };
    for (const [name, ref] of Object.entries(g.rsa)) {
      const r = rsa(D, n, vals[name]!, ref.kind);
      expect(Math.abs(r.rho - ref.rho), name).toBeLessThanOrEqual(1e-12);
      expect(r.pValue).toBeNull();
      expect(spearman(upperTriangle(D, n), upperTriangle(modelRdm(vals[name]!, ref.kind), n))).toBeCloseTo(ref.rho, 12);
    }
  });
  it('RSA permutation test: seeded, reproducible, p = (1+#≥)/(1+N)', () => {
    const a = rsa(D, n, g.choice, 'categorical', { permutations: 200, seed: 5 });
    const b = rsa(D, n, g.choice, 'categorical', { permutations: 200, seed: 5 });
    expect([...a.nullRho]).toEqual([...b.nullRho]);
    const ge = [...a.nullRho].filter((v) => v >= a.rho).length;
    expect(a.pValue).toBe((1 + ge) / 201);
    expect(a.pValue!).toBeLessThan(0.05); // planted choice signal
  });
  it('PCA explained variance (ratio) = sklearn, participation ratio', () => {
    const r = pca(X, n, p);
    close(r.explainedVarianceRatio, g.pca_explained_variance_ratio, 1e-12);
    close(r.explainedVariance, g.pca_explained_variance, 1e-10);
    expect(Math.abs(r.participationRatio - g.participation_ratio)).toBeLessThanOrEqual(1e-10);
  });
  it('classical MDS = numpy eigh of the double-centred D² (signs by the largest coordinate)', () => {
    const r = classicalMds(D, n, 2);
    close(r.coords, g.mds_coords, 1e-10);
    close(r.eigenvalues.subarray(0, 5), g.mds_eigenvalues.slice(0, 5), 1e-10);
  });
  it('crossnobis (no noise normalisation) across runs', () => {
    const r = crossnobisRdm(X, n, p, g.choice, g.run);
    close(r.rdm, g.crossnobis, 1e-12);
    expect(r.conditions).toEqual([0, 1]);
  });
  it('within/between distance ratio with permutations', () => {
    const r = distanceRatio(D, n, g.choice, { permutations: 100, seed: 1 });
    expect(r.within).toBeCloseTo(g.within, 12);
    expect(r.between).toBeCloseTo(g.between, 12);
    expect(r.ratio).toBeCloseTo(g.ratio, 12);
    expect(r.pValue!).toBeLessThan(0.05);
  });
});

describe('geometry helpers', () => {
  it('symEig reconstructs A', () => {
    const A = [4, 1, 2, 1, 3, 0.5, 2, 0.5, 5];
    const { values, vectors } = symEig(A, 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += values[k]! * vectors[k * 3 + i]! * vectors[k * 3 + j]!;
      expect(s).toBeCloseTo(A[i * 3 + j]!, 12);
    }
    expect(values[0]).toBeGreaterThanOrEqual(values[1]!);
  });
  it('model RDMs', () => {
    expect([...modelRdm([0, 1, 1], 'categorical')]).toEqual([0, 1, 1, 1, 0, 0, 1, 0, 0]);
    expect([...modelRdm([1, 4, 2], 'absdiff')]).toEqual([0, 3, 1, 3, 0, 2, 1, 2, 0]);
  });
  it('errors are DdErrors', () => {
    expect(() => correlationRdm([1, 2, NaN, 4], 2, 2)).toThrow(DdError);
    expect(() => crossnobisRdm(X, n, p, g.choice, new Array(n).fill(0))).toThrow(/two runs/);
    expect(() => distanceRatio(correlationRdm(X, n, p), n, new Array(n).fill(1))).toThrow(DdError);
  });
});

describe('roiGeometry', () => {
  it('bundles the measures (golden values)', () => {
    const r = roiGeometry(X, n, p, {
      variables: { choice: { values: g.choice, kind: 'categorical' }, sv_diff: { values: g.sv_diff, kind: 'absdiff' } },
      conditions: g.choice, runs: g.run, permutations: 20, seed: 2,
    });
    expect(r.rsa.choice!.rho).toBeCloseTo(g.rsa.choice!.rho, 12);
    expect(r.rsa.sv_diff!.rho).toBeCloseTo(g.rsa.sv_diff!.rho, 12);
    expect(r.pca.participationRatio).toBeCloseTo(g.participation_ratio, 10);
    expect(r.mds.coords.length).toBe(2 * n);
    expect(r.distanceRatio!.ratio).toBeCloseTo(g.ratio, 12);
    close(r.crossnobis!.rdm, g.crossnobis, 1e-12);
  });
});
