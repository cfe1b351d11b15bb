/**
 * Writing NIfTI-1 single files (little-endian, vox_offset 352, no extensions): whole images
 * (`encodeNifti1`) or, for big 4D files, the header alone (`encodeNifti1Header`) followed by
 * volumes from `encodeVolumeData`, e.g. piped through `CompressionStream('gzip')`:
 *
 * ```ts
 * const cs = new CompressionStream('gzip');
 * const w = cs.writable.getWriter();
 * await w.write(encodeNifti1Header({ dims: [100, 100, 64, 1000], affine, datatype: 'int16', trSeconds: 2 }));
 * for (let t = 0; t < 1000; t++) await w.write(encodeVolumeData(volume(t), 'int16'));
 * await w.close();   // meanwhile cs.readable is piped to the file
 * ```
 */
import { DdError } from '../errors.ts';
import { affineToQuatern, type Mat4 } from './affine.ts';
import { datatypeByName, type NiftiDatatype } from './datatypes.ts';
import { concat } from './read.ts';

export interface NiftiHeaderSpec {
  /** Shape, spatial then time (1 to 7 entries, each 1…32767). */
  dims: number[];
  /** Voxel → world (mm) affine, row-major 4×4. Written as sform and (shears removed) qform. */
  affine: Mat4;
  datatype: NiftiDatatype;
  description?: string;
  intentCode?: number;
  intentName?: string;
  /** TR in seconds, written to pixdim[4] with xyzt_units = mm + s. */
  trSeconds?: number;
  sclSlope?: number;
  sclInter?: number;
  calMin?: number;
  calMax?: number;
  /** Codes for the qform and sform (default 2, "aligned anatomical"). */
  qformCode?: number;
  sformCode?: number;
}

export interface NiftiImageSpec extends NiftiHeaderSpec {
  /** Voxel values, x fastest, volume after volume; rgb24/rgba32 take packed bytes (Uint8Array). */
  data: ArrayLike<number>;
}

export const NIFTI1_VOX_OFFSET = 352;

function invalid(msg: string): DdError {
  return new DdError('NIFTI_WRITE_INVALID', `cannot write NIfTI: ${msg}`);
}

function voxelCount(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * The 352 bytes (348-byte NIfTI-1 header + 4 zero extension bytes) that precede the data of a
 * little-endian single-file NIfTI-1 image. sform and qform (code 2 by default) are both set
 * from `affine`; pixdim[1..3] are the affine's column norms.
 */
export function encodeNifti1Header(spec: NiftiHeaderSpec): Uint8Array {
  const { dims, affine } = spec;
  if (!Array.isArray(dims) || dims.length < 1 || dims.length > 7) throw invalid(`dims must have 1 to 7 entries, got ${JSON.stringify(dims)}.`);
  if (dims.some((d) => !Number.isInteger(d) || d < 1 || d > 32767)) throw invalid(`every dim must be an integer 1…32767 for NIfTI-1, got ${dims.join('×')}.`);
  if (affine.length !== 4 || affine.some((r) => r.length !== 4 || r.some((x) => !Number.isFinite(x)))) {
    throw invalid('affine must be a finite 4×4 row-major matrix.');
  }
  const dt = datatypeByName(spec.datatype);
  const out = new Uint8Array(NIFTI1_VOX_OFFSET);
  const dv = new DataView(out.buffer);
  const le = true;
  dv.setInt32(0, 348, le);
  out[38] = 'r'.charCodeAt(0); // regular
  dv.setInt16(40, dims.length, le);
  for (let k = 0; k < 7; k++) dv.setInt16(42 + 2 * k, dims[k] ?? 1, le);
  dv.setInt16(68, spec.intentCode ?? 0, le);
  dv.setInt16(70, dt.code, le);
  dv.setInt16(72, dt.bitpix, le);
  const q = affineToQuatern(affine);
  const pixdim = [q.qfac, q.pixdim[0], q.pixdim[1], q.pixdim[2], spec.trSeconds ?? 1, 1, 1, 1];
  for (let k = 0; k < 8; k++) dv.setFloat32(76 + 4 * k, pixdim[k]!, le);
  dv.setFloat32(108, NIFTI1_VOX_OFFSET, le);
  dv.setFloat32(112, spec.sclSlope ?? 1, le);
  dv.setFloat32(116, spec.sclInter ?? 0, le);
  out[123] = dims.length >= 4 || spec.trSeconds !== undefined ? 2 | 8 : 2; // mm (+ s)
  dv.setFloat32(124, spec.calMax ?? 0, le);
  dv.setFloat32(128, spec.calMin ?? 0, le);
  writeString(out, 148, 80, spec.description ?? 'ddmvpa');
  dv.setInt16(252, spec.qformCode ?? 2, le);
  dv.setInt16(254, spec.sformCode ?? 2, le);
  dv.setFloat32(256, q.quaternB, le);
  dv.setFloat32(260, q.quaternC, le);
  dv.setFloat32(264, q.quaternD, le);
  dv.setFloat32(268, q.qoffset[0], le);
  dv.setFloat32(272, q.qoffset[1], le);
  dv.setFloat32(276, q.qoffset[2], le);
  for (let k = 0; k < 4; k++) {
    dv.setFloat32(280 + 4 * k, affine[0]![k]!, le);
    dv.setFloat32(296 + 4 * k, affine[1]![k]!, le);
    dv.setFloat32(312 + 4 * k, affine[2]![k]!, le);
  }
  writeString(out, 328, 16, spec.intentName ?? '');
  out.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"
  // bytes 348..351: extension flag 0 (no extensions)
  return out;
}

function writeString(out: Uint8Array, start: number, len: number, s: string): void {
  const bytes = new TextEncoder().encode(s).subarray(0, len - 1); // keep a terminating NUL
  out.set(bytes, start);
}

const PLATFORM_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Little-endian bytes of voxel values in `datatype`. Integer types are rounded (half away from
 * zero) and clamped to the type's range, NaN → 0. When `data` already is the matching typed
 * array (e.g. Int16Array for int16) the bytes are copied directly. rgb24/rgba32 take the packed
 * bytes as a Uint8Array. Returns a fresh array (safe to hand to a stream writer).
 */
export function encodeVolumeData(data: ArrayLike<number>, datatype: NiftiDatatype): Uint8Array {
  const dt = datatypeByName(datatype);
  const n = data.length;
  if (datatype === 'rgb24' || datatype === 'rgba32') {
    if (!(data instanceof Uint8Array)) throw invalid(`${datatype} data must be packed bytes in a Uint8Array.`);
    if (n % dt.bytes !== 0) throw invalid(`${datatype} data length ${n} is not a multiple of ${dt.bytes}.`);
    return data.slice();
  }
  const Ctor = TYPED[datatype as keyof typeof TYPED];
  if (Ctor && PLATFORM_LE && data instanceof Ctor) {
    const t = data as unknown as { buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
    return new Uint8Array(t.buffer, t.byteOffset, t.byteLength).slice();
  }
  const out = new Uint8Array(n * dt.bytes);
  const dv = new DataView(out.buffer);
  if (datatype === 'float32') {
    if (PLATFORM_LE) new Float32Array(out.buffer).set(data);
    else for (let i = 0; i < n; i++) dv.setFloat32(4 * i, data[i]!, true);
    return out;
  }
  if (datatype === 'float64') {
    if (PLATFORM_LE) new Float64Array(out.buffer).set(data);
    else for (let i = 0; i < n; i++) dv.setFloat64(8 * i, data[i]!, true);
    return out;
  }
  if (datatype === 'int64' || datatype === 'uint64') {
    const signed = datatype === 'int64';
    for (let i = 0; i < n; i++) {
      const v = roundClamp(data[i]!, signed ? -(2 ** 63) : 0, signed ? 2 ** 63 - 1024 : 2 ** 64 - 2048);
      if (signed) dv.setBigInt64(8 * i, BigInt(v), true);
      else dv.setBigUint64(8 * i, BigInt(v), true);
    }
    return out;
  }
  const [lo, hi] = RANGE[datatype as keyof typeof RANGE];
  const tmp = new (TYPED[datatype as keyof typeof TYPED]!)(n);
  for (let i = 0; i < n; i++) tmp[i] = roundClamp(data[i]!, lo, hi);
  if (PLATFORM_LE) return new Uint8Array(tmp.buffer);
  // big-endian platform: write little-endian explicitly
  for (let i = 0; i < n; i++) {
    const v = tmp[i]!;
    if (dt.bytes === 1) out[i] = v & 0xff;
    else if (dt.bytes === 2) dv.setUint16(2 * i, v & 0xffff, true);
    else dv.setUint32(4 * i, v >>> 0, true);
  }
  return out;
}

const TYPED = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

const RANGE = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
} as const;

function roundClamp(x: number, lo: number, hi: number): number {
  if (Number.isNaN(x)) return 0;
  const r = x < 0 ? -Math.round(-x) : Math.round(x);
  return r < lo ? lo : r > hi ? hi : r;
}

/** A complete little-endian single-file NIfTI-1 image (header + data). */
export function encodeNifti1(spec: NiftiImageSpec): Uint8Array {
  const dt = datatypeByName(spec.datatype);
  const nvox = voxelCount(spec.dims);
  const expected = spec.datatype === 'rgb24' || spec.datatype === 'rgba32' ? nvox * dt.bytes : nvox;
  if (spec.data.length !== expected) {
    throw invalid(`dims ${spec.dims.join('×')} need ${expected} data values, got ${spec.data.length}.`);
  }
  const header = encodeNifti1Header(spec);
  const body = encodeVolumeData(spec.data, spec.datatype);
  const out = new Uint8Array(header.byteLength + body.byteLength);
  out.set(header, 0);
  out.set(body, header.byteLength);
  return out;
}

/** gzip-compresses bytes with the platform's CompressionStream. */
export async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const input = new ReadableStream<Uint8Array>({
    start(ctrl) {
      ctrl.enqueue(bytes);
      ctrl.close();
    },
  });
  const reader = input.pipeThrough(cs).getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return concat(parts);
}
