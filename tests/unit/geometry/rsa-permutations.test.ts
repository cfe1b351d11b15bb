// RSA's permutation null: gathering the permuted model ranks (every pair used) gives exactly the
// numbers of re-ranking the permuted model RDM, permutation by permutation.
import { describe, expect, it } from 'vitest';
import { correlationRdm, modelRdm, rsa, spearman, upperTriangle } from '../../../src/core/geometry/index.ts';
import { Rng } from '../../../src/core/random.ts';

function data(n: number, p: number, seed: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n * p }, () => r.normal());
}

describe('rsa permutations', () => {
  for (const kind of ['categorical', 'absdiff'] as const) {
    it(`${kind}: null ρ equal to re-ranking each permuted model RDM`, () => {
      const n = 24;
      const D = correlationRdm(data(n, 15, 5), n, 15);
      const vals = kind === 'categorical' ? Float64Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0) : Float64Array.from({ length: n }, (_, i) => Math.round(((i * 37) % 11) * 10) / 10);
      const res = rsa(D, n, vals, kind, { permutations: 50, seed: 9 });
      const rng = new Rng(9, 3); // rsa's stream
      const dTri = upperTriangle(D, n);
      const perm = new Float64Array(vals);
      for (let b = 0; b < 50; b++) {
        perm.set(vals);
        rng.shuffle(perm);
        expect(res.nullRho[b]).toBe(spearman(dTri, upperTriangle(modelRdm(perm, kind), n)));
      }
      expect(res.rho).toBe(spearman(dTri, upperTriangle(modelRdm(vals, kind), n)));
    });
  }
});
