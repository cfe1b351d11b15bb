/**
 * The byte format of cache entries: a JSON document plus named typed arrays, compact and
 * copy-free to read (trial patterns are f32 arrays of trials × voxels).
 *
 *   "DDR1" · u32 LE json length · json (UTF-8) · zero padding to 8 · array 0 · pad · array 1 · …
 *
 * The JSON is {data, arrays: [{name, dtype, length}]}; arrays are little-endian (every host that
 * runs ddmvpa is), each starting on an 8-byte boundary.
 */
import { DdError } from '../errors.ts';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type Dtype = 'f32' | 'f64' | 'i32' | 'u8';

export interface RecordValue<T = unknown> {
  data: T;
  arrays: Record<string, TypedArray>;
}

const MAGIC = [0x44, 0x44, 0x52, 0x31]; // DDR1
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function dtypeOf(a: TypedArray): Dtype {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

const CTOR = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;
const pad8 = (n: number) => (n + 7) & ~7;

export function encodeRecord(value: RecordValue): Uint8Array {
  const names = Object.keys(value.arrays);
  const specs = names.map((name) => ({ name, dtype: dtypeOf(value.arrays[name]!), length: value.arrays[name]!.length }));
  const json = encoder.encode(JSON.stringify({ data: value.data, arrays: specs }));
  let size = pad8(8 + json.length);
  for (const name of names) size += pad8(value.arrays[name]!.byteLength);
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  let off = pad8(8 + json.length);
  for (const name of names) {
    const a = value.arrays[name]!;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += pad8(a.byteLength);
  }
  return out;
}

/** Decodes a record; arrays are views into `bytes` when aligned, else copies. Throws CACHE_BAD_RECORD. */
export function decodeRecord<T = unknown>(bytes: Uint8Array): RecordValue<T> {
  const bad = (why: string) => new DdError('CACHE_BAD_RECORD', `A cache entry is unreadable (${why}); it will be recomputed.`);
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('bad magic');
  const jsonLen = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  if (8 + jsonLen > bytes.length) throw bad('truncated header');
  let parsed: { data: T; arrays: { name: string; dtype: Dtype; length: number }[] };
  try {
    parsed = JSON.parse(decoder.decode(bytes.subarray(8, 8 + jsonLen)));
  } catch {
    throw bad('bad JSON');
  }
  const arrays: Record<string, TypedArray> = {};
  let off = pad8(8 + jsonLen);
  for (const s of parsed.arrays ?? []) {
    const C = CTOR[s.dtype];
    if (!C || !Number.isInteger(s.length) || s.length < 0) throw bad(`bad array ${s.name}`);
    const nBytes = s.length * C.BYTES_PER_ELEMENT;
    if (off + nBytes > bytes.length) throw bad(`truncated array ${s.name}`);
    const abs = bytes.byteOffset + off;
    if (abs % C.BYTES_PER_ELEMENT === 0) arrays[s.name] = new C(bytes.buffer as ArrayBuffer, abs, s.length);
    else {
      const copy = new Uint8Array(nBytes);
      copy.set(bytes.subarray(off, off + nBytes));
      arrays[s.name] = new C(copy.buffer);
    }
    off += pad8(nBytes);
  }
  if (off !== bytes.length) throw bad('trailing bytes');
  return { data: parsed.data, arrays };
}

/** A JSON-only record. */
export function encodeJson(data: unknown): Uint8Array {
  return encodeRecord({ data, arrays: {} });
}
