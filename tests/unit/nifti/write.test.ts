import { describe, expect, it } from 'vitest';
import { memorySource } from '../../../src/core/io/byte-source.ts';
import {
  encodeNifti1,
  encodeNifti1Header,
  encodeVolumeData,
  gzipBytes,
  openNifti,
  readNiftiImage,
  qformAffine,
  datatypeByName,
  type Mat4,
  type NiftiDatatype,
} from '../../../src/core/nifti/index.ts';
import { close } from './helpers.ts';

const OBLIQUE: Mat4 = [
  [-2.9, 0.3, 0.1, 90.5],
  [0.25, 2.95, -0.4, -126.25],
  [-0.1, 0.45, 3.4, -72],
  [0, 0, 0, 1],
];
const DIMS = [5, 4, 3, 2];
const N = 5 * 4 * 3 * 2;

const RANGES: Record<string, [number, number]> = {
  uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295], int64: [-(2 ** 40), 2 ** 40], uint64: [0, 2 ** 40],
  float32: [-1e6, 1e6], float64: [-1e6, 1e6],
};

function values(dt: string): number[] {
  const [lo, hi] = RANGES[dt]!;
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const u = ((i * 2654435761) % 4294967296) / 4294967296; // deterministic in [0, 1)
    const x = lo + u * (hi - lo);
    out.push(dt.startsWith('float') ? x : Math.round(x));
  }
  out[0] = lo;
  out[1] = hi;
  return out;
}

function expectAffineClose(a: Mat4, b: Mat4, tol = 1e-4) {
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(Math.abs(a[i]![j]! - b[i]![j]!)).toBeLessThan(tol);
}

/** Converts a little-endian NIfTI-1 file made by encodeNifti1 to big-endian (header fields + data). */
function toBigEndian(le: Uint8Array, bytesPerValue: number): Uint8Array {
  const out = le.slice();
  const swap = (o: number, n: number) => out.subarray(o, o + n).reverse();
  swap(0, 4);
  for (let k = 0; k < 8; k++) swap(40 + 2 * k, 2);
  for (const o of [68, 70, 72, 74, 120, 252, 254]) swap(o, 2);
  for (let o = 56; o < 68; o += 4) swap(o, 4);
  for (let o = 76; o < 120; o += 4) swap(o, 4);
  for (let o = 124; o < 148; o += 4) swap(o, 4);
  for (let o = 256; o < 328; o += 4) swap(o, 4);
  for (let o = 352; o < out.length; o += bytesPerValue) swap(o, bytesPerValue);
  return out;
}

describe('writer round trip', () => {
  const types: NiftiDatatype[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'];
  for (const dt of types) {
    it(`${dt}: encode → parse → decode equals the input`, async () => {
      const data = values(dt);
      const bytes = encodeNifti1({ dims: DIMS, affine: OBLIQUE, datatype: dt, data, description: 'round trip', intentCode: 5, trSeconds: 2.5 });
      expect(bytes.byteLength).toBe(352 + N * datatypeByName(dt).bytes);
      const img = await readNiftiImage(memorySource('rt.nii', bytes));
      const h = img.header;
      expect(h.version).toBe(1);
      expect(h.littleEndian).toBe(true);
      expect(h.voxOffset).toBe(352);
      expect(h.dims).toEqual(DIMS);
      expect(h.datatype).toBe(dt);
      expect(h.descrip).toBe('round trip');
      expect(h.intentCode).toBe(5);
      expect(h.trSeconds).toBe(2.5);
      expect(h.qformCode).toBe(2);
      expect(h.sformCode).toBe(2);
      expectAffineClose(h.affine, OBLIQUE, 1e-4);
      for (let i = 0; i < N; i++) expect(img.data[i]).toBe(Math.fround(data[i]!));
    });
  }

  it('the qform written from an oblique, left-handed affine reproduces it', async () => {
    const bytes = encodeNifti1Header({ dims: [4, 4, 4], affine: OBLIQUE, datatype: 'uint8' });
    const { header: h } = await openNifti(memorySource('q.nii', new Uint8Array([...bytes, ...new Uint8Array(64)])));
    expect(h.pixdim[0]).toBe(-1); // det < 0 → qfac −1
    const q = qformAffine(h.quaternB, h.quaternC, h.quaternD, [h.qoffsetX, h.qoffsetY, h.qoffsetZ], h.pixdim);
    // OBLIQUE has a small shear; the qform is its closest rigid+zoom version, so compare loosely
    expectAffineClose(q, OBLIQUE, 0.2);
    // a shear-free affine is reproduced exactly (to float32)
    const rigid: Mat4 = [[0, 0, -2, 10], [3, 0, 0, -20], [0, 2.5, 0, 30], [0, 0, 0, 1]];
    const b2 = encodeNifti1Header({ dims: [2, 2, 2], affine: rigid, datatype: 'uint8' });
    const { header: h2 } = await openNifti(memorySource('q2.nii', new Uint8Array([...b2, ...new Uint8Array(8)])));
    expectAffineClose(qformAffine(h2.quaternB, h2.quaternC, h2.quaternD, [h2.qoffsetX, h2.qoffsetY, h2.qoffsetZ], h2.pixdim), rigid, 1e-5);
    expect(h2.voxelMm.map((x) => +x.toFixed(5))).toEqual([3, 2.5, 2]);
  });

  it('integer types round and clamp; NaN → 0', () => {
    const b = encodeVolumeData([1.5, -1.5, 2.4, 1e9, -1e9, NaN], 'int16');
    expect(Array.from(new Int16Array(b.buffer))).toEqual([2, -2, 2, 32767, -32768, 0]);
    const u = encodeVolumeData([-3, 300, 254.5], 'uint8');
    expect(Array.from(u)).toEqual([0, 255, 255]);
  });

  it('gzip round trip', async () => {
    const data = values('int16');
    const plain = encodeNifti1({ dims: DIMS, affine: OBLIQUE, datatype: 'int16', data });
    const gz = await gzipBytes(plain);
    expect(gz[0]).toBe(0x1f);
    expect(gz[1]).toBe(0x8b);
    const img = await readNiftiImage(memorySource('rt.nii.gz', gz));
    expect(img.gzip).toBe(true);
    expect(Array.from(img.data)).toEqual(data);
  });

  it('header-only encoder + per-volume data through CompressionStream (streaming writer)', async () => {
    const dims = [6, 5, 4, 7];
    const vpv = 6 * 5 * 4;
    const vol = (t: number) => Int16Array.from({ length: vpv }, (_, i) => (i * 13 + t * 101) % 3000 - 1500);
    const cs = new CompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
    const collected = new Response(cs.readable as unknown as ReadableStream).arrayBuffer();
    const w = cs.writable.getWriter();
    await w.write(encodeNifti1Header({ dims, affine: OBLIQUE, datatype: 'int16', trSeconds: 2 }));
    for (let t = 0; t < 7; t++) await w.write(encodeVolumeData(vol(t), 'int16'));
    await w.close();
    const gz = new Uint8Array(await collected);
    const img = await readNiftiImage(memorySource('streamed.nii.gz', gz));
    expect(img.header.dims).toEqual(dims);
    expect(img.header.trSeconds).toBe(2);
    for (let t = 0; t < 7; t++) expect(Array.from(img.data.subarray(t * vpv, (t + 1) * vpv))).toEqual(Array.from(vol(t)));
  });

  it('scl_slope/scl_inter are applied on read; slope 0 means no scaling', async () => {
    const data = [0, 1, 2, 3, -4, 100, 7, 8];
    const scaled = encodeNifti1({ dims: [2, 2, 2], affine: OBLIQUE, datatype: 'int16', data, sclSlope: 0.5, sclInter: 10 });
    const a = await readNiftiImage(memorySource('s.nii', scaled));
    expect(Array.from(a.data)).toEqual(data.map((x) => x * 0.5 + 10));
    const zero = encodeNifti1({ dims: [2, 2, 2], affine: OBLIQUE, datatype: 'int16', data, sclSlope: 0, sclInter: 10 });
    const b = await readNiftiImage(memorySource('z.nii', zero));
    expect(b.header.sclSlope).toBe(0);
    expect(b.header.scaling).toEqual({ slope: 1, inter: 0 });
    expect(Array.from(b.data)).toEqual(data);
    const nan = encodeNifti1({ dims: [2, 2, 2], affine: OBLIQUE, datatype: 'float32', data, sclSlope: NaN, sclInter: NaN });
    expect(Array.from((await readNiftiImage(memorySource('n.nii', nan))).data)).toEqual(data);
  });

  for (const [dt, size] of [['uint16', 2], ['int32', 4], ['float32', 4], ['float64', 8], ['int64', 8]] as const) {
    it(`big-endian ${dt} with scaling decodes like little-endian`, async () => {
      const data = values(dt).map((x) => (dt === 'int64' ? Math.round(x / 1024) : x));
      const le = encodeNifti1({ dims: DIMS, affine: OBLIQUE, datatype: dt, data, sclSlope: 2, sclInter: -3 });
      const be = toBigEndian(le, size);
      const a = await readNiftiImage(memorySource('le.nii', le));
      const b = await readNiftiImage(memorySource('be.nii.gz', await gzipBytes(be)));
      expect(b.header.littleEndian).toBe(false);
      expect(b.header.dims).toEqual(DIMS);
      expect(b.header.affine).toEqual(a.header.affine);
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
      for (let i = 0; i < N; i++) expect(close(a.data[i]!, data[i]! * 2 - 3, 1e-6, 1e-3)).toBe(true);
    });
  }

  it('rgb24 and rgba32 images: data is R, rgba holds all channels (alpha 255 for rgb24)', async () => {
    const rgb = Uint8Array.from({ length: 8 * 3 }, (_, i) => (i * 37) & 0xff);
    const img = await readNiftiImage(memorySource('rgb.nii', encodeNifti1({ dims: [2, 2, 2], affine: OBLIQUE, datatype: 'rgb24', data: rgb })));
    for (let v = 0; v < 8; v++) {
      expect(img.data[v]).toBe(rgb[3 * v]);
      expect(Array.from(img.rgba!.subarray(4 * v, 4 * v + 4))).toEqual([rgb[3 * v], rgb[3 * v + 1], rgb[3 * v + 2], 255]);
    }
    const rgba = Uint8Array.from({ length: 8 * 4 }, (_, i) => (i * 53) & 0xff);
    const img2 = await readNiftiImage(memorySource('rgba.nii', encodeNifti1({ dims: [2, 2, 2], affine: OBLIQUE, datatype: 'rgba32', data: rgba })));
    expect(Array.from(img2.rgba!)).toEqual(Array.from(rgba));
    for (let v = 0; v < 8; v++) expect(img2.data[v]).toBe(rgba[4 * v]);
  });

  it('rejects invalid specs with NIFTI_WRITE_INVALID', () => {
    expect(() => encodeNifti1Header({ dims: [], affine: OBLIQUE, datatype: 'uint8' })).toThrow(/dims/);
    expect(() => encodeNifti1Header({ dims: [40000, 2, 2], affine: OBLIQUE, datatype: 'uint8' })).toThrow(/32767/);
    expect(() => encodeNifti1({ dims: [2, 2, 2], affine: OBLIQUE, datatype: 'uint8', data: [1, 2] })).toThrow(/8 data values/);
  });
});
