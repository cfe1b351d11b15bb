import { describe, expect, it } from 'vitest';
import { openNifti, axcodes, orientationString, parseNiftiHeader, detectTrUnitProblem } from '../../../src/core/nifti/index.ts';
import { close, fixtureSource, golden } from './helpers.ts';

const files = Object.values(golden.files);

describe('NIfTI headers match nibabel (golden)', () => {
  it('covers every fixture', () => {
    expect(files.length).toBeGreaterThanOrEqual(23);
  });

  for (const g of files) {
    it(g.file, async () => {
      const src = await fixtureSource(g.file);
      const { header: h, gzip, warnings } = await openNifti(src);
      expect(gzip).toBe(g.gzip);
      expect(h.version).toBe(g.nifti_version);
      expect(h.sizeofHdr).toBe(g.sizeof_hdr);
      expect(h.littleEndian).toBe(g.byte_order === 'little');
      expect(h.dims).toEqual(g.dims);
      expect(h.datatypeCode).toBe(g.datatype_code);
      expect(h.datatype).toBe(g.datatype);
      expect(h.bitpix).toBe(g.bitpix);
      expect(h.voxOffset).toBe(g.vox_offset);
      expect(h.xyztUnits).toBe(g.xyzt_units);
      expect(h.qformCode).toBe(g.qform_code);
      expect(h.sformCode).toBe(g.sform_code);
      expect(h.intentCode).toBe(g.intent_code);
      expect(h.descrip).toBe(g.descrip);
      expect(h.calMin).toBeCloseTo(g.cal_min, 4);
      expect(h.calMax).toBeCloseTo(g.cal_max, 4);
      h.pixdim.forEach((p, k) => expect(close(p, g.pixdim[k]!, 1e-7, 0)).toBe(true));
      // raw and effective scaling
      expect(Number.isFinite(h.sclSlope) ? h.sclSlope : null).toBe(g.scl_slope_raw);
      expect(Number.isFinite(h.sclInter) ? h.sclInter : null).toBe(g.scl_inter_raw);
      expect(close(h.scaling.slope, g.scl_slope, 1e-7, 0)).toBe(true);
      expect(close(h.scaling.inter, g.scl_inter, 1e-7, 0)).toBe(true);
      // zooms: spatial (all fixtures are in mm) and TR (all 4D fixtures are in seconds)
      for (let k = 0; k < 3; k++) expect(close(h.voxelMm[k]!, Math.abs(g.zooms[k] ?? 1))).toBe(true);
      if (g.dims.length >= 4) expect(h.trSeconds).toBeCloseTo(g.zooms[3]!, 5);
      else expect(h.trSeconds).toBeNull();
      // affine = img.affine (float32-stored sform/qform; qform rebuilt in double here)
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) expect(close(h.affine[i]![j]!, g.affine[i]![j]!, 1e-6, 1e-5)).toBe(true);
      expect(axcodes(h.affine)).toEqual(g.axcodes);
      expect(orientationString(h.affine)).toBe(g.axcodes.join(''));
      expect(h.voxelsPerVolume).toBe(g.dims.slice(0, 3).reduce((a, b) => a * b, 1));
      expect(h.voxelsPerVolume * h.nVolumes).toBe(g.values.n);
      // the TR-units warning fires exactly for the 2000-"s" files
      const trWarn = warnings.find((w) => w.code === 'NIFTI_TR_UNITS');
      expect(Boolean(trWarn)).toBe(g.dims.length >= 4 && g.zooms[3]! > 100);
    });
  }
});

describe('TR unit sanity check', () => {
  it('suggests 2000 ms for example4d (pixdim[4]=2000, units s) without changing the header', async () => {
    const { header } = await openNifti(await fixtureSource('nifti/example4d.nii.gz'));
    expect(header.trSeconds).toBe(2000);
    expect(header.timeUnit).toBe('s');
    const w = detectTrUnitProblem(header, 'example4d.nii.gz');
    expect(w?.code).toBe('NIFTI_TR_UNITS');
    expect(w?.suggestedTrSeconds).toBe(2);
    expect(w?.message).toContain('example4d.nii.gz');
    expect(w?.message).toContain('2000 ms');
  });

  it('is quiet for a plausible TR (Haxby, 2.5 s)', async () => {
    const { header, warnings } = await openNifti(await fixtureSource('haxby/bold.nii.gz'));
    expect(header.trSeconds).toBe(2.5);
    expect(detectTrUnitProblem(header, 'bold.nii.gz')).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('applies ms and µs time units', async () => {
    const { header } = await openNifti(await fixtureSource('nifti/functional.nii'));
    const bytes = new Uint8Array(await (await fixtureSource('nifti/functional.nii')).slice(0, 352));
    const dv = new DataView(bytes.buffer);
    dv.setFloat32(76 + 16, 2000, true);
    bytes[123] = 2 | 16; // mm + ms
    const ms = parseNiftiHeader(bytes, 'f.nii');
    expect(ms.timeUnit).toBe('ms');
    expect(ms.trSeconds).toBeCloseTo(2, 10);
    dv.setFloat32(76 + 16, 2.5e6, true);
    bytes[123] = 2 | 24; // mm + µs
    expect(parseNiftiHeader(bytes, 'f.nii').trSeconds).toBeCloseTo(2.5, 10);
    bytes[123] = 2 | 32; // Hz: not a time, no TR
    expect(parseNiftiHeader(bytes, 'f.nii').trSeconds).toBeNull();
    expect(header.trSeconds).toBe(2);
  });
});
