// The inflate worker's protocol (src/platform/browser/worker-inflate.ts + inflate-service.ts),
// run in one thread: the "worker" is a stand-in that serves each port with serveInflate, over
// real MessageChannels with transferred buffers. The bytes must equal zlib's gunzip; corrupt
// and truncated data must fail with the messages read.ts turns into coded errors; cancel stops.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { serveInflate } from '../../../src/platform/browser/inflate-service.ts';
import { INFLATE_GROUP_BYTES, INFLATE_READY, ownBuffer, workerInflate, type InflateWorker } from '../../../src/platform/browser/worker-inflate.ts';
import { inflateError } from '../../../src/core/nifti/read.ts';
import { getEngine } from '../kernels/helpers.ts';

function standIn(): InflateWorker & { streams: number } {
  const w = {
    streams: 0,
    onmessage: null as InflateWorker['onmessage'],
    onerror: null as InflateWorker['onerror'],
    postMessage(m: { port: MessagePort; module?: WebAssembly.Module }) {
      w.streams++;
      void serveInflate(m.port, m.module);
    },
    terminate() {},
  };
  queueMicrotask(() => w.onmessage?.call(w as unknown as Worker, { data: INFLATE_READY } as MessageEvent));
  return w;
}

/** A stream of `bytes` in chunks of `chunk` bytes. */
function chunked(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.byteLength) return c.close();
      c.enqueue(Uint8Array.prototype.slice.call(bytes, at, at + chunk));
      at += chunk;
    },
  });
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const r = s.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    parts.push(value.slice()); // a chunk is valid until the next read (its buffer goes back to the worker)
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.byteLength; }
  return out;
}

/** Byte equality (vitest's deep equality walks megabytes slowly). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Pseudo-random but compressible bytes (like image data). */
function payload(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; // xorshift32
    b[i] = x & 0x0f; // 4 random bits per byte: gzip halves it
  }
  return b;
}

describe('ownBuffer', () => {
  it('transfers a whole-buffer chunk as it is and copies a view of part of a buffer', () => {
    const whole = new Uint8Array([1, 2, 3]);
    expect(ownBuffer(whole)).toBe(whole.buffer);
    const part = new Uint8Array(new ArrayBuffer(8), 2, 3);
    part.set([7, 8, 9]);
    const b = ownBuffer(part);
    expect(b).not.toBe(part.buffer);
    expect([...new Uint8Array(b)]).toEqual([7, 8, 9]);
    const nodeBuffer = Buffer.from([1, 2, 3, 4]).subarray(1, 3); // Buffer#slice is a view: must still copy
    const nb = ownBuffer(nodeBuffer);
    expect(nb).not.toBe(nodeBuffer.buffer);
    expect(nb.byteLength).toBe(2);
  });
});

describe('workerInflate', () => {
  it('inflates through the worker protocol to zlib\'s bytes (several groups, one worker for all streams)', async () => {
    const plain = payload(5 * INFLATE_GROUP_BYTES + 12_345);
    const gz = gzipSync(plain);
    let made = 0;
    let worker: ReturnType<typeof standIn> | null = null;
    const inflate = workerInflate(() => { made++; return (worker = standIn()); });
    const a = await readAll(inflate(chunked(gz, 65_536)));
    const b = await readAll(inflate(chunked(gz, 1_000_003)));
    expect(sameBytes(a, plain)).toBe(true);
    expect(sameBytes(b, plain)).toBe(true);
    expect(made).toBe(1);
    expect(worker!.streams).toBe(2);
  });

  it('chunks are lent until the next read: then their buffers go back to the worker (detached here)', async () => {
    const { module } = await getEngine();
    const plain = payload(6 * INFLATE_GROUP_BYTES);
    const r = workerInflate(standIn, module)(chunked(gzipSync(plain), 200_000)).getReader();
    let n = 0;
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await r.read();
      if (done) break;
      expect(chunks.every((c) => c !== value)).toBe(true);
      expect(sameBytes(value, plain.subarray(n, n + value.byteLength))).toBe(true); // intact while lent
      n += value.byteLength;
      chunks.push(value);
    }
    expect(n).toBe(plain.byteLength);
    // all but the last few went back (transferred: detached on this side)
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.filter((c) => c.byteLength === 0).length).toBeGreaterThanOrEqual(chunks.length - 3);
  });

  it('with the kernel module the worker inflates with the wasm gunzip: the same bytes', async () => {
    const { module } = await getEngine();
    const plain = payload(3 * INFLATE_GROUP_BYTES + 777);
    const inflate = workerInflate(standIn, module);
    expect(sameBytes(await readAll(inflate(chunked(gzipSync(plain), 100_000))), plain)).toBe(true);
    const bad = await readAll(inflate(chunked(gzipSync(plain).subarray(0, 50_000), 4096))).then(() => null, (e) => e);
    expect(inflateError(bad, 'x.nii.gz').code).toBe('NIFTI_TRUNCATED');
  });

  it('corrupt and truncated gzip fail with errors read.ts maps to NIFTI_CORRUPT / NIFTI_TRUNCATED', async () => {
    const gz = gzipSync(payload(300_000));
    const inflate = workerInflate(standIn);
    const bad = new Uint8Array(gz); // a copy (Buffer#slice would be a view)
    for (let i = 100; i < 400; i++) bad[i] = 0xff;
    const e1 = await readAll(inflate(chunked(bad, 65_536))).then(() => null, (e) => e);
    expect(e1).toBeInstanceOf(TypeError);
    expect(inflateError(e1, 'x.nii.gz').code).toBe('NIFTI_CORRUPT');
    const e2 = await readAll(inflate(chunked(gz.subarray(0, gz.byteLength >> 1), 65_536))).then(() => null, (e) => e);
    expect(e2).toBeInstanceOf(TypeError);
    expect(inflateError(e2, 'x.nii.gz').code).toBe('NIFTI_TRUNCATED');
  });

  it('a failing source reaches the reader', async () => {
    const inflate = workerInflate(standIn);
    const failing = new ReadableStream<Uint8Array>({ pull(c) { c.error(new Error('NotReadableError: the file changed')); } });
    await expect(readAll(inflate(failing))).rejects.toThrow('the file changed');
  });

  it('cancel stops reading the source (no read-ahead beyond the window)', async () => {
    const gz = gzipSync(payload(32 * INFLATE_GROUP_BYTES));
    let pulled = 0;
    let cancelled = false;
    const src = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled >= gz.byteLength) return c.close();
        c.enqueue(gz.slice(pulled, pulled + 65_536));
        pulled += 65_536;
      },
      cancel() { cancelled = true; },
    }, { highWaterMark: 0 });
    const r = workerInflate(standIn)(src).getReader();
    const first = await r.read();
    expect(first.done).toBe(false);
    await r.cancel();
    await new Promise((res) => setTimeout(res, 50));
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(gz.byteLength / 2);
  });

  it('without a worker (it cannot start) the stream is inflated in this thread', async () => {
    const plain = payload(100_000);
    const inflate = workerInflate(() => { throw new Error('no workers here'); });
    expect(sameBytes(await readAll(inflate(chunked(gzipSync(plain), 4096))), plain)).toBe(true);
  });

  it('a worker that dies mid-stream fails the stream instead of leaving it waiting', async () => {
    const plain = payload(8 * INFLATE_GROUP_BYTES);
    let w: InflateWorker | null = null;
    const inflate = workerInflate(() => {
      const s = standIn();
      s.postMessage = () => {}; // accepts the stream, never answers
      return (w = s);
    });
    const reading = readAll(inflate(chunked(gzipSync(plain), 65_536)));
    await new Promise((res) => setTimeout(res, 20));
    w!.onerror!.call(w as unknown as Worker, { message: 'out of memory', preventDefault() {} } as unknown as ErrorEvent);
    await expect(reading).rejects.toThrow('the inflate worker stopped (out of memory)');
  });
});
