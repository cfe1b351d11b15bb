/**
 * Left/right: the LAS NeuroVault motor map (left vs right button press) sampled at every voxel of
 * the RAS AAL atlas by nearest neighbour through both affines. Reference means from
 * shared/data/README.md §4 (computed with nibabel/numpy, floor(x + 0.5)). A left/right flip turns
 * the signs around.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Volume3D, resampleNearest } from '../../../src/core/roi/index.ts';
import { FIX, loadNifti } from './load.ts';

let stat: Volume3D;
let aal: Volume3D;
let names: Map<string, number>;

beforeAll(async () => {
  stat = (await loadNifti('statmaps/neurovault_image_10426_motor_left_vs_right.nii.gz')).vol;
  aal = (await loadNifti('atlases/aal.nii.gz')).vol;
  names = new Map();
  for (const line of readFileSync(resolve(FIX, 'atlases/aal.nii.txt'), 'utf8').split(/\r?\n/)) {
    const p = line.trim().split(/\s+/);
    if (p.length >= 2) names.set(p[1], Number(p[0]));
  }
});

function meanByLabel(values: Float32Array, labels: Float32Array, label: number): { mean: number; n: number } {
  let s = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === label) {
      s += values[i];
      n++;
    }
  }
  return { mean: s / n, n };
}

/** The same image stored the other way along x (LAS ↔ RAS): data reversed in i, affine adjusted. */
function flipStorageX(v: Volume3D): Volume3D {
  const [nx, ny, nz] = v.dims;
  const data = new Float32Array(v.data.length);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) data[i + nx * (j + ny * k)] = v.data[nx - 1 - i + nx * (j + ny * k)];
  // new voxel i' = nx-1-i  →  world = A·(nx-1-i', j, k): column 0 negated, offset += A[:,0]·(nx-1)
  const affine = v.affine.map((r) => r.slice());
  for (let r = 0; r < 3; r++) {
    affine[r][3] += affine[r][0] * (nx - 1);
    affine[r][0] = -affine[r][0];
  }
  return { dims: v.dims, affine, data };
}

describe('left/right through both affines (LAS stat map on the RAS AAL grid)', () => {
  const expected: [string, number][] = [
    ['Precentral_L', -0.914],
    ['Precentral_R', 2.654],
    ['Postcentral_L', -2.217],
    ['Postcentral_R', 3.91],
    ['Caudate_L', 0.014],
    ['Caudate_R', -0.003],
  ];

  it('the fixtures have the orientations this test is about', () => {
    expect(stat.affine[0][0]).toBeLessThan(0); // LAS
    expect(aal.affine[0][0]).toBeGreaterThan(0); // RAS
  });

  it('mean t per AAL region matches the reference (tolerance 0.01)', () => {
    const onAal = resampleNearest(stat, aal);
    for (const [name, want] of expected) {
      const label = names.get(name)!;
      expect(label, name).toBeGreaterThan(0);
      const { mean, n } = meanByLabel(onAal, aal.data, label);
      expect(n, name).toBeGreaterThan(1000);
      expect(Math.abs(mean - want), `${name}: got ${mean.toFixed(4)}, want ${want}`).toBeLessThan(0.01);
    }
  });

  it('storing the stat map RAS instead of LAS changes nothing', () => {
    const a = resampleNearest(stat, aal);
    const b = resampleNearest(flipStorageX(stat), aal);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('storing the atlas LAS instead of RAS gives the same anatomy (mirrored storage only)', () => {
    const aalLas = flipStorageX(aal);
    expect(aalLas.affine[0][0]).toBeLessThan(0);
    const onLas = resampleNearest(stat, aalLas);
    for (const [name, want] of expected.slice(0, 4)) {
      const { mean } = meanByLabel(onLas, aalLas.data, names.get(name)!);
      expect(Math.abs(mean - want), name).toBeLessThan(0.01);
    }
  });

  it('a naive index copy (ignoring affines) would flip the signs: the test can fail', () => {
    // Resample the stat map as if it were stored RAS with the LAS data (a classic bug).
    const wrong: Volume3D = { ...stat, affine: flipStorageX(stat).affine };
    const onAal = resampleNearest(wrong, aal);
    const l = meanByLabel(onAal, aal.data, names.get('Postcentral_L')!).mean;
    const r = meanByLabel(onAal, aal.data, names.get('Postcentral_R')!).mean;
    expect(l).toBeGreaterThan(0);
    expect(r).toBeLessThan(0);
  });
});
