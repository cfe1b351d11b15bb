import { describe, expect, it } from 'vitest';
import {
  affineToQuatern,
  applyAffine,
  applyAffineMany,
  axcodes,
  invert4,
  multiply4,
  orientationString,
  qformAffine,
  voxelSizes,
  shapeZoomAffine,
  type Mat4,
} from '../../../src/core/nifti/index.ts';
import { golden } from './helpers.ts';

function expectMatClose(a: number[][], b: number[][], tol: number) {
  for (let i = 0; i < b.length; i++) for (let j = 0; j < b[i]!.length; j++) expect(Math.abs(a[i]![j]! - b[i]![j]!)).toBeLessThan(tol);
}

describe('affines against nibabel (golden synthetic cases)', () => {
  golden.affines.forEach((g, k) => {
    it(`case ${k}: ${g.axcodes.map((c) => c ?? '?').join('')}`, () => {
      const a = g.affine as Mat4;
      expect(axcodes(a)).toEqual(g.axcodes);
      expect(orientationString(a)).toBe(g.axcodes.map((c) => c ?? '?').join(''));
      voxelSizes(a).forEach((v, j) => expect(v).toBeCloseTo(g.voxel_sizes[j]!, 12));
      if (g.inverse) {
        expectMatClose(invert4(a), g.inverse, 1e-10);
        expectMatClose(multiply4(a, invert4(a)), [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], 1e-12);
        // qform as nibabel's set_qform writes it (shears stripped), rebuilt from our quaternion
        const q = affineToQuatern(a);
        expect(q.qfac).toBe(g.qfac);
        // nibabel's qform comes from the float32-stored fields, so round ours the same way (near
        // 180° rotations a = sqrt(1 − b² − c² − d²) amplifies that rounding)
        const f = Math.fround;
        const pixdim = [q.qfac, ...q.pixdim].map(f);
        const off = q.qoffset.map(f) as [number, number, number];
        expectMatClose(qformAffine(f(q.quaternB), f(q.quaternC), f(q.quaternD), off, pixdim), g.qform!, 2e-5);
        // the quaternion itself is unique up to sign (we and nibabel both take a ≥ 0)
        const ours = [q.quaternB, q.quaternC, q.quaternD];
        const sign = Math.sign(ours.reduce((s, x, j) => s + x * g.quatern![j]!, 0)) || 1;
        ours.forEach((x, j) => expect(Math.abs(sign * x - g.quatern![j]!)).toBeLessThan(1e-6));
      }
    });
  });
});

describe('affine helpers', () => {
  const a: Mat4 = [[-3, 0, 0, 78], [0, 3, 0, -112], [0, 0, 3, -50], [0, 0, 0, 1]];
  it('applies to points and inverts', () => {
    expect(applyAffine(a, [0, 0, 0])).toEqual([78, -112, -50]);
    expect(applyAffine(a, [26, 37.333333333333336, 16.666666666666668]).map((x) => +x.toFixed(9))).toEqual([0, 0, 0]);
    const inv = invert4(a);
    expect(applyAffine(inv, [0, 0, 0]).map((x) => +x.toFixed(9))).toEqual([26, 37.333333333, 16.666666667]);
    const pts = new Float64Array([0, 0, 0, 1, 2, 3]);
    expect(Array.from(applyAffineMany(a, pts))).toEqual([78, -112, -50, 75, -106, -41]);
    expect(() => invert4([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])).toThrow(/singular/);
  });

  it('base affine (no sform/qform) is nibabel shape_zoom_affine with x flipped', () => {
    expect(shapeZoomAffine([4, 5, 7], [1, 3, 2])).toEqual([
      [-1, 0, 0, 1.5],
      [0, 3, 0, -6],
      [0, 0, 2, -6],
      [0, 0, 0, 1],
    ]);
  });

  it('orientation of common storage orders', () => {
    expect(orientationString(a)).toBe('LAS');
    expect(orientationString([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])).toBe('RAS');
    expect(orientationString([[0, 0, -1, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]])).toBe('PSL');
  });
});
