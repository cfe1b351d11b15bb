// summariseNull against NumPy (tests/fixtures/golden/null_summary.json, scripts/golden/null_summary.py).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { summariseNull } from '../../../src/core/mvpa/null-summary.ts';

const golden = JSON.parse(readFileSync('tests/fixtures/golden/null_summary.json', 'utf8')).cases as Record<string, {
  values: number[]; mean: number; sd: number; p05: number; p50: number; p95: number; lo: number; hi: number; counts: number[];
}>;

describe('summariseNull = NumPy', () => {
  for (const [name, g] of Object.entries(golden)) {
    it(name, () => {
      const s = summariseNull(g.values)!;
      expect(s.n).toBe(g.values.length);
      expect(s.mean).toBeCloseTo(g.mean, 12);
      if (Number.isFinite(g.sd)) expect(s.sd).toBeCloseTo(g.sd, 12);
      expect(s.p05).toBeCloseTo(g.p05, 12);
      expect(s.p50).toBeCloseTo(g.p50, 12);
      expect(s.p95).toBeCloseTo(g.p95, 12);
      expect(s.lo).toBeCloseTo(g.lo, 12);
      expect(s.hi).toBeCloseTo(g.hi, 12);
      expect(s.counts).toEqual(g.counts);
    });
  }
  it('is null without permutations, and ignores non-finite scores', () => {
    expect(summariseNull([])).toBeNull();
    expect(summariseNull([NaN, 0.5, 0.5])!.n).toBe(2);
  });
});
