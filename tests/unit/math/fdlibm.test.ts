import { describe, expect, it } from 'vitest';
import { exp, log, log1p } from '../../../src/core/math/fdlibm.ts';
import { Rng } from '../../../src/core/random.ts';

/** Distance in units in the last place (relative to b). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  return Math.abs(a - b) / (Math.abs(b) * 2 ** -52);
}

describe('fdlibm exp/log/log1p (engine-independent bits)', () => {
  const rng = new Rng(3);
  const cases: [string, (x: number) => number, (x: number) => number, () => number][] = [
    ['exp', exp, Math.exp, () => (rng.next() - 0.5) * 1400],
    ['exp near 0', exp, Math.exp, () => (rng.next() - 0.5) * 2],
    ['log', log, Math.log, () => Math.exp((rng.next() - 0.5) * 1400)],
    ['log near 1', log, Math.log, () => 1 + (rng.next() - 0.5) * 1e-3],
    ['log1p', log1p, Math.log1p, () => Math.exp((rng.next() - 0.5) * 60) * (rng.next() < 0.5 ? -0.999 : 1)],
    ['log1p tiny', log1p, Math.log1p, () => (rng.next() - 0.5) * 1e-7],
  ];
  it.each(cases)('%s is within 1 ulp of the engine on 20 000 random inputs', (_n, f, g, gen) => {
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const x = gen();
      worst = Math.max(worst, ulps(f(x), g(x)));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('special values as IEEE-754 / C99 say', () => {
    expect(exp(0)).toBe(1);
    expect(exp(Infinity)).toBe(Infinity);
    expect(exp(-Infinity)).toBe(0);
    expect(exp(710)).toBe(Infinity);
    expect(exp(-746)).toBe(0);
    expect(exp(-745.13)).toBe(5e-324);
    expect(Number.isNaN(exp(NaN))).toBe(true);
    expect(log(1)).toBe(0);
    expect(log(0)).toBe(-Infinity);
    expect(Number.isNaN(log(-1))).toBe(true);
    expect(log(Infinity)).toBe(Infinity);
    expect(log(5e-324)).toBeCloseTo(-744.4400719213812, 12);
    expect(log1p(0)).toBe(0);
    expect(Object.is(log1p(-0), -0)).toBe(true);
    expect(log1p(-1)).toBe(-Infinity);
    expect(Number.isNaN(log1p(-2))).toBe(true);
    expect(log1p(1e-300)).toBe(1e-300);
  });

  it('known values (fdlibm, as C99 libm)', () => {
    expect(exp(1)).toBe(2.7182818284590455); // fdlibm's own rounding of e
    expect(log(2)).toBe(0.6931471805599453);
    expect(log1p(1)).toBe(0.6931471805599453);
    expect(exp(-1)).toBe(0.36787944117144233);
  });
});
