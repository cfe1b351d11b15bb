/** ROI SPEC parsing (CLI.md `extract --roi`) and resolution on a BOLD grid, errors included. */
import { describe, expect, it } from 'vitest';
import {
  type Grid,
  type Volume3D,
  maskCentroidMm,
  parseRoiSpec,
  parseRoiSpecs,
  resolveRoi,
  resolveRois,
} from '../../../src/core/roi/index.ts';
import { loadFixtureImage } from './load.ts';

/** A LAS 2.2-mm grid over MNI space (BOLD-like). */
const BOLD: Grid = {
  dims: [80, 96, 72],
  affine: [
    [-2.2, 0, 0, 87.3],
    [0, 2.2, 0, -121.1],
    [0, 0, 2.2, -72.6],
    [0, 0, 0, 1],
  ],
};

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
}
async function codeAsync(f: () => Promise<unknown>): Promise<{ code: string; message: string; file?: string }> {
  try {
    await f();
  } catch (e) {
    const err = e as { code: string; message: string; file?: string };
    return { code: err.code, message: err.message, file: err.file };
  }
  return { code: 'no error', message: '' };
}

const noLoad = async (p: string): Promise<Volume3D> => {
  throw new Error(`loadImage must not be called (${p})`);
};

describe('parseRoiSpec', () => {
  it('parses the four forms', () => {
    expect(parseRoiSpec('nacc_l')).toEqual({ kind: 'builtin', name: 'nacc_l', spec: 'nacc_l' });
    expect(parseRoiSpec('ofc=masks/ofc.nii.gz')).toEqual({ kind: 'mask', name: 'ofc', path: 'masks/ofc.nii.gz', spec: 'ofc=masks/ofc.nii.gz' });
    expect(parseRoiSpec('striatum=aal.nii:71+72+73')).toMatchObject({ kind: 'atlas', name: 'striatum', path: 'aal.nii', labels: [71, 72, 73] });
    expect(parseRoiSpec('vm=sphere:2,46,-8,10')).toMatchObject({ kind: 'sphere', name: 'vm', centreMm: [2, 46, -8], radiusMm: 10 });
    expect(parseRoiSpec('s=sphere:-39.5, 37 ,22,8.5')).toMatchObject({ centreMm: [-39.5, 37, 22], radiusMm: 8.5 });
    expect(parseRoiSpec('x=C:/data/atlas.nii.gz:3')).toMatchObject({ kind: 'atlas', path: 'C:/data/atlas.nii.gz', labels: [3] });
  });

  it('unknown built-in → ROI_UNKNOWN listing the built-ins', () => {
    expect(code(() => parseRoiSpec('amygdala'))).toBe('ROI_UNKNOWN');
    expect(() => parseRoiSpec('amygdala')).toThrowError(/nacc_l.*caudate_l.*vmpfc.*dlpfc_l/s);
  });

  it('bad syntax → ROI_BAD_SPEC with an example', () => {
    const bad = [
      '',
      'mask.nii.gz', // no name
      '=mask.nii.gz',
      '1roi=mask.nii.gz', // name must start with a letter
      'a/b=mask.nii.gz', // name becomes a file name
      'x=',
      'x=sphere:1,2,3', // 3 numbers
      'x=sphere:1,2,3,0', // radius 0
      'x=sphere:1,2,a,5',
      'x=sphere:1,2,3,-4',
      'x=atlas.nii.gz:', // no label
      'x=atlas.nii.gz:Caudate_L', // names are not labels
      'x=atlas.nii.gz:1++2',
      'x=atlas.img:3', // not NIfTI
      'x=mask.txt',
    ];
    for (const s of bad) {
      expect(code(() => parseRoiSpec(s)), s).toBe('ROI_BAD_SPEC');
    }
    expect(() => parseRoiSpec('x=sphere:1,2,3')).toThrowError(/e\.g\. .*sphere:2,46,-8,10/);
  });

  it('duplicate names → ROI_DUPLICATE_NAME', () => {
    expect(code(() => parseRoiSpecs(['vmpfc', 'vmpfc=sphere:0,40,-8,8']))).toBe('ROI_DUPLICATE_NAME');
  });
});

describe('resolveRoi', () => {
  it('built-in and sphere: masks on the BOLD grid, indices ascending, no file read', async () => {
    const [nacc, sph] = await resolveRois(['nacc_r', 'vm=sphere:2,46,-8,10'], BOLD, noLoad);
    expect(nacc.name).toBe('nacc_r');
    expect(nacc.nVoxels).toBe(nacc.indices.length);
    expect(nacc.nVoxels).toBeGreaterThan(20);
    expect(maskCentroidMm(BOLD, nacc.mask)[0]).toBeGreaterThan(5);
    expect(nacc.source).toMatch(/CIT168 atlas, Pauli, Nili & Tyszka 2018/);
    for (let t = 1; t < sph.indices.length; t++) expect(sph.indices[t]).toBeGreaterThan(sph.indices[t - 1]);
    // 10-mm ball ≈ 4189 mm³ ≈ 393 voxels of 2.2 mm
    expect(sph.nVoxels).toBeGreaterThan(330);
    expect(sph.nVoxels).toBeLessThan(460);
  });

  it('atlas labels from a RAS file on a LAS grid: AAL caudate (71+72) straddles the midline, 71 alone is left', async () => {
    const both = await resolveRoi(parseRoiSpec('caud=atlases/aal.nii.gz:71+72'), BOLD, loadFixtureImage);
    const left = await resolveRoi(parseRoiSpec('caud_l=atlases/aal.nii.gz:71'), BOLD, loadFixtureImage);
    const cl = maskCentroidMm(BOLD, left.mask);
    // AAL Caudate_L centroid (−12.5, 11.0, 9.2) mm (shared/data/README.md §3)
    expect(cl[0]).toBeCloseTo(-12.5, 0);
    expect(cl[1]).toBeCloseTo(11.0, 0);
    expect(cl[2]).toBeCloseTo(9.2, 0);
    expect(both.nVoxels).toBeGreaterThan(1.8 * left.nVoxels);
    expect(left.source).toMatch(/aal\.nii\.gz label 71/);
  });

  it('an RGBA atlas is read through R (most likely label): CIT168 label 5 is the left accumbens', async () => {
    const r = await resolveRoi(parseRoiSpec('acc=atlases/CIT168.nii.gz:5'), BOLD, loadFixtureImage);
    expect(maskCentroidMm(BOLD, r.mask)[0]).toBeLessThan(-5);
    // R == 5 (861 mm³ at 1 mm) ≈ 81 voxels of 2.2 mm
    expect(r.nVoxels).toBeGreaterThan(60);
    expect(r.nVoxels).toBeLessThan(105);
  });

  it('a mask file: non-zero voxels resampled (Haxby 25-mm brain mask onto its own grid)', async () => {
    const brain = await loadFixtureImage('haxby/haxby2001/sub001/masks/25mm/brain.nii.gz');
    const r = await resolveRoi(parseRoiSpec('brain=haxby/haxby2001/sub001/masks/25mm/brain.nii.gz'), brain, loadFixtureImage);
    expect(r.nVoxels).toBe(129);
  });

  it('ROI_EMPTY: a mask that does not overlap the BOLD grid names the file and suggests space/affine', async () => {
    const far = async (): Promise<Volume3D> => ({
      dims: [4, 4, 4],
      affine: [[2, 0, 0, 5000], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]],
      data: new Float32Array(64).fill(1),
    });
    const e = await codeAsync(() => resolveRoi(parseRoiSpec('far=elsewhere.nii.gz'), BOLD, far));
    expect(e.code).toBe('ROI_EMPTY');
    expect(e.file).toBe('elsewhere.nii.gz');
    expect(e.message).toMatch(/elsewhere\.nii\.gz/);
    expect(e.message).toMatch(/space/);
    expect(e.message).toMatch(/affine/);
  });

  it('ROI_EMPTY: an all-zero mask file', async () => {
    const zero = async (): Promise<Volume3D> => ({ dims: BOLD.dims, affine: BOLD.affine, data: new Float32Array(80 * 96 * 72) });
    const e = await codeAsync(() => resolveRoi(parseRoiSpec('z=zero.nii'), BOLD, zero));
    expect(e.code).toBe('ROI_EMPTY');
    expect(e.message).toMatch(/zero\.nii/);
  });

  it('ROI_EMPTY: a sphere outside the grid; a built-in on a grid that misses the striatum', async () => {
    expect((await codeAsync(() => resolveRoi(parseRoiSpec('s=sphere:500,0,0,5'), BOLD, noLoad))).code).toBe('ROI_EMPTY');
    const occipital: Grid = { dims: [10, 10, 10], affine: [[2, 0, 0, -10], [0, 2, 0, -100], [0, 0, 2, 0], [0, 0, 0, 1]] };
    expect((await codeAsync(() => resolveRoi(parseRoiSpec('nacc_l'), occipital, noLoad))).code).toBe('ROI_EMPTY');
  });

  it('ROI_LABEL_MISSING: a label the atlas does not contain, with the labels present', async () => {
    const e = await codeAsync(() => resolveRoi(parseRoiSpec('x=atlases/aal.nii.gz:71+200'), BOLD, loadFixtureImage));
    expect(e.code).toBe('ROI_LABEL_MISSING');
    expect(e.message).toMatch(/200/);
    expect(e.message).toMatch(/labels present: 1, 2, 3/);
    expect(e.file).toBe('atlases/aal.nii.gz');
  });

  it('ROI_BAD_MASK: a 4D image given as a mask', async () => {
    const fourD = async (): Promise<Volume3D> => ({ dims: [2, 2, 2], affine: BOLD.affine, data: new Float32Array(16).fill(1) });
    expect((await codeAsync(() => resolveRoi(parseRoiSpec('m=run.nii.gz'), BOLD, fourD))).code).toBe('ROI_BAD_MASK');
  });
});
