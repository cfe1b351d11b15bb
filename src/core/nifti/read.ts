/**
 * Opening a NIfTI byte source: gzip sniffing by magic bytes (never by file name), header parse
 * from the first bytes only (a gzip file is inflated just far enough, then the stream is
 * cancelled), and the up-front size check for uncompressed files.
 */
import { DdError, type DdWarning } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { headerWarnings, NIFTI2_HEADER_SIZE, parseNiftiHeader, sniffNiftiVersion, type NiftiHeader } from './header.ts';

/** Turns a gzip byte stream into the inflated stream (Node hosts may pass a zlib-based one). */
export type Inflate = (compressed: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;

/** An inflated stream being read, with a cancel that reliably stops reading the source too. */
export interface InflatedReader {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Stops inflating and cancels the source stream (safe to call more than once, never throws). */
  cancel(): Promise<void>;
}

/** Compressed chunks in flight into the DecompressionStream (bounds memory: ~2 source chunks). */
const MAX_WRITES_IN_FLIGHT = 2;

/**
 * `DecompressionStream('gzip')` fed by our own pump instead of `pipeThrough`. Reason: in Node 20
 * `pipeThrough` into DecompressionStream ignores backpressure (the whole compressed file is read
 * into memory ahead of the consumer) and cancelling the output never cancels the source. Here
 * each write is awaited (at most MAX_WRITES_IN_FLIGHT pending), and `cancel` stops the pump and
 * cancels the source directly. Errors of the source abort the inflater, so readers see them.
 */
function pumpDecompression(raw: ReadableStream<Uint8Array>): InflatedReader {
  const ds = new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const writer = ds.writable.getWriter();
  const sreader = raw.getReader();
  const reader = ds.readable.getReader();
  let stopped = false;
  void (async () => {
    const inflight: Promise<void>[] = [];
    try {
      for (;;) {
        const { done, value } = await sreader.read();
        if (stopped) return;
        if (done) break;
        const w = writer.write(value);
        w.catch(() => {});
        inflight.push(w);
        if (inflight.length >= MAX_WRITES_IN_FLIGHT) await inflight.shift();
        if (stopped) return;
      }
      await Promise.all(inflight);
      if (!stopped) await writer.close();
    } catch (e) {
      if (stopped) return;
      stopped = true;
      writer.abort(e).catch(() => {});
      sreader.cancel(e).catch(() => {});
    }
  })();
  return {
    reader,
    async cancel() {
      if (stopped) {
        await reader.cancel().catch(() => {});
        return;
      }
      stopped = true;
      await Promise.allSettled([reader.cancel(), writer.abort(new Error('cancelled')), sreader.cancel()]);
    },
  };
}

/**
 * Opens an inflated reader over a compressed stream: the built-in pump around
 * DecompressionStream, or an injected inflater whose input is wrapped so that `cancel` reaches
 * the source whatever the inflater does.
 */
export function openInflated(raw: ReadableStream<Uint8Array>, inflate?: Inflate): InflatedReader {
  if (!inflate) return pumpDecompression(raw);
  const sreader = raw.getReader();
  let cancelled = false;
  const input = new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        const { done, value } = await sreader.read();
        if (done || cancelled) ctrl.close();
        else ctrl.enqueue(value);
      },
      cancel(reason) {
        cancelled = true;
        return sreader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const reader = inflate(input).getReader();
  return {
    reader,
    async cancel() {
      cancelled = true;
      await Promise.allSettled([reader.cancel(), sreader.cancel()]);
    },
  };
}

/**
 * The default inflater as a plain `Inflate` function (DecompressionStream with backpressure;
 * cancelling the returned stream cancels the source). ddmvpa's readers use the same pump.
 */
export const defaultInflate: Inflate = (s) => {
  const inf = pumpDecompression(s);
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        const { done, value } = await inf.reader.read();
        if (done) ctrl.close();
        else ctrl.enqueue(value);
      },
      cancel() {
        return inf.cancel();
      },
    },
    { highWaterMark: 0 },
  );
};

export interface OpenOptions {
  inflate?: Inflate;
}

export interface OpenedNifti {
  header: NiftiHeader;
  gzip: boolean;
  warnings: DdWarning[];
}

/** True when the bytes start with the gzip magic 1f 8b. */
export function hasGzipMagic(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * A stream of the source's bytes pulled lazily in `chunk`-byte slices, so that reading only the
 * start of a large file reads only the start (ByteSource.stream() may read ahead megabytes).
 */
export function sliceStream(src: ByteSource, chunk = 64 << 10, start = 0): ReadableStream<Uint8Array> {
  let pos = start;
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        if (pos >= src.size) {
          ctrl.close();
          return;
        }
        const end = Math.min(src.size, pos + chunk);
        const bytes = await src.slice(pos, end);
        if (bytes.byteLength === 0) {
          ctrl.close();
          return;
        }
        pos += bytes.byteLength;
        ctrl.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Maps an error thrown by the inflater (or the byte source under it) to a DdError:
 * NIFTI_TRUNCATED when the compressed data end early, NIFTI_CORRUPT otherwise.
 */
export function inflateError(e: unknown, file: string, what = 'image'): DdError {
  if (e instanceof DdError) return e;
  const msg = (e as Error)?.message ?? String(e);
  const code = (e as { code?: string })?.code ?? '';
  if (/truncat|unexpected end|end of file|premature|Z_BUF_ERROR/i.test(`${msg} ${code}`)) {
    return new DdError(
      'NIFTI_TRUNCATED',
      `${file}: the gzip data end early (${msg}) while reading the ${what}; the file is truncated. Re-download or re-copy it.`,
      { file, cause: e },
    );
  }
  return new DdError(
    'NIFTI_CORRUPT',
    `${file}: the gzip data are corrupt (${msg}) while reading the ${what}. Re-download or re-copy the file.`,
    { file, cause: e },
  );
}

/**
 * Reads at least `want` inflated bytes from the start of a gzip source (fewer only if the data
 * end), then cancels the stream. Never reads the whole file.
 */
export async function inflateHead(src: ByteSource, want: number, inflate?: Inflate): Promise<Uint8Array> {
  const inf = openInflated(sliceStream(src), inflate);
  const parts: Uint8Array[] = [];
  let got = 0;
  let done = false;
  try {
    while (got < want) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await inf.reader.read();
      } catch (e) {
        // Errors after the header is complete do not matter here (a later --verify finds them).
        if (got > 0 && sniffEnough(parts, got)) break;
        throw inflateError(e, src.name, 'header');
      }
      if (r.done) {
        done = true;
        break;
      }
      parts.push(r.value);
      got += r.value.byteLength;
    }
  } finally {
    if (!done) await inf.cancel();
  }
  return concat(parts, got);
}

function sniffEnough(parts: Uint8Array[], got: number): boolean {
  const head = concat(parts, got);
  const s = sniffNiftiVersion(head);
  return s !== null && got >= (s.version === 1 ? 348 : 540);
}

export function concat(parts: Uint8Array[], total?: number): Uint8Array {
  const n = total ?? parts.reduce((a, p) => a + p.byteLength, 0);
  if (parts.length === 1 && parts[0]!.byteLength === n) return parts[0]!;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** The first bytes of the (decompressed) file, enough for either header version. */
export async function readHeaderBytes(src: ByteSource, gzip: boolean, inflate?: Inflate): Promise<Uint8Array> {
  const want = NIFTI2_HEADER_SIZE + 4;
  return gzip ? inflateHead(src, want, inflate) : src.slice(0, want);
}

/**
 * Opens a NIfTI source: detects gzip from the magic bytes 1f 8b (a plain .nii named .nii.gz
 * works, and so does a gzip named .nii), parses the header, and for an uncompressed file checks
 * up front that the file holds all the bytes the header promises (NIFTI_TRUNCATED otherwise).
 * For gzip files truncation is found while streaming (streamVolumeBytes / inspect --verify).
 */
export async function openNifti(src: ByteSource, opts: OpenOptions = {}): Promise<OpenedNifti> {
  const file = src.name;
  if (src.size === 0) {
    throw new DdError('NIFTI_EMPTY', `${file}: the file is empty (0 bytes). Re-copy or re-export the image.`, { file });
  }
  const magic = await src.slice(0, 2);
  const gzip = hasGzipMagic(magic);
  const head = await readHeaderBytes(src, gzip, opts.inflate);
  if (gzip && head.byteLength === 0) {
    throw new DdError('NIFTI_EMPTY', `${file}: the gzip file inflates to 0 bytes. Re-copy or re-export the image.`, { file });
  }
  const warnings: DdWarning[] = [];
  const header = parseNiftiHeader(head, file, warnings);
  warnings.push(...headerWarnings(header, file));
  if (!gzip) checkPlainSize(src, header);
  return { header, gzip, warnings };
}

/** Throws NIFTI_TRUNCATED when an uncompressed file is shorter than vox_offset + image bytes. */
export function checkPlainSize(src: ByteSource, h: NiftiHeader): void {
  const need = h.voxOffset + h.imageBytes;
  if (src.size < need) {
    const found = Math.max(0, src.size - h.voxOffset);
    throw new DdError(
      'NIFTI_TRUNCATED',
      `${src.name}: the header promises ${h.imageBytes} bytes of image data (dims ${h.dims.join('×')}, ${h.datatype}) ` +
        `after vox_offset ${h.voxOffset}, but the file holds only ${found} (file size ${src.size}, expected ${need}). ` +
        'The file is truncated or the header dims are wrong; re-copy or re-export it.',
      { file: src.name },
    );
  }
}
