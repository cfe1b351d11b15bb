import { DdError } from '../errors.ts';

/** NumPy .npy (format 1.0, little-endian, C order): the exchange format for trial patterns. */
export type NpyArray =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'float64'; shape: number[]; data: Float64Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The .npy header for an array; the data bytes follow it (lets callers write big arrays in parts). */
export function npyHeader(dtype: 'float32' | 'float64', shape: number[]): Uint8Array {
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Total header length (magic 6 + version 2 + len 2 + dict + \n) padded to a multiple of 64.
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  out[8] = dict.length & 0xff; out[9] = dict.length >> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

/** The .npy file as a stream of [header, data]: no copy of a large array. */
export function npyStream(arr: NpyArray): ReadableStream<Uint8Array> {
  const parts = [npyHeader(arr.dtype, arr.shape), new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength)];
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      const next = parts.shift();
      if (next) ctrl.enqueue(next);
      else ctrl.close();
    },
  });
}

export function encodeNpy(arr: NpyArray): Uint8Array {
  const head = npyHeader(arr.dtype, arr.shape);
  const body = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Reads float32/float64 (either byte order) and integer .npy arrays; integers come back as float64. */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DdError('NPY_BAD_MAGIC', `${file}: not a NumPy .npy file. Save the array with numpy.save().`, { file });
  }
  const major = bytes[6]!;
  const headerLen = major === 1 ? bytes[8]! | (bytes[9]! << 8) : new DataView(bytes.buffer, bytes.byteOffset + 8, 4).getUint32(0, true);
  const start = major === 1 ? 10 : 12;
  const text = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*True/.test(text);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || shapeText === undefined) throw new DdError('NPY_BAD_HEADER', `${file}: unreadable .npy header.`, { file });
  if (fortran) throw new DdError('NPY_FORTRAN_ORDER', `${file}: Fortran-ordered array; save it with numpy.save(np.ascontiguousarray(x)).`, { file });
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const m = /^([<>|=])([fiu])(\d)$/.exec(descr);
  if (!m) throw new DdError('NPY_UNSUPPORTED_DTYPE', `${file}: dtype ${descr} is not supported; save float32 or float64.`, { file });
  const little = m[1] !== '>';
  const kind = m[2]!;
  const size = Number(m[3]);
  const offset = start + headerLen;
  if (bytes.length < offset + n * size) {
    throw new DdError('NPY_TRUNCATED', `${file}: holds ${bytes.length - offset} data bytes, the header promises ${n * size}. The file is incomplete; write it again.`, { file });
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, n * size);
  const read = (i: number): number => {
    const o = i * size;
    if (kind === 'f') return size === 4 ? dv.getFloat32(o, little) : dv.getFloat64(o, little);
    if (kind === 'i') return size === 1 ? dv.getInt8(o) : size === 2 ? dv.getInt16(o, little) : size === 4 ? dv.getInt32(o, little) : Number(dv.getBigInt64(o, little));
    return size === 1 ? dv.getUint8(o) : size === 2 ? dv.getUint16(o, little) : size === 4 ? dv.getUint32(o, little) : Number(dv.getBigUint64(o, little));
  };
  if (kind === 'f' && size === 4) {
    const data = new Float32Array(n);
    if (little && (bytes.byteOffset + offset) % 4 === 0) data.set(new Float32Array(bytes.buffer, bytes.byteOffset + offset, n));
    else for (let i = 0; i < n; i++) data[i] = read(i);
    return { dtype: 'float32', shape, data };
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = read(i);
  return { dtype: 'float64', shape, data };
}
