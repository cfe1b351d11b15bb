/**
 * Streaming image reads, one volume at a time, never the whole 4D image in memory.
 *
 * - gzip: the source's stream is inflated (DecompressionStream by default) and the inflated chunks
 *   are copied with TypedArray.set into one reused volume buffer;
 * - plain .nii: `slice` reads of several volumes at a time (with the next read already in flight),
 *   so files over 2 GiB never need one ArrayBuffer; offsets are plain JS numbers (exact to 2^53).
 *
 * `decodeVolume` turns the raw bytes of one volume (file byte order) into float32 with
 * scl_slope/scl_inter applied.
 */
import { DdError, type DdWarning } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { NiftiHeader } from './header.ts';
import { checkPlainSize, inflateError, openInflated, openNifti, type Inflate, type InflatedReader } from './read.ts';

export interface StreamOptions {
  /** First volume to yield (default 0). */
  startVolume?: number;
  /** One past the last volume to yield (default header.nVolumes). */
  endVolume?: number;
  /**
   * Buffer (≥ header.bytesPerVolume bytes) the volumes are copied into. Default: one buffer
   * allocated per call (gzip), or views into the current read chunk (.nii).
   */
  volumeBuffer?: Uint8Array;
  /** gzip inflater (default: DecompressionStream('gzip') with backpressure, see read.ts). */
  inflate?: Inflate;
  /** Target size of one `slice` read for uncompressed files (default 16 MiB, at least one volume). */
  chunkBytes?: number;
  /** Checked before each volume; an aborted signal throws its reason and cancels the stream. */
  signal?: AbortSignal;
}

export interface VolumeBytes {
  /** Volume index in the file (0-based). */
  index: number;
  /** The raw bytes of that volume, in the file's byte order. Valid only until the next `next()`. */
  bytes: Uint8Array;
}

const DEFAULT_CHUNK_BYTES = 16 << 20;

function checkRange(h: NiftiHeader, file: string, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > h.nVolumes || start > end) {
    throw new DdError(
      'NIFTI_BAD_RANGE',
      `${file}: volume range [${start}, ${end}) is outside the image's ${h.nVolumes} volumes. Ask for volumes 0…${h.nVolumes - 1}.`,
      { file },
    );
  }
}

function truncatedError(file: string, h: NiftiHeader, foundImageBytes: number, expectedImageBytes: number): DdError {
  return new DdError(
    'NIFTI_TRUNCATED',
    `${file}: the header promises ${h.imageBytes} bytes of image data (dims ${h.dims.join('×')}, ${h.datatype}) ` +
      `after vox_offset ${h.voxOffset}, but the decompressed data end after ${Math.max(0, foundImageBytes)} ` +
      `(needed ${expectedImageBytes} for the volumes asked for). ` +
      'The file is truncated or the header dims are wrong; re-copy or re-export it.',
    { file },
  );
}

/**
 * Yields the raw bytes of volumes [startVolume, endVolume) one at a time.
 *
 * The yielded `bytes` are REUSED: consume (decode, copy) them before asking for the next volume.
 * Holding on to them across iterations gives wrong data. Breaking out of the loop (or an error)
 * cancels the underlying stream. When the read goes to the last volume of a gzip file, the rest
 * of the compressed stream is drained so that a bad gzip trailer (CRC, length) is reported.
 *
 * Errors: NIFTI_TRUNCATED (data end early), NIFTI_CORRUPT (bad gzip data), NIFTI_BAD_RANGE.
 */
export async function* streamVolumeBytes(
  src: ByteSource,
  header: NiftiHeader,
  gzip: boolean,
  opts: StreamOptions = {},
): AsyncGenerator<VolumeBytes, void, undefined> {
  const start = opts.startVolume ?? 0;
  const end = opts.endVolume ?? header.nVolumes;
  checkRange(header, src.name, start, end);
  const bpv = header.bytesPerVolume;
  if (opts.volumeBuffer && opts.volumeBuffer.byteLength < bpv) {
    throw new Error(`volumeBuffer holds ${opts.volumeBuffer.byteLength} bytes; a volume needs ${bpv}`);
  }
  if (gzip) yield* streamGzip(src, header, start, end, opts);
  else yield* streamPlain(src, header, start, end, opts);
}

async function* streamPlain(
  src: ByteSource,
  h: NiftiHeader,
  start: number,
  end: number,
  opts: StreamOptions,
): AsyncGenerator<VolumeBytes, void, undefined> {
  checkPlainSize(src, h);
  if (start === end) return;
  const bpv = h.bytesPerVolume;
  const perChunk = Math.max(1, Math.floor((opts.chunkBytes ?? DEFAULT_CHUNK_BYTES) / Math.max(1, bpv)));
  const read = (v0: number): Promise<Uint8Array> => {
    const n = Math.min(perChunk, end - v0);
    const off = h.voxOffset + v0 * bpv;
    const p = src.slice(off, off + n * bpv);
    p.catch(() => {}); // handled where awaited; avoids an unhandled rejection if the consumer stops early
    return p;
  };
  let pending: Promise<Uint8Array> | null = read(start);
  for (let v0 = start; v0 < end; v0 += perChunk) {
    const n = Math.min(perChunk, end - v0);
    let chunk: Uint8Array;
    try {
      chunk = await pending!;
    } catch (e) {
      if (e instanceof DdError) throw e;
      throw new DdError('NIFTI_READ_FAILED', `${src.name}: reading the image data failed (${(e as Error)?.message ?? e}). Check the file.`, {
        file: src.name,
        cause: e,
      });
    }
    if (chunk.byteLength < n * bpv) {
      throw truncatedError(src.name, h, v0 * bpv + chunk.byteLength, end * bpv);
    }
    pending = v0 + perChunk < end ? read(v0 + perChunk) : null;
    for (let k = 0; k < n; k++) {
      opts.signal?.throwIfAborted();
      const view = chunk.subarray(k * bpv, (k + 1) * bpv);
      if (opts.volumeBuffer) {
        opts.volumeBuffer.set(view);
        yield { index: v0 + k, bytes: opts.volumeBuffer.subarray(0, bpv) };
      } else yield { index: v0 + k, bytes: view };
    }
  }
}

async function* streamGzip(
  src: ByteSource,
  h: NiftiHeader,
  start: number,
  end: number,
  opts: StreamOptions,
): AsyncGenerator<VolumeBytes, void, undefined> {
  const file = src.name;
  const bpv = h.bytesPerVolume;
  const buf = opts.volumeBuffer ? opts.volumeBuffer.subarray(0, bpv) : new Uint8Array(bpv);
  let inf: InflatedReader;
  try {
    inf = openInflated(src.stream(), opts.inflate);
  } catch (e) {
    throw inflateError(e, file);
  }
  const reader = inf.reader;
  let chunk: Uint8Array = new Uint8Array(0);
  let pos = 0;
  let consumed = 0; // inflated bytes taken from the stream so far (all chunks fully read)
  let finished = false; // the inflated stream ended normally: nothing to cancel
  const pull = async (): Promise<boolean> => {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await reader.read();
    } catch (e) {
      throw inflateError(e, file);
    }
    if (r.done) {
      finished = true;
      return false;
    }
    consumed += chunk.byteLength;
    chunk = r.value;
    pos = 0;
    return true;
  };
  /** Image bytes seen so far (for truncation messages). */
  const imageBytesSeen = () => consumed + pos - h.voxOffset;
  try {
    // Skip the header, extensions and the volumes before `start` without copying.
    let skip = h.voxOffset + start * bpv;
    while (skip > 0) {
      if (pos >= chunk.byteLength && !(await pull())) throw truncatedError(file, h, imageBytesSeen(), end * bpv);
      const n = Math.min(skip, chunk.byteLength - pos);
      pos += n;
      skip -= n;
    }
    for (let v = start; v < end; v++) {
      opts.signal?.throwIfAborted();
      let filled = 0;
      while (filled < bpv) {
        if (pos >= chunk.byteLength && !(await pull())) {
          throw truncatedError(file, h, imageBytesSeen(), end * bpv);
        }
        const n = Math.min(bpv - filled, chunk.byteLength - pos);
        buf.set(n === chunk.byteLength && pos === 0 ? chunk : chunk.subarray(pos, pos + n), filled);
        pos += n;
        filled += n;
      }
      yield { index: v, bytes: buf };
    }
    // Read to the end of the last volume: drain the rest so a bad trailer (CRC/size) surfaces.
    if (end === h.nVolumes) {
      while (await pull()) {
        /* discard trailing bytes */
      }
    }
  } finally {
    if (!finished) await inf.cancel();
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

const PLATFORM_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let scratch = new ArrayBuffer(0);

function scratchCopy(bytes: Uint8Array, n: number): ArrayBuffer {
  if (scratch.byteLength < n) scratch = new ArrayBuffer(Math.max(n, scratch.byteLength * 2));
  new Uint8Array(scratch, 0, n).set(bytes.subarray(0, n));
  return scratch;
}

function swapInPlace(buffer: ArrayBufferLike, n: number, size: number): void {
  if (size === 2) {
    const u = new Uint16Array(buffer, 0, n);
    for (let i = 0; i < n; i++) {
      const x = u[i]!;
      u[i] = ((x & 0xff) << 8) | (x >>> 8);
    }
  } else if (size === 4) {
    const u = new Uint32Array(buffer, 0, n);
    for (let i = 0; i < n; i++) {
      const x = u[i]!;
      u[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
  } else if (size === 8) {
    const u = new Uint32Array(buffer, 0, 2 * n);
    for (let i = 0; i < 2 * n; i += 2) {
      const a = u[i]!, b = u[i + 1]!;
      u[i] = ((b & 0xff) << 24) | ((b & 0xff00) << 8) | ((b >>> 8) & 0xff00) | (b >>> 24);
      u[i + 1] = ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
    }
  }
}

type NumView = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/**
 * Decodes `count` voxels (default one volume) of raw file bytes into float32 `out` (from
 * `out[0]`), handling any supported scalar datatype, byte order and scl_slope/scl_inter.
 * For rgb24/rgba32 it writes the R channel (no scaling). Returns `out`.
 * Fast paths: native byte order + aligned bytes use a typed-array view and TypedArray.set.
 */
export function decodeVolume(bytes: Uint8Array, header: NiftiHeader, out: Float32Array, count = header.voxelsPerVolume): Float32Array {
  const n = count;
  const size = header.bytesPerVoxel;
  if (bytes.byteLength < n * size) {
    throw new Error(`decodeVolume: ${bytes.byteLength} bytes for ${n} voxels of ${header.datatype}`);
  }
  if (out.length < n) throw new Error(`decodeVolume: output holds ${out.length} values, need ${n}`);
  const dt = header.datatype;
  if (dt === 'rgb24' || dt === 'rgba32') {
    for (let i = 0, j = 0; i < n; i++, j += size) out[i] = bytes[j]!;
    return out;
  }
  // Get an aligned buffer in native byte order.
  let buffer: ArrayBufferLike;
  let offset: number;
  const native = header.littleEndian === PLATFORM_LE || size === 1;
  const elem = dt === 'int64' || dt === 'uint64' ? 4 : size;
  if (native && bytes.byteOffset % elem === 0) {
    buffer = bytes.buffer;
    offset = bytes.byteOffset;
  } else {
    buffer = scratchCopy(bytes, n * size);
    offset = 0;
    if (!native) swapInPlace(buffer, n, size);
  }
  const { slope, inter } = header.scaling;
  const identity = slope === 1 && inter === 0;
  if (dt === 'int64' || dt === 'uint64') {
    // Two 32-bit halves in native (little-endian) order: value = hi · 2^32 + lo.
    const u = new Uint32Array(buffer, offset, 2 * n);
    const s = new Int32Array(buffer, offset, 2 * n);
    const signed = dt === 'int64';
    const lo = PLATFORM_LE ? 0 : 1, hi = 1 - lo;
    for (let i = 0; i < n; i++) {
      const v = (signed ? s[2 * i + hi]! : u[2 * i + hi]!) * 4294967296 + u[2 * i + lo]!;
      out[i] = v * slope + inter;
    }
    return out;
  }
  let view: NumView;
  switch (dt) {
    case 'uint8': view = new Uint8Array(buffer, offset, n); break;
    case 'int8': view = new Int8Array(buffer, offset, n); break;
    case 'int16': view = new Int16Array(buffer, offset, n); break;
    case 'uint16': view = new Uint16Array(buffer, offset, n); break;
    case 'int32': view = new Int32Array(buffer, offset, n); break;
    case 'uint32': view = new Uint32Array(buffer, offset, n); break;
    case 'float32': view = new Float32Array(buffer, offset, n); break;
    case 'float64': view = new Float64Array(buffer, offset, n); break;
    default: throw new Error(`decodeVolume: unexpected datatype ${dt}`);
  }
  if (identity) {
    out.set(view);
  } else {
    for (let i = 0; i < n; i++) out[i] = view[i]! * slope + inter;
  }
  return out;
}

/**
 * For rgb24/rgba32 images: writes 4 bytes per voxel (R, G, B, A; A = 255 for rgb24) into
 * `out` (length ≥ 4 · count). Returns `out`.
 */
export function decodeRgbaVolume(bytes: Uint8Array, header: NiftiHeader, out: Uint8Array, count = header.voxelsPerVolume): Uint8Array {
  if (header.datatype === 'rgba32') {
    out.set(bytes.subarray(0, 4 * count));
  } else if (header.datatype === 'rgb24') {
    for (let i = 0, j = 0, k = 0; i < count; i++, j += 3, k += 4) {
      out[k] = bytes[j]!;
      out[k + 1] = bytes[j + 1]!;
      out[k + 2] = bytes[j + 2]!;
      out[k + 3] = 255;
    }
  } else {
    throw new Error(`decodeRgbaVolume: ${header.datatype} is not a colour datatype`);
  }
  return out;
}

export interface StreamVolumesOptions extends StreamOptions {
  /** Float32 buffer (≥ voxelsPerVolume) to decode into; default one allocated per call. */
  out?: Float32Array;
}

/**
 * Opens the source and yields each volume decoded to float32 (scaling applied).
 * The yielded array is REUSED: consume it before asking for the next volume.
 */
export async function* streamVolumes(src: ByteSource, opts: StreamVolumesOptions = {}): AsyncGenerator<Float32Array, void, undefined> {
  const { header, gzip } = await openNifti(src, { inflate: opts.inflate });
  const out = (opts.out ?? new Float32Array(header.voxelsPerVolume)).subarray(0, header.voxelsPerVolume);
  for await (const { bytes } of streamVolumeBytes(src, header, gzip, opts)) {
    yield decodeVolume(bytes, header, out);
  }
}

export interface NiftiImage {
  header: NiftiHeader;
  /** All voxels, volume after volume (x fastest), as float32 with scaling applied; R channel for colour images. */
  data: Float32Array;
  /** For rgb24/rgba32: 4 bytes per voxel (R, G, B, A; A = 255 for rgb24). */
  rgba?: Uint8Array;
  gzip: boolean;
  warnings: DdWarning[];
}

export interface ReadImageOptions {
  inflate?: Inflate;
  /** Refuse images whose float32 data would exceed this many bytes (default 1 GiB). */
  maxBytes?: number;
}

/**
 * Reads a whole (small) image: masks, atlases, statistic maps, 3D and small 4D images.
 * For big 4D runs use streamVolumeBytes/streamVolumes instead (NIFTI_TOO_LARGE otherwise).
 */
export async function readNiftiImage(src: ByteSource, opts: ReadImageOptions = {}): Promise<NiftiImage> {
  const { header, gzip, warnings } = await openNifti(src, { inflate: opts.inflate });
  const nvox = header.voxelsPerVolume * header.nVolumes;
  const maxBytes = opts.maxBytes ?? 1 << 30;
  if (nvox * 4 > maxBytes) {
    throw new DdError(
      'NIFTI_TOO_LARGE',
      `${src.name}: ${header.dims.join('×')} needs ${(nvox * 4 / 2 ** 20).toFixed(0)} MiB as float32, over the ` +
        `${(maxBytes / 2 ** 20).toFixed(0)} MiB limit for whole-image reads. Stream it volume by volume instead.`,
      { file: src.name },
    );
  }
  const data = new Float32Array(nvox);
  const colour = header.datatype === 'rgb24' || header.datatype === 'rgba32';
  const rgba = colour ? new Uint8Array(4 * nvox) : undefined;
  const vpv = header.voxelsPerVolume;
  for await (const { index, bytes } of streamVolumeBytes(src, header, gzip, { inflate: opts.inflate })) {
    decodeVolume(bytes, header, data.subarray(index * vpv, (index + 1) * vpv));
    if (rgba) decodeRgbaVolume(bytes, header, rgba.subarray(4 * index * vpv, 4 * (index + 1) * vpv));
  }
  return rgba ? { header, data, rgba, gzip, warnings } : { header, data, gzip, warnings };
}
