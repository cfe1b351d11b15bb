/**
 * NIfTI-1 (348-byte) and NIfTI-2 (540-byte) header parsing, either byte order.
 *
 * Only single-file images (`n+1` / `n+2` magic) are accepted: ddmvpa reads one byte source per
 * image. Field semantics follow nibabel (affine choice, scaling, qfac), so golden values computed
 * with nibabel compare directly.
 */
import { DdError, type DdWarning } from '../errors.ts';
import { qformAffine, shapeZoomAffine, voxelSizes, type Mat4, type Vec3 } from './affine.ts';
import { datatypeByCode, datatypeCodeName, SUPPORTED_DATATYPES, type NiftiDatatype } from './datatypes.ts';

export const NIFTI1_HEADER_SIZE = 348;
export const NIFTI2_HEADER_SIZE = 540;

export type SpatialUnit = 'unknown' | 'm' | 'mm' | 'um';
export type TimeUnit = 'unknown' | 's' | 'ms' | 'us' | 'hz' | 'ppm' | 'rads';

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  sizeofHdr: number;
  /** Magic string without trailing NULs, e.g. "n+1". */
  magic: string;
  /** Image shape, spatial then time (and further dims), length dim[0]. */
  dims: number[];
  datatypeCode: number;
  datatype: NiftiDatatype;
  bitpix: number;
  bytesPerVoxel: number;
  /** Byte offset of the image data (as stored; below the header size it is raised to it). */
  voxOffset: number;
  /** Raw scl_slope / scl_inter as stored. */
  sclSlope: number;
  sclInter: number;
  /** Effective scaling: identity when scl_slope is 0 or not finite (as nibabel). */
  scaling: { slope: number; inter: number };
  /** pixdim[0..7] as stored (pixdim[0] is qfac). */
  pixdim: number[];
  xyztUnits: number;
  spatialUnit: SpatialUnit;
  timeUnit: TimeUnit;
  qformCode: number;
  sformCode: number;
  quaternB: number;
  quaternC: number;
  quaternD: number;
  qoffsetX: number;
  qoffsetY: number;
  qoffsetZ: number;
  srowX: number[];
  srowY: number[];
  srowZ: number[];
  /** Voxel → world affine, row-major 4×4: sform if sform_code > 0, else qform, else nibabel's base. */
  affine: Mat4;
  affineSource: 'sform' | 'qform' | 'base';
  /** |pixdim[1..3]| converted to mm (nibabel zooms; unknown spatial units count as mm). */
  voxelMm: Vec3;
  /** pixdim[4] in seconds (ms and µs converted); null for 3D images or non-time units / zero. */
  trSeconds: number | null;
  intentCode: number;
  intentName: string;
  descrip: string;
  auxFile: string;
  calMin: number;
  calMax: number;
  sliceCode: number;
  sliceStart: number;
  sliceEnd: number;
  sliceDuration: number;
  toffset: number;
  dimInfo: number;
  /** dims[0] · dims[1] · dims[2] (missing dims count as 1). */
  voxelsPerVolume: number;
  /** Product of dims[3..] (1 for a 3D image). */
  nVolumes: number;
  bytesPerVolume: number;
  /** Bytes of image data the header promises: bytesPerVolume · nVolumes. */
  imageBytes: number;
}

const SPATIAL: Record<number, SpatialUnit> = { 0: 'unknown', 1: 'm', 2: 'mm', 3: 'um' };
const TIME: Record<number, TimeUnit> = { 0: 'unknown', 8: 's', 16: 'ms', 24: 'us', 32: 'hz', 40: 'ppm', 48: 'rads' };
const SPATIAL_TO_MM: Record<SpatialUnit, number> = { unknown: 1, m: 1000, mm: 1, um: 0.001 };
const TIME_TO_S: Partial<Record<TimeUnit, number>> = { unknown: 1, s: 1, ms: 1e-3, us: 1e-6 };

/**
 * Byte order and version from sizeof_hdr (348 → NIfTI-1, 540 → NIfTI-2), or null when the
 * first four bytes are neither in either byte order.
 */
export function sniffNiftiVersion(bytes: Uint8Array): { version: 1 | 2; littleEndian: boolean } | null {
  if (bytes.byteLength < 4) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 4);
  for (const le of [true, false]) {
    const n = dv.getInt32(0, le);
    if (n === NIFTI1_HEADER_SIZE) return { version: 1, littleEndian: le };
    if (n === NIFTI2_HEADER_SIZE) return { version: 2, littleEndian: le };
  }
  return null;
}

function cString(bytes: Uint8Array, start: number, len: number): string {
  const sub = bytes.subarray(start, start + len);
  let end = sub.indexOf(0);
  if (end < 0) end = sub.length;
  return new TextDecoder('utf-8').decode(sub.subarray(0, end)).trimEnd();
}

function hexStart(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Parses a NIfTI-1 or NIfTI-2 header from the first bytes of the (decompressed) file.
 * `bytes` must hold at least the header (348 or 540 bytes); extensions are skipped.
 * Throws DdError NIFTI_EMPTY, NIFTI_BAD_MAGIC, NIFTI_PAIR_UNSUPPORTED, NIFTI_TRUNCATED,
 * NIFTI_BAD_HEADER or NIFTI_UNSUPPORTED_DATATYPE. Non-fatal findings go to `warnings`.
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string, warnings?: DdWarning[]): NiftiHeader {
  if (bytes.byteLength === 0) {
    throw new DdError('NIFTI_EMPTY', `${file}: the file is empty (0 bytes). Re-copy or re-export the image.`, { file });
  }
  const sniff = sniffNiftiVersion(bytes);
  if (!sniff) {
    throw new DdError(
      'NIFTI_BAD_MAGIC',
      `${file}: not a NIfTI file (sizeof_hdr is neither 348 nor 540 in either byte order; first bytes ${hexStart(bytes)}). ` +
        'Provide a NIfTI-1 or NIfTI-2 image (.nii or .nii.gz).',
      { file },
    );
  }
  const { version, littleEndian: le } = sniff;
  const hsize = version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  if (bytes.byteLength < hsize) {
    throw new DdError(
      'NIFTI_TRUNCATED',
      `${file}: the NIfTI-${version} header needs ${hsize} bytes but the file holds only ${bytes.byteLength}. ` +
        'The file is truncated; re-copy or re-export it.',
      { file },
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, hsize);
  const i16 = (o: number) => dv.getInt16(o, le);
  const i32 = (o: number) => dv.getInt32(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const f64 = (o: number) => dv.getFloat64(o, le);
  const i64 = (o: number) => Number(dv.getBigInt64(o, le));

  // Magic
  const magic = version === 1 ? cString(bytes, 344, 4) : cString(bytes, 4, 8);
  const single = version === 1 ? 'n+1' : 'n+2';
  const pair = version === 1 ? 'ni1' : 'ni2';
  if (magic === pair) {
    throw new DdError(
      'NIFTI_PAIR_UNSUPPORTED',
      `${file}: this is the header of a .hdr/.img NIfTI pair; ddmvpa reads single-file images only. ` +
        'Convert it to .nii or .nii.gz (e.g. fslchfiletype NIFTI_GZ, or nibabel).',
      { file },
    );
  }
  if (magic !== single) {
    throw new DdError(
      'NIFTI_BAD_MAGIC',
      `${file}: sizeof_hdr is ${hsize} but the magic is ${JSON.stringify(magic)} instead of "${single}" ` +
        '(an Analyze 7.5 file or a corrupt header). Convert it to NIfTI (.nii or .nii.gz).',
      { file },
    );
  }

  // Fields that differ in layout between versions.
  const dimRaw: number[] = [];
  const pixdim: number[] = [];
  let datatypeCode: number, bitpix: number, voxOffsetRaw: number;
  let sclSlope: number, sclInter: number, calMax: number, calMin: number;
  let sliceDuration: number, toffset: number, sliceStart: number, sliceEnd: number;
  let descrip: string, auxFile: string, intentName: string;
  let qformCode: number, sformCode: number, sliceCode: number, xyztUnits: number, intentCode: number, dimInfo: number;
  let qb: number, qc: number, qd: number, qx: number, qy: number, qz: number;
  const srowX: number[] = [], srowY: number[] = [], srowZ: number[] = [];
  if (version === 1) {
    dimInfo = bytes[39]!;
    for (let k = 0; k < 8; k++) dimRaw.push(i16(40 + 2 * k));
    intentCode = i16(68);
    datatypeCode = i16(70);
    bitpix = i16(72);
    sliceStart = i16(74);
    for (let k = 0; k < 8; k++) pixdim.push(f32(76 + 4 * k));
    voxOffsetRaw = f32(108);
    sclSlope = f32(112);
    sclInter = f32(116);
    sliceEnd = i16(120);
    sliceCode = bytes[122]!;
    xyztUnits = bytes[123]!;
    calMax = f32(124);
    calMin = f32(128);
    sliceDuration = f32(132);
    toffset = f32(136);
    descrip = cString(bytes, 148, 80);
    auxFile = cString(bytes, 228, 24);
    qformCode = i16(252);
    sformCode = i16(254);
    qb = f32(256); qc = f32(260); qd = f32(264);
    qx = f32(268); qy = f32(272); qz = f32(276);
    for (let k = 0; k < 4; k++) {
      srowX.push(f32(280 + 4 * k));
      srowY.push(f32(296 + 4 * k));
      srowZ.push(f32(312 + 4 * k));
    }
    intentName = cString(bytes, 328, 16);
  } else {
    datatypeCode = i16(12);
    bitpix = i16(14);
    for (let k = 0; k < 8; k++) dimRaw.push(i64(16 + 8 * k));
    for (let k = 0; k < 8; k++) pixdim.push(f64(104 + 8 * k));
    voxOffsetRaw = i64(168);
    sclSlope = f64(176);
    sclInter = f64(184);
    calMax = f64(192);
    calMin = f64(200);
    sliceDuration = f64(208);
    toffset = f64(216);
    sliceStart = i64(224);
    sliceEnd = i64(232);
    descrip = cString(bytes, 240, 80);
    auxFile = cString(bytes, 320, 24);
    qformCode = i32(344);
    sformCode = i32(348);
    qb = f64(352); qc = f64(360); qd = f64(368);
    qx = f64(376); qy = f64(384); qz = f64(392);
    for (let k = 0; k < 4; k++) {
      srowX.push(f64(400 + 8 * k));
      srowY.push(f64(432 + 8 * k));
      srowZ.push(f64(464 + 8 * k));
    }
    sliceCode = i32(496);
    xyztUnits = i32(500);
    intentCode = i32(504);
    intentName = cString(bytes, 508, 16);
    dimInfo = bytes[524]!;
  }

  // Dimensions
  const ndim = dimRaw[0]!;
  if (!(ndim >= 1 && ndim <= 7)) {
    throw new DdError(
      'NIFTI_BAD_HEADER',
      `${file}: dim[0] = ${ndim} is not between 1 and 7, so the image shape is undefined. The header is corrupt; re-export the image.`,
      { file },
    );
  }
  const dims = dimRaw.slice(1, 1 + ndim);
  if (dims.some((d) => !(d >= 1))) {
    throw new DdError(
      'NIFTI_BAD_HEADER',
      `${file}: dimensions [${dims.join(', ')}] contain a size below 1. The header is corrupt or the image is empty; re-export it.`,
      { file },
    );
  }

  // Datatype
  const dt = datatypeByCode(datatypeCode);
  if (!dt) {
    throw new DdError(
      'NIFTI_UNSUPPORTED_DATATYPE',
      `${file}: datatype ${datatypeCode} (${datatypeCodeName(datatypeCode)}) is not supported. ` +
        `Convert the image to one of ${SUPPORTED_DATATYPES.join(', ')} (e.g. fslmaths in out -odt float).`,
      { file },
    );
  }
  if (bitpix !== dt.bitpix) {
    warnings?.push({
      code: 'NIFTI_BITPIX_MISMATCH',
      message: `${file}: bitpix is ${bitpix} but datatype ${dt.name} has ${dt.bitpix} bits; using the datatype.`,
      file,
    });
  }

  // Data offset: a single file's data cannot start inside the header (+4 extension flag bytes).
  const minOffset = hsize + 4;
  let voxOffset = Math.floor(voxOffsetRaw);
  if (!(voxOffset >= minOffset)) {
    warnings?.push({
      code: 'NIFTI_VOX_OFFSET_LOW',
      message: `${file}: vox_offset ${voxOffsetRaw} is below ${minOffset} for a single-file NIfTI-${version}; using ${minOffset}.`,
      file,
    });
    voxOffset = minOffset;
  }

  // Scaling (nibabel: slope 0 or not finite → no scaling).
  let scaling = { slope: 1, inter: 0 };
  const isColour = dt.name === 'rgb24' || dt.name === 'rgba32';
  if (!isColour && sclSlope !== 0 && Number.isFinite(sclSlope)) {
    let inter = sclInter;
    if (!Number.isFinite(inter)) {
      warnings?.push({
        code: 'NIFTI_BAD_SCL_INTER',
        message: `${file}: scl_slope is ${sclSlope} but scl_inter is ${sclInter}; using intercept 0.`,
        file,
      });
      inter = 0;
    }
    scaling = { slope: sclSlope, inter };
  }

  // Units
  const spatialUnit = SPATIAL[xyztUnits & 0x07] ?? 'unknown';
  const timeUnit = TIME[xyztUnits & 0x38] ?? 'unknown';
  const toMm = SPATIAL_TO_MM[spatialUnit];
  const voxelMm: Vec3 = [
    Math.abs(pixdim[1] ?? 1) * toMm,
    Math.abs(ndim >= 2 ? pixdim[2]! : 1) * toMm,
    Math.abs(ndim >= 3 ? pixdim[3]! : 1) * toMm,
  ];
  let trSeconds: number | null = null;
  if (ndim >= 4) {
    const f = TIME_TO_S[timeUnit];
    const tr = pixdim[4]!;
    if (f !== undefined && Number.isFinite(tr) && tr > 0) trSeconds = tr * f;
  }

  // Affine (nibabel get_best_affine): sform, then qform, then the centred base affine.
  const zooms = [1, 2, 3].map((k) => (k <= ndim ? pixdim[k]! : 1));
  let affine: Mat4;
  let affineSource: NiftiHeader['affineSource'];
  if (sformCode > 0) {
    affine = [srowX.slice(), srowY.slice(), srowZ.slice(), [0, 0, 0, 1]];
    affineSource = 'sform';
  } else if (qformCode > 0) {
    if (pixdim[0] !== 1 && pixdim[0] !== -1) {
      warnings?.push({
        code: 'NIFTI_BAD_QFAC',
        message: `${file}: qfac (pixdim[0]) is ${pixdim[0]}, not ±1; treating it as 1.`,
        file,
      });
    }
    affine = qformAffine(qb, qc, qd, [qx, qy, qz], pixdim);
    affineSource = 'qform';
  } else {
    affine = shapeZoomAffine(dims, zooms);
    affineSource = 'base';
  }
  if (affine.some((row) => row.some((x) => !Number.isFinite(x)))) {
    throw new DdError(
      'NIFTI_BAD_HEADER',
      `${file}: the ${affineSource} affine contains non-finite numbers. Fix the header (e.g. fslorient or nibabel set_sform).`,
      { file },
    );
  }

  const voxelsPerVolume = (dims[0] ?? 1) * (dims[1] ?? 1) * (dims[2] ?? 1);
  let nVolumes = 1;
  for (let k = 3; k < dims.length; k++) nVolumes *= dims[k]!;
  const bytesPerVolume = voxelsPerVolume * dt.bytes;

  return {
    version,
    littleEndian: le,
    sizeofHdr: hsize,
    magic,
    dims,
    datatypeCode,
    datatype: dt.name,
    bitpix,
    bytesPerVoxel: dt.bytes,
    voxOffset,
    sclSlope,
    sclInter,
    scaling,
    pixdim,
    xyztUnits,
    spatialUnit,
    timeUnit,
    qformCode,
    sformCode,
    quaternB: qb,
    quaternC: qc,
    quaternD: qd,
    qoffsetX: qx,
    qoffsetY: qy,
    qoffsetZ: qz,
    srowX,
    srowY,
    srowZ,
    affine,
    affineSource,
    voxelMm,
    trSeconds,
    intentCode,
    intentName,
    descrip,
    auxFile,
    calMin,
    calMax,
    sliceCode,
    sliceStart,
    sliceEnd,
    sliceDuration,
    toffset,
    dimInfo,
    voxelsPerVolume,
    nVolumes,
    bytesPerVolume,
    imageBytes: bytesPerVolume * nVolumes,
  };
}

/** A warning about the TR's units, with the TR (seconds) that the header probably means. */
export interface TrUnitWarning extends DdWarning {
  code: 'NIFTI_TR_UNITS';
  suggestedTrSeconds: number;
}

/**
 * Flags a TR whose units are probably wrong, without changing the header: e.g. nibabel's
 * example4d stores pixdim[4] = 2000 with xyzt_units "s" — a 2000 ms TR labelled as seconds.
 * A 4D TR above 100 s is read as milliseconds; one below 0.01 s (after units) as a value in
 * seconds mislabelled as ms or µs. Returns undefined when the TR looks plausible or is absent.
 */
export function detectTrUnitProblem(h: NiftiHeader, file: string): TrUnitWarning | undefined {
  if (h.dims.length < 4 || h.trSeconds === null) return undefined;
  const raw = h.pixdim[4]!;
  const unit = h.timeUnit === 'unknown' ? 'unknown (taken as s)' : h.timeUnit;
  if (h.trSeconds > 100) {
    const guess = h.trSeconds / 1000;
    return {
      code: 'NIFTI_TR_UNITS',
      message:
        `${file}: pixdim[4] = ${raw} with time units ${unit} gives a TR of ${h.trSeconds} s, which is implausible; ` +
        `it is probably ${raw} ms = ${guess} s. Check the header (or the BIDS RepetitionTime) and set the TR explicitly.`,
      file,
      suggestedTrSeconds: guess,
    };
  }
  if (h.trSeconds < 0.01) {
    return {
      code: 'NIFTI_TR_UNITS',
      message:
        `${file}: pixdim[4] = ${raw} with time units ${unit} gives a TR of ${h.trSeconds} s, which is implausible; ` +
        `it is probably ${raw} s. Check the header (or the BIDS RepetitionTime) and set the TR explicitly.`,
      file,
      suggestedTrSeconds: raw,
    };
  }
  return undefined;
}

/** Header-level warnings worth showing (TR units, missing TR of a 4D image). */
export function headerWarnings(h: NiftiHeader, file: string): DdWarning[] {
  const out: DdWarning[] = [];
  const tr = detectTrUnitProblem(h, file);
  if (tr) out.push(tr);
  if (h.dims.length >= 4 && h.nVolumes > 1 && h.trSeconds === null) {
    out.push({
      code: 'NIFTI_TR_MISSING',
      message: `${file}: a 4D image without a usable TR (pixdim[4] = ${h.pixdim[4]}, time units ${h.timeUnit}). Set the TR explicitly.`,
      file,
    });
  }
  return out;
}

/** Voxel sizes implied by the affine (column norms); may differ from pixdim for sform-only files. */
export function affineVoxelSizes(h: NiftiHeader): Vec3 {
  return voxelSizes(h.affine);
}
