/**
 * computeEpiMask against tests/fixtures/golden/roi_epi_mask.json, made by
 * scripts/golden/roi_epi_mask.py (a numpy/scipy re-implementation of nilearn's compute_epi_mask).
 * Masks must agree voxel for voxel.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeEpiMask, epiThreshold, gaussianFilter1d, maskIndices, meanOfVolumes } from '../../../src/core/roi/index.ts';
import { FIX, loadNifti } from './load.ts';

interface Case {
  name: string;
  dims?: [number, number, number];
  data?: (number | null)[];
  same_data_as?: string;
  options?: { opening?: number };
  threshold: number;
  smoothed_mean?: number[];
  n_voxels: number;
  indices: number[];
  n_volumes?: number;
  brain_mask?: { n_voxels: number; intersection: number; dice: number };
}

const golden = JSON.parse(readFileSync(resolve(FIX, 'golden/roi_epi_mask.json'), 'utf8')) as { cases: Case[] };
const byName = new Map(golden.cases.map((c) => [c.name, c]));

let haxMean: Float64Array;
let haxDims: [number, number, number];
let brain: Uint8Array;

beforeAll(async () => {
  const bold = await loadNifti('haxby/haxby2001/sub001/BOLD/task001_run001/bold_25mm.nii.gz');
  haxDims = bold.vol.dims;
  const nv = haxDims[0] * haxDims[1] * haxDims[2];
  const n = byName.get('haxby25')!.n_volumes!;
  expect(bold.nVolumes).toBe(121);
  const vols = Array.from({ length: n }, (_, t) => bold.all.subarray(t * nv, (t + 1) * nv));
  haxMean = meanOfVolumes(vols);
  const b = await loadNifti('haxby/haxby2001/sub001/masks/25mm/brain.nii.gz');
  brain = Uint8Array.from(b.vol.data, (v) => (v !== 0 ? 1 : 0));
});

function overlap(mask: Uint8Array): { intersection: number; dice: number } {
  let inter = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < mask.length; i++) {
    a += mask[i];
    b += brain[i];
    if (mask[i] && brain[i]) inter++;
  }
  return { intersection: inter, dice: (2 * inter) / (a + b) };
}

describe('computeEpiMask (nilearn compute_epi_mask) vs the golden', () => {
  for (const name of ['haxby25', 'haxby25_opening1', 'haxby25_opening0']) {
    it(`${name}: Haxby 2001 sub001 run 1, 25 mm, mean of the first 20 volumes`, () => {
      const c = byName.get(name)!;
      const opening = c.options?.opening ?? 2;
      const mask = computeEpiMask({ dims: haxDims, data: haxMean }, { opening });
      expect(Array.from(maskIndices(mask))).toEqual(c.indices);
      const ov = overlap(mask);
      expect(ov.intersection).toBe(c.brain_mask!.intersection);
      expect(ov.dice).toBeCloseTo(c.brain_mask!.dice, 12);
    });
  }

  it('haxby25: FWHM-1-voxel smoothing equals scipy gaussian_filter1d (reflect) along x, y, z', () => {
    const want = byName.get('haxby25')!.smoothed_mean!;
    const arr = Float64Array.from(haxMean);
    const sigma = 1 / Math.sqrt(8 * Math.log(2));
    for (const ax of [0, 1, 2] as const) gaussianFilter1d(arr, haxDims, ax, sigma);
    expect(want.length).toBe(arr.length);
    let worst = 0;
    for (let i = 0; i < arr.length; i++) worst = Math.max(worst, Math.abs(arr[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    expect(worst).toBeLessThan(1e-12);
  });

  it('haxby25: thresholds are the golden ones (gap rule on the smoothed mean; raw mean for opening 0)', () => {
    const arr = Float64Array.from(haxMean);
    const sigma = 1 / Math.sqrt(8 * Math.log(2));
    for (const ax of [0, 1, 2] as const) gaussianFilter1d(arr, haxDims, ax, sigma);
    expect(epiThreshold(arr)).toBeCloseTo(byName.get('haxby25')!.threshold, 9);
    expect(epiThreshold(haxMean)).toBeCloseTo(byName.get('haxby25_opening0')!.threshold, 9);
  });

  for (const name of ['synthetic', 'synthetic_opening0']) {
    it(`${name}: seeded two-blob volume with NaNs (largest component, boundaries)`, () => {
      const c = byName.get(name)!;
      const src = byName.get(c.same_data_as ?? name)!;
      const data = Float64Array.from(src.data!, (v) => (v === null ? NaN : v));
      const mask = computeEpiMask({ dims: src.dims!, data }, { opening: c.options?.opening ?? 2 });
      expect(maskIndices(mask).length).toBe(c.n_voxels);
      expect(Array.from(maskIndices(mask))).toEqual(c.indices);
    });
  }

  it('a constant volume (no intensity gap) is refused with EPI_MASK_FAILED, not masked as a box', () => {
    const data = new Float64Array(8 * 8 * 8).fill(5);
    let code = '';
    try {
      computeEpiMask({ dims: [8, 8, 8], data });
    } catch (e) {
      code = (e as { code: string }).code;
    }
    expect(code).toBe('EPI_MASK_FAILED');
  });

  it('a mask eroded away (3 slices, opening 2) gives EPI_MASK_EMPTY, as nilearn warns "empty mask"', () => {
    const dims: [number, number, number] = [12, 12, 3];
    const data = new Float64Array(12 * 12 * 3);
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 12; j++)
        for (let i = 0; i < 12; i++) data[i + 12 * (j + 12 * k)] = (i - 6) ** 2 + (j - 6) ** 2 < 16 ? 1000 + i : 10 + ((i * 7 + j * 3 + k) % 5);
    expect(() => computeEpiMask({ dims, data }, { name: 'run-1_bold.nii.gz' })).toThrowError(
      expect.objectContaining({ code: 'EPI_MASK_EMPTY', file: 'run-1_bold.nii.gz' }),
    );
    // without opening the same volume is fine
    expect(maskIndices(computeEpiMask({ dims, data }, { opening: 0 })).length).toBeGreaterThan(100);
  });
});
