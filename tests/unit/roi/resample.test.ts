/** Pure-function tests: affine inverse, nearest resampling, label masks, spheres vs brute force. */
import { describe, expect, it } from 'vitest';
import {
  type Grid,
  type Volume3D,
  applyAffine,
  invertAffine,
  maskFromLabels,
  maskIndices,
  resampleNearest,
  sphereMask,
} from '../../../src/core/roi/index.ts';

function bruteSphere(g: Grid, c: [number, number, number], r: number): number[] {
  const [nx, ny, nz] = g.dims;
  const out: number[] = [];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const [x, y, z] = applyAffine(g.affine, i, j, k);
        if ((x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= r * r + 1e-9) out.push(i + nx * (j + ny * k));
      }
  return out;
}

const RAS1: Grid = { dims: [41, 43, 39], affine: [[1, 0, 0, -20], [0, 1, 0, -21], [0, 0, 1, -19], [0, 0, 0, 1]] };
const LAS22: Grid = { dims: [30, 33, 28], affine: [[-2.2, 0, 0, 31.9], [0, 2.2, 0, -35.2], [0, 0, 2.2, -29.7], [0, 0, 0, 1]] };
const OBLIQUE: Grid = (() => {
  const t = 0.3;
  const s = [2, 2.5, 3];
  return {
    dims: [32, 28, 24],
    affine: [
      [s[0] * Math.cos(t), -s[1] * Math.sin(t), 0, -25],
      [s[0] * Math.sin(t), s[1] * Math.cos(t), 0.2, -40],
      [0, 0.1, s[2], -30],
      [0, 0, 0, 1],
    ],
  };
})();
const PERMUTED: Grid = { dims: [20, 25, 30], affine: [[0, 0, -2, 30], [2, 0, 0, -20], [0, 2, 0, -25], [0, 0, 0, 1]] };

describe('invertAffine', () => {
  it('inverts oblique and permuted affines', () => {
    for (const g of [RAS1, LAS22, OBLIQUE, PERMUTED]) {
      const inv = invertAffine(g.affine);
      for (const [i, j, k] of [[0, 0, 0], [3, 7, 11], [10.5, -2, 4]]) {
        const [x, y, z] = applyAffine(g.affine, i, j, k);
        const back = applyAffine(inv, x, y, z);
        expect(back[0]).toBeCloseTo(i, 9);
        expect(back[1]).toBeCloseTo(j, 9);
        expect(back[2]).toBeCloseTo(k, 9);
      }
    }
  });
  it('refuses a singular affine with ROI_BAD_GRID', () => {
    expect(() => invertAffine([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])).toThrowError(expect.objectContaining({ code: 'ROI_BAD_GRID' }));
  });
});

describe('sphereMask', () => {
  it('1-mm grid, integer centre, r = 10 mm: the 4169 lattice points of the ball', () => {
    expect(maskIndices(sphereMask(RAS1, [0, 0, 0], 10)).length).toBe(4169);
  });
  it('matches a brute-force count on RAS, LAS, oblique and permuted grids, inside and at the edges', () => {
    const centres: [number, number, number][] = [[0, 0, 0], [3.3, -7.1, 2.05], [-28, 30, -20], [19.5, 20.5, 18.5], [100, 0, 0]];
    for (const g of [RAS1, LAS22, OBLIQUE, PERMUTED]) {
      for (const c of centres) {
        for (const r of [0.5, 4, 6, 8.8, 12]) {
          const got = Array.from(maskIndices(sphereMask(g, c, r)));
          expect(got, `${JSON.stringify(g.dims)} ${c} r=${r}`).toEqual(bruteSphere(g, c, r));
        }
      }
    }
  });
  it('a left sphere is on the left whatever the storage', () => {
    for (const g of [RAS1, LAS22, PERMUTED]) {
      const m = sphereMask(g, [-10, 0, 0], 4);
      for (const v of maskIndices(m)) {
        const [nx, ny] = g.dims;
        const [x] = applyAffine(g.affine, v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny)));
        expect(x).toBeLessThan(0);
      }
    }
  });
});

describe('resampleNearest', () => {
  const src: Volume3D = {
    dims: [4, 3, 2],
    affine: [[2, 0, 0, 10], [0, 2, 0, 20], [0, 0, 2, 30], [0, 0, 0, 1]],
    data: Float32Array.from({ length: 24 }, (_, i) => i + 1),
  };
  it('is the identity on its own grid', () => {
    expect(Array.from(resampleNearest(src, src))).toEqual(Array.from(src.data));
  });
  it('upsamples by 2 with floor(x + 0.5) rounding and zeros outside', () => {
    const target: Grid = { dims: [9, 1, 1], affine: [[1, 0, 0, 9], [0, 1, 0, 20], [0, 0, 1, 30], [0, 0, 0, 1]] };
    // x = 9..17 → source i = (x − 10)/2 = −0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5
    expect(Array.from(resampleNearest(src, target))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 0]);
  });
  it('a mirrored (LAS) target reads the same world positions', () => {
    const target: Grid = { dims: [4, 3, 2], affine: [[-2, 0, 0, 16], [0, 2, 0, 20], [0, 0, 2, 30], [0, 0, 0, 1]] };
    const out = resampleNearest(src, target);
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < 3; j++)
        for (let i = 0; i < 4; i++) expect(out[i + 4 * (j + 3 * k)]).toBe(src.data[3 - i + 4 * (j + 3 * k)]);
  });
});

describe('maskFromLabels / maskIndices', () => {
  it('selects the listed labels only', () => {
    const m = maskFromLabels({ data: Float32Array.from([0, 1, 2, 3, 2.00001, 71, 72, 1.5]) }, [2, 72]);
    expect(Array.from(m)).toEqual([0, 0, 1, 0, 1, 0, 1, 0]);
    expect(Array.from(maskIndices(m))).toEqual([2, 4, 6]);
  });
});
