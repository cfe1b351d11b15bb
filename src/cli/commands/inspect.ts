/**
 * `ddmvpa inspect FILE [--json] [--verify]` — a NIfTI header, read without loading the image
 * (docs/CLI.md). `--verify` streams every volume and fails with a coded DdError (exit 2) when the
 * data are truncated or corrupt.
 */
import { DdError } from '../../core/errors.ts';
import { fileSource } from '../../platform/node/file-source.ts';
import { nodeInflate } from '../../platform/node/inflate.ts';
import { openNifti, streamVolumeBytes, decodeVolume, orientationString, type NiftiHeader } from '../../core/nifti/index.ts';
import { has, type Args } from '../args.ts';

export interface InspectJson {
  file: string;
  nifti_version: 1 | 2;
  dims: number[];
  datatype: string;
  voxel_mm: number[];
  tr_s: number | null;
  affine: number[][];
  orientation: string;
  /** Effective scaling applied to the data (1 and 0 when scl_slope is 0 or not finite, as nibabel). */
  scl_slope: number;
  scl_inter: number;
  /** scl_slope / scl_inter exactly as stored (null for NaN). */
  scl_slope_raw: number | null;
  scl_inter_raw: number | null;
  byte_order: 'little' | 'big';
  gzip: boolean;
  vox_offset: number;
  qform_code: number;
  sform_code: number;
  affine_source: 'sform' | 'qform' | 'base';
  description: string;
  intent_code: number;
  warnings: Array<{ code: string; message: string }>;
  verified?: { volumes: number; seconds: number; min: number | null; max: number | null; non_finite: number };
}

/** JSON numbers cannot be NaN/Infinity: raw scl fields that are NaN print as null. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function headerJson(file: string, h: NiftiHeader, gzip: boolean): Omit<InspectJson, 'warnings'> {
  return {
    file,
    nifti_version: h.version,
    dims: h.dims,
    datatype: h.datatype,
    voxel_mm: [...h.voxelMm],
    tr_s: h.trSeconds,
    affine: h.affine.map((r) => [...r]),
    orientation: orientationString(h.affine),
    scl_slope: h.scaling.slope,
    scl_inter: h.scaling.inter,
    scl_slope_raw: finiteOrNull(h.sclSlope),
    scl_inter_raw: finiteOrNull(h.sclInter),
    byte_order: h.littleEndian ? 'little' : 'big',
    gzip,
    vox_offset: h.voxOffset,
    qform_code: h.qformCode,
    sform_code: h.sformCode,
    affine_source: h.affineSource,
    description: h.descrip,
    intent_code: h.intentCode,
  };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ''));

export async function inspect(args: Args): Promise<{ json: InspectJson; text: string }> {
  const path = args.positional[0];
  if (!path) throw new DdError('ARGS_MISSING', 'inspect needs a FILE: ddmvpa inspect FILE [--json] [--verify].');
  const src = await fileSource(path);
  const { header: h, gzip, warnings } = await openNifti(src, { inflate: nodeInflate });
  const json: InspectJson = {
    ...headerJson(path, h, gzip),
    warnings: warnings.map((w) => ({ code: w.code, message: w.message })),
  };

  if (has(args, 'verify')) {
    const t0 = performance.now();
    const vol = new Float32Array(h.voxelsPerVolume);
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    let nonFinite = 0;
    for await (const { bytes } of streamVolumeBytes(src, h, gzip, { inflate: nodeInflate })) {
      decodeVolume(bytes, h, vol);
      for (let i = 0; i < vol.length; i++) {
        const x = vol[i]!;
        if (x < min) min = x;
        if (x > max) max = x;
        if (x - x !== 0) nonFinite++; // NaN or ±Infinity
      }
      count++;
    }
    json.verified = {
      volumes: count,
      seconds: (performance.now() - t0) / 1000,
      min: Number.isFinite(min) ? min : null,
      max: Number.isFinite(max) ? max : null,
      non_finite: nonFinite,
    };
  }

  const lines = [
    `${path}`,
    `  NIfTI-${h.version}, ${h.littleEndian ? 'little' : 'big'}-endian${gzip ? ', gzip' : ''}`,
    `  dims        ${h.dims.join(' × ')}  (${h.datatype})`,
    `  voxel (mm)  ${h.voxelMm.map(fmt).join(' × ')}`,
    `  TR          ${h.trSeconds === null ? '—' : `${fmt(h.trSeconds)} s`}`,
    `  orientation ${json.orientation}  (${h.affineSource}; qform ${h.qformCode}, sform ${h.sformCode})`,
    `  scaling     slope ${fmt(h.scaling.slope)}, inter ${fmt(h.scaling.inter)}` +
      (h.scaling.slope !== h.sclSlope || h.scaling.inter !== h.sclInter ? `  (stored ${fmt(h.sclSlope)}, ${fmt(h.sclInter)})` : ''),
    `  affine      ${h.affine.slice(0, 3).map((r) => '[' + r.map(fmt).join(', ') + ']').join('\n              ')}`,
  ];
  if (h.descrip) lines.push(`  descrip     ${h.descrip}`);
  if (json.verified) {
    const v = json.verified;
    lines.push(
      `  verified    ${v.volumes} volume(s) in ${v.seconds.toFixed(2)} s; values ${v.min ?? '—'} … ${v.max ?? '—'}` +
        (v.non_finite ? `, ${v.non_finite} non-finite` : ''),
    );
  }
  for (const w of warnings) lines.push(`  warning ${w.code}: ${w.message}`);
  return { json, text: lines.join('\n') };
}
