/**
 * The built-in ROI set: the CIT168 atlas as the reader sees it (counts and centroid from
 * shared/data/README.md §3), the stored label grid against the atlas voxel for voxel, and the
 * side of every ROI after resampling to LAS and RAS BOLD-like grids.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUILTIN_ROI_NAMES,
  type Grid,
  type Volume3D,
  builtinAtlasGrid,
  builtinRoiMask,
  getBuiltinRoi,
  listBuiltinRois,
  maskCentroidMm,
  maskIndices,
} from '../../../src/core/roi/index.ts';
import roisJson from '../../../src/core/roi/builtin-rois.json' with { type: 'json' };
import { FIX, loadNifti } from './load.ts';

let cit: Volume3D;
let rgba: Uint8Array;
let citLabels: string[];

beforeAll(async () => {
  const l = await loadNifti('atlases/CIT168.nii.gz');
  cit = l.vol;
  rgba = l.rgba!;
  citLabels = JSON.parse(readFileSync(resolve(FIX, 'atlases/CIT168.json'), 'utf8')).labels;
});

/** LAS grid, 2.2 mm, like a 100×100×64 discountFix run but placed over MNI space. */
const LAS: Grid = {
  dims: [80, 96, 72],
  affine: [
    [-2.2, 0, 0, 87.3],
    [0, 2.2, 0, -121.1],
    [0, 0, 2.2, -72.6],
    [0, 0, 0, 1],
  ],
};
/** The same voxel centres stored RAS (i reversed). */
const LAS_AS_RAS: Grid = {
  dims: LAS.dims,
  affine: [
    [2.2, 0, 0, 87.3 - 2.2 * 79],
    [0, 2.2, 0, -121.1],
    [0, 0, 2.2, -72.6],
    [0, 0, 0, 1],
  ],
};
/** An unrelated RAS grid (fMRIPrep res-2 style, 2 mm). */
const RAS2: Grid = {
  dims: [97, 115, 97],
  affine: [
    [2, 0, 0, -96],
    [0, 2, 0, -132],
    [0, 0, 2, -78],
    [0, 0, 0, 1],
  ],
};

describe('CIT168 atlas fixture (RGBA32 PAQD)', () => {
  it('labels 1-6 in CIT168.json are L/R putamen, caudate, accumbens', () => {
    expect(citLabels.slice(1, 7)).toEqual([
      'L Putamen',
      'R Putamen',
      'L Caudate',
      'R Caudate',
      'L Nucleus Accumbens',
      'R Nucleus Accumbens',
    ]);
  });

  it('L NAcc: 861 voxels with R==5, 476 with B>=128, centroid (−9.5, 7.6, −10.5) mm', () => {
    const n = cit.data.length;
    expect(rgba.length).toBe(4 * n);
    const any = new Uint8Array(n);
    const half = new Uint8Array(n);
    let notR = 0;
    for (let v = 0; v < n; v++) {
      if (cit.data[v] !== rgba[4 * v]) notR++; // data must be the R channel
      if (rgba[4 * v] === 5) {
        any[v] = 1;
        if (rgba[4 * v + 2] >= 128) half[v] = 1;
      }
    }
    expect(notR).toBe(0);
    expect(maskIndices(any).length).toBe(861);
    expect(maskIndices(half).length).toBe(476);
    const c = maskCentroidMm(cit, any);
    expect(c[0]).toBeCloseTo(-9.5, 1);
    expect(c[1]).toBeCloseTo(7.6, 1);
    expect(c[2]).toBeCloseTo(-10.5, 1);
  });
});

describe('built-in ROI set', () => {
  it('has the 10 documented names, each with label, hemisphere and source', () => {
    expect([...BUILTIN_ROI_NAMES].sort()).toEqual(
      ['caudate_l', 'caudate_r', 'dlpfc_l', 'dlpfc_r', 'nacc_l', 'nacc_r', 'pcc', 'putamen_l', 'putamen_r', 'vmpfc'].sort(),
    );
    for (const r of listBuiltinRois()) {
      expect(r.label.length, r.name).toBeGreaterThan(3);
      expect(['L', 'R', 'bilateral']).toContain(r.hemisphere);
      expect(r.source.length, r.name).toBeGreaterThan(10);
      if (r.kind === 'atlas') expect(r.credit).toBe('CIT168 atlas, Pauli, Nili & Tyszka 2018 Sci Data 5:180063, CC BY 4.0');
      else {
        expect(r.radius_mm).toBeGreaterThanOrEqual(8);
        expect(typeof r.verified, r.name).toBe('boolean');
        expect(r.coordinate_as_reported, r.name).toMatch(/\(-?\d+, -?\d+, -?\d+\)/);
        expect(r.converted_from_talairach, r.name).toBe(false);
      }
    }
    expect(roisJson.atlases.cit168.licence).toBe('CC BY 4.0');
    expect(roisJson.atlases.cit168.threshold.rule).toBe('R == label and B >= 128');
  });

  it('the stored label grid equals (R == label and B >= 128) of the atlas, voxel for voxel', () => {
    // builtinRoiMask on the atlas' own grid must reproduce the thresholded atlas exactly.
    for (const name of ['nacc_l', 'nacc_r', 'caudate_l', 'caudate_r', 'putamen_l', 'putamen_r']) {
      const roi = getBuiltinRoi(name);
      if (roi.kind !== 'atlas') throw new Error('atlas ROI expected');
      const mine = builtinRoiMask(name, cit);
      let diff = 0;
      let n = 0;
      for (let v = 0; v < cit.data.length; v++) {
        const want = rgba[4 * v] === roi.value && rgba[4 * v + 2] >= 128 ? 1 : 0;
        if (want !== mine[v]) diff++;
        n += want;
      }
      expect(diff, name).toBe(0);
      expect(n, name).toBe(roi.n_voxels_1mm);
    }
    expect(getBuiltinRoi('nacc_l').kind === 'atlas' && (getBuiltinRoi('nacc_l') as { n_voxels_1mm: number }).n_voxels_1mm).toBe(476);
    const g = builtinAtlasGrid();
    expect(g.labels.length).toBe(g.dims[0] * g.dims[1] * g.dims[2]);
  });

  it('right ROIs have x > 0 and left ROIs x < 0 on a LAS 2.2-mm grid and on RAS grids', () => {
    for (const grid of [LAS, LAS_AS_RAS, RAS2]) {
      for (const r of listBuiltinRois()) {
        const m = builtinRoiMask(r.name, grid);
        const n = maskIndices(m).length;
        expect(n, `${r.name} voxels`).toBeGreaterThan(10);
        const [x] = maskCentroidMm(grid, m);
        if (r.hemisphere === 'L') expect(x, r.name).toBeLessThan(-5);
        else if (r.hemisphere === 'R') expect(x, r.name).toBeGreaterThan(5);
        else expect(Math.abs(x), r.name).toBeLessThan(6);
      }
    }
  });

  it('L NAcc on the 2.2-mm LAS grid: centroid within 1.5 mm of the 1-mm one, volume kept', () => {
    const m = builtinRoiMask('nacc_l', LAS);
    const c = maskCentroidMm(LAS, m);
    const ref = (getBuiltinRoi('nacc_l') as { centroid_mm: number[] }).centroid_mm;
    for (let a = 0; a < 3; a++) expect(Math.abs(c[a] - ref[a])).toBeLessThan(1.5);
    const mm3 = maskIndices(m).length * 2.2 ** 3;
    expect(mm3 / 476).toBeGreaterThan(0.7);
    expect(mm3 / 476).toBeLessThan(1.3);
  });

  it('LAS and RAS storage of the same voxel centres give the same voxels (mirrored indices)', () => {
    const [nx, ny, nz] = LAS.dims;
    for (const name of BUILTIN_ROI_NAMES) {
      const a = builtinRoiMask(name, LAS);
      const b = builtinRoiMask(name, LAS_AS_RAS);
      let diff = 0;
      for (let k = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) if (a[i + nx * (j + ny * k)] !== b[nx - 1 - i + nx * (j + ny * k)]) diff++;
      expect(diff, name).toBe(0);
    }
  });

  it('unknown names throw ROI_UNKNOWN listing the built-ins', () => {
    expect(() => builtinRoiMask('amygdala_l', LAS)).toThrowError(/nacc_l, nacc_r/);
    try {
      getBuiltinRoi('nope');
    } catch (e) {
      expect((e as { code: string }).code).toBe('ROI_UNKNOWN');
    }
  });
});
