// readChunks (src/core/io/byte-source.ts): every byte in order, from a byte stream (read into one
// reused buffer, as Chromium's Blob streams allow) and from a plain stream.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readChunks } from '../../../src/core/io/byte-source.ts';

const data = Uint8Array.from({ length: 300_001 }, (_, i) => (i * 2654435761) >>> 24);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function byteStream(bytes: Uint8Array, views: number[]): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: 'bytes',
    pull(c) {
      const req = c.byobRequest!;
      const view = req.view as Uint8Array;
      views.push(view.buffer.byteLength);
      const n = Math.min(view.byteLength, bytes.byteLength - at, 70_000);
      if (n === 0) { c.close(); req.respond(0); return; }
      view.set(bytes.subarray(at, at + n));
      at += n;
      req.respond(n);
    },
  }) as unknown as ReadableStream<Uint8Array>;
}

function plainStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(at, at + 50_000));
      at += 50_000;
    },
  });
}

describe('readChunks', () => {
  it('a byte stream: all bytes in order, in one reused buffer', async () => {
    const h = createHash('sha256');
    const views: number[] = [];
    const n = await readChunks(byteStream(data, views), (c) => h.update(c), 64 << 10);
    expect(n).toBe(data.byteLength);
    expect(h.digest('hex')).toBe(sha(data));
    // Every read filled the one 64 KB buffer handed back and forth (BYOB), never a fresh one.
    expect(views.length).toBeGreaterThan(4);
    expect(new Set(views)).toEqual(new Set([64 << 10]));
  });
  it('a plain stream: all bytes in order', async () => {
    const h = createHash('sha256');
    const n = await readChunks(plainStream(data), (c) => h.update(c));
    expect(n).toBe(data.byteLength);
    expect(h.digest('hex')).toBe(sha(data));
  });
  it('an error thrown by onChunk stops the read and propagates', async () => {
    await expect(readChunks(plainStream(data), () => { throw new Error('cancelled'); })).rejects.toThrow('cancelled');
  });
});
