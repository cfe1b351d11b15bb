import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cohensD, fdrBh, normalCdf, normalSf, signFlipTest, statsReady, tCdf, tSf, ttest1samp, wilcoxon, wilcoxonCounts,
  type Alternative,
} from '../../../src/core/stats/index.ts';

interface Base { name: string; x: number[]; popmean: number; alternative: Alternative }
const golden = JSON.parse(readFileSync(new URL('../../fixtures/golden/stats.json', import.meta.url), 'utf8')) as {
  ttest: (Base & { t: number; p: number })[];
  wilcoxon: (Base & { zero_method: 'wilcox' | 'pratt' | 'zsplit'; correction: boolean; method: 'auto' | 'approx'; statistic: number; p: number })[];
  signflip: (Base & { statistic: number; p: number; n_resamples: number })[];
  fdr: { p: number[]; q: number[]; reject: boolean[] }[];
  cohen_d: { name: string; x: number[]; popmean: number; d: number }[];
};

/** |a − b| ≤ rel·|b| + abs */
function close(a: number, b: number, rel = 1e-10, abs = 1e-15) {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.abs(b) + abs);
}

beforeAll(() => statsReady());

describe('distributions (Cephes)', () => {
  it('t and normal tails', () => {
    close(tSf(2.5, 10), 0.015723422118304388, 1e-13);
    close(tCdf(-2.5, 10), 0.015723422118304388, 1e-13);
    close(tSf(40, 3), 1.719034039457927e-05, 1e-12);
    close(normalSf(1.96), 0.024997895148220435, 1e-13);
    close(normalCdf(0), 0.5, 1e-15);
    expect(tSf(Infinity, 4)).toBe(0);
    expect(tSf(-Infinity, 4)).toBe(1);
    expect(Number.isNaN(tSf(NaN, 4))).toBe(true);
    expect(() => tSf(1, 0)).toThrow(expect.objectContaining({ code: 'STATS_BAD_DF' }));
  });
});

describe('one-sample t-test = scipy.stats.ttest_1samp', () => {
  for (const c of golden.ttest) {
    it(`${c.name} ${c.alternative}`, () => {
      const r = ttest1samp(c.x, c.popmean, c.alternative);
      close(r.t, c.t, 1e-11);
      close(r.pValue, c.p, 1e-9);
      expect(r.df).toBe(c.x.length - 1);
    });
  }
  it('a constant sample: t = ±∞ (p 0) or NaN, as SciPy', () => {
    expect(ttest1samp([0.6, 0.6, 0.6], 0.5).t).toBe(Infinity);
    expect(ttest1samp([0.6, 0.6, 0.6], 0.5).pValue).toBe(0);
    expect(Number.isNaN(ttest1samp([0.5, 0.5], 0.5).pValue)).toBe(true);
  });
  it('bad input is a DdError', () => {
    expect(() => ttest1samp([0.5])).toThrow(expect.objectContaining({ code: 'STATS_TOO_FEW' }));
    expect(() => ttest1samp([0.5, NaN, 0.6])).toThrow(expect.objectContaining({ code: 'STATS_NAN' }));
  });
});

describe("Cohen's d", () => {
  for (const c of golden.cohen_d) it(c.name, () => close(cohensD(c.x, c.popmean), c.d, 1e-12));
});

describe('Wilcoxon signed-rank = scipy.stats.wilcoxon (SciPy 1.10)', () => {
  for (const c of golden.wilcoxon) {
    it(`${c.name} ${c.alternative} ${c.zero_method} correction=${c.correction} ${c.method}`, () => {
      const r = wilcoxon(c.x, { popmean: c.popmean, alternative: c.alternative, zeroMethod: c.zero_method, correction: c.correction, method: c.method });
      close(r.statistic, c.statistic, 1e-12);
      close(r.pValue, c.p, 1e-9);
    });
  }
  it('auto: exact for n ≤ 50 without zeros (also with ties), normal approximation otherwise', () => {
    expect(wilcoxon([0.1, 0.2, -0.05, 0.3]).method).toBe('exact');
    expect(wilcoxon([0.1, 0.1, -0.05, 0.3]).method).toBe('exact');
    expect(wilcoxon([0.1, 0, -0.05, 0.3]).method).toBe('approx');
    expect(wilcoxon(Array.from({ length: 51 }, (_, i) => i - 20)).method).toBe('approx');
  });
  it('exact null counts sum to 2^n and are symmetric', () => {
    const c = wilcoxonCounts(10);
    expect(c.reduce((a, b) => a + b, 0)).toBe(1024);
    expect([...c]).toEqual([...c].reverse());
  });
  it('all differences zero: STATS_ALL_ZERO', () => {
    expect(() => wilcoxon([0.5, 0.5, 0.5], { popmean: 0.5 })).toThrow(expect.objectContaining({ code: 'STATS_ALL_ZERO' }));
  });
});

describe('sign-flip permutation test', () => {
  for (const c of golden.signflip) {
    it(`exact = scipy.stats.permutation_test: ${c.name} ${c.alternative}`, () => {
      const r = signFlipTest(c.x, { popmean: c.popmean, alternative: c.alternative, permutations: c.n_resamples });
      expect(r.exact).toBe(true);
      close(r.statistic, c.statistic, 1e-12);
      close(r.pValue, c.p, 1e-12);
    });
  }
  it('Monte Carlo when 2^n > N: seeded, p = (1 + count) / (1 + N), close to the exact p', () => {
    const c = golden.signflip.find((s) => s.name === 'acc12' && s.alternative === 'greater')!;
    const a = signFlipTest(c.x, { popmean: c.popmean, permutations: 2000, seed: 5 });
    const b = signFlipTest(c.x, { popmean: c.popmean, permutations: 2000, seed: 5 });
    expect(a.exact).toBe(false);
    expect(a.pValue).toBe(b.pValue);
    expect(Number.isInteger(a.pValue * 2001 - 1 + 1e-9 - 1e-9)).toBe(true);
    expect(Math.abs(a.pValue - c.p)).toBeLessThan(0.03);
  });
});

describe('Benjamini–Hochberg = statsmodels multipletests(fdr_bh)', () => {
  for (const [i, c] of golden.fdr.entries()) {
    it(`case ${i} (m = ${c.p.length})`, () => {
      const r = fdrBh(c.p);
      [...r.q].forEach((q, j) => close(q, c.q[j]!, 1e-14));
      expect(r.reject).toEqual(c.reject);
    });
  }
  it('NaN p-values are left out of m and get NaN q-values', () => {
    const r = fdrBh([0.01, NaN, 0.04]);
    expect(r.q[0]).toBeCloseTo(0.02, 15);
    expect(Number.isNaN(r.q[1]!)).toBe(true);
    expect(r.q[2]).toBeCloseTo(0.04, 15);
    expect(r.reject).toEqual([true, false, true]);
  });
  it('p outside [0, 1] is STATS_BAD_P', () => {
    expect(() => fdrBh([0.2, 1.5])).toThrow(expect.objectContaining({ code: 'STATS_BAD_P' }));
  });
});
