import { describe, expect, it } from 'vitest';
import {
  boxcarRange,
  cosineDrift,
  eventRegressor,
  frameTimes,
  gammaPdf,
  logGamma,
  makeRegressorGrid,
  rintHalfEven,
  spmHrf,
} from '../../../src/core/design/index.ts';

describe('hrf', () => {
  it('logGamma is accurate', () => {
    expect(logGamma(6)).toBeCloseTo(Math.log(120), 14);
    expect(logGamma(16)).toBeCloseTo(Math.log(1307674368000), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(6.666666666666667)).toBeCloseTo(5.9636691242825925, 12); // scipy.special.gammaln(20/3)
  });

  it('gammaPdf follows scipy.stats.gamma.pdf', () => {
    expect(gammaPdf(-1, 6)).toBe(0);
    expect(gammaPdf(0, 6)).toBe(0);
    expect(gammaPdf(0, 1)).toBe(1);
    expect(gammaPdf(5, 6)).toBeCloseTo((5 ** 5 * Math.exp(-5)) / 120, 15);
    expect(gammaPdf(7, 6, 2, 1)).toBeCloseTo(gammaPdf(5, 6), 15);
  });

  it('rint rounds half to even like numpy', () => {
    expect(rintHalfEven(204.5)).toBe(204);
    expect(rintHalfEven(205.5)).toBe(206);
    expect(rintHalfEven(204.8)).toBe(205);
  });

  it('SPM HRF: sum 1, h[0] = 0, peak near 5 s, negative undershoot', () => {
    const tr = 2;
    const h = spmHrf(tr);
    expect(h.length).toBe(256); // rint(32 / 0.125)
    expect(h[0]).toBe(0);
    expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    let arg = 0;
    for (let i = 1; i < h.length; i++) if (h[i] > h[arg]) arg = i;
    const peakT = arg * (32 / 255);
    expect(peakT).toBeGreaterThan(4.5);
    expect(peakT).toBeLessThan(5.6);
    expect(Math.min(...h)).toBeLessThan(0);
  });
});

describe('regressors', () => {
  it('frame times are (k + sliceTimeRef)·TR', () => {
    expect(Array.from(frameTimes(2, 3))).toEqual([1, 3, 5]);
    expect(Array.from(frameTimes(2, 3, 0))).toEqual([0, 2, 4]);
  });

  it('boxcar: onset ≤ g < onset + duration, zero duration gives one grid point', () => {
    const g = makeRegressorGrid(2, 10); // dt = 0.125
    const z = g.nPad;
    expect(boxcarRange(g, 1, 0.5)).toEqual({ start: z + 8, stop: z + 12 });
    expect(boxcarRange(g, 1, 0)).toEqual({ start: z + 8, stop: z + 9 });
    expect(boxcarRange(g, 1.01, 0.05)).toEqual({ start: z + 9, stop: z + 10 });
  });

  it('a long boxcar reaches a plateau of 1', () => {
    const g = makeRegressorGrid(2, 100);
    const x = eventRegressor(g, [{ onset: 0, duration: 200 }]);
    expect(x[60]).toBeCloseTo(1, 12);
  });

  it('is linear in events; negative onsets are modelled; late events are zero', () => {
    const g = makeRegressorGrid(1.5, 60, { sliceTimeRef: 0.3 });
    const a = eventRegressor(g, [{ onset: -4, duration: 3 }]);
    const b = eventRegressor(g, [{ onset: 20.2, duration: 1 }]);
    const ab = eventRegressor(g, [{ onset: -4, duration: 3 }, { onset: 20.2, duration: 1 }]);
    for (let k = 0; k < 60; k++) expect(ab[k]).toBeCloseTo(a[k] + b[k], 14);
    expect(Math.max(...a)).toBeGreaterThan(0.05); // the pre-scan event's response enters the scan
    const late = eventRegressor(g, [{ onset: 89.9, duration: 5 }]); // last frame at 88.95 s
    expect(late.every((v) => v === 0)).toBe(true);
    const early = eventRegressor(g, [{ onset: -100, duration: 10 }]); // ends 90 s before the scan
    expect(early.every((v) => v === 0)).toBe(true);
  });

  it('cosine drift: nilearn order rule and orthonormal cosines', () => {
    const d = cosineDrift(121, 2.5, 128);
    expect(d.order).toBe(4); // floor(2 · 121 · 2.5 / 128) = 4
    expect(d.names).toEqual(['drift_1', 'drift_2', 'drift_3', 'drift_4', 'constant']);
    const s = cosineDrift(6, 64, 128);
    expect(s.order).toBe(5);
    expect(s.warnings[0]?.code).toBe('DESIGN_HIGHPASS_SATURATES');
  });
});
