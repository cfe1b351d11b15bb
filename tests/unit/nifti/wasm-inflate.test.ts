// The wasm gunzip (assembly/inflate.ts via src/core/nifti/wasm-inflate.ts) against zlib: every
// deflate block kind (stored, fixed, dynamic; zlib's levels and strategies), multi-member files,
// input cut into pieces of any size, and the errors read.ts turns into coded ones.
import { describe, expect, it } from 'vitest';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { wasmGunzip } from '../../../src/core/nifti/wasm-inflate.ts';
import { inflateError } from '../../../src/core/nifti/read.ts';
import { getEngine } from '../kernels/helpers.ts';

let x = 1;
const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 2 ** 32; };
const text = Buffer.from(Array.from({ length: 120_000 }, (_, i) => 'abcdefghij'[Math.floor(rnd() * 10)]! + (i % 97 === 0 ? '\n' : '')).join(''));
const noise = Buffer.from(Array.from({ length: 600_000 }, () => Math.floor(rnd() * 256)));
const image = Buffer.alloc(1_500_000);
for (let i = 0; i < image.length; i += 2) image.writeInt16LE(Math.round(1000 + 50 * Math.sin(i / 1000) + rnd() * 30), i);

function stream(b: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({ pull(c) { if (at >= b.length) return c.close(); c.enqueue(Uint8Array.prototype.slice.call(b, at, at + chunk)); at += chunk; } });
}
async function all(s: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const r = s.getReader();
  for (;;) { const { done, value } = await r.read(); if (done) break; parts.push(value); }
  return Buffer.concat(parts);
}
async function gunzip() {
  const g = wasmGunzip((await getEngine()).module);
  expect(g).not.toBeNull();
  return g!;
}

describe('wasm gunzip', () => {
  const inputs: [string, Buffer][] = [['text', text], ['noise', noise], ['image', image], ['empty', Buffer.alloc(0)], ['one byte', Buffer.from([7])], ['zeros', Buffer.alloc(700_000)]];
  const variants: [string, object][] = [
    ['level 0 (stored)', { level: 0 }], ['level 1', { level: 1 }], ['level 6', { level: 6 }], ['level 9', { level: 9 }],
    ['fixed Huffman', { strategy: constants.Z_FIXED }], ['Huffman only', { strategy: constants.Z_HUFFMAN_ONLY }], ['RLE', { strategy: constants.Z_RLE }],
  ];
  it('equals zlib for every block kind, in pieces of 7 B, 4 KB and 1 MB', async () => {
    const inflate = await gunzip();
    for (const [name, data] of inputs) {
      for (const [vname, opts] of variants) {
        const gz = gzipSync(data, opts);
        for (const chunk of [7, 4096, 1 << 20]) {
          if (chunk === 7 && gz.length > 100_000) continue;
          const got = await all(inflate(stream(gz, chunk)));
          expect(Buffer.compare(got, data), `${name}, ${vname}, pieces of ${chunk}`).toBe(0);
        }
      }
    }
  }, 120_000);

  it('reads concatenated gzip members, and the gzip header fields (name, comment, extra, header CRC)', async () => {
    const inflate = await gunzip();
    const multi = Buffer.concat([gzipSync(text), gzipSync(image), gzipSync(Buffer.alloc(0))]);
    expect(Buffer.compare(await all(inflate(stream(multi, 65_536))), gunzipSync(multi))).toBe(0);
    // FEXTRA + FNAME + FCOMMENT + FHCRC, set by hand on zlib's output
    const body = gzipSync(text).subarray(10);
    const head = Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3]);
    const extra = Buffer.from([3, 0, 1, 2, 3]);
    const withFields = Buffer.concat([head, extra, Buffer.from('run.nii\0'), Buffer.from('a comment\0'), Buffer.from([0, 0]), body]);
    expect(Buffer.compare(await all(inflate(stream(withFields, 5))), text)).toBe(0);
  });

  it('damage gives the zlib-worded errors that read.ts codes (truncated, corrupt, CRC, size, not gzip, junk)', async () => {
    const inflate = await gunzip();
    const gz = gzipSync(image);
    const code = async (b: Uint8Array) => {
      const e = await all(inflate(stream(b, 65_536))).then(() => null, (err) => err);
      expect(e, 'an error').toBeInstanceOf(TypeError);
      return [inflateError(e, 'x.nii.gz').code, (e as Error).message];
    };
    expect((await code(gz.subarray(0, gz.length >> 1)))[0]).toBe('NIFTI_TRUNCATED');
    expect((await code(gz.subarray(0, gz.length - 3)))[0]).toBe('NIFTI_TRUNCATED');
    const flipped = Buffer.from(gz);
    for (let i = 200; i < 260; i++) flipped[i]! ^= 0x55;
    expect((await code(flipped))[0]).toBe('NIFTI_CORRUPT');
    const crc = Buffer.from(gz);
    crc[crc.length - 6]! ^= 1;
    expect(await code(crc)).toEqual(['NIFTI_CORRUPT', 'incorrect data check (CRC-32)']);
    const size = Buffer.from(gz);
    size[size.length - 2]! ^= 1;
    expect(await code(size)).toEqual(['NIFTI_CORRUPT', 'incorrect length check']);
    expect((await code(Buffer.from('not gzip data at all, just text')))[1]).toContain('incorrect header check');
    expect((await code(Buffer.concat([gz, Buffer.from('trailing junk')])))[1]).toContain('junk');
  });

  it('delivers the bytes before the damage, then the error', async () => {
    const inflate = await gunzip();
    const gz = gzipSync(image, { level: 1 });
    const r = inflate(stream(gz.subarray(0, gz.length - 100_000), 65_536)).getReader();
    let got = 0;
    let err: unknown = null;
    try { for (;;) { const { done, value } = await r.read(); if (done) break; got += value.byteLength; } } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TypeError);
    expect(got).toBeGreaterThan(image.length / 2);
  });

  it('cancel stops reading the source', async () => {
    const inflate = await gunzip();
    const gz = gzipSync(noise);
    let cancelled = false;
    let at = 0;
    const src = new ReadableStream<Uint8Array>({
      pull(c) { if (at >= gz.length) return c.close(); c.enqueue(gz.subarray(at, at + 4096)); at += 4096; },
      cancel() { cancelled = true; },
    }, { highWaterMark: 0 });
    const r = inflate(src).getReader();
    await r.read();
    await r.cancel();
    expect(cancelled).toBe(true);
    expect(at).toBeLessThan(gz.length);
  });
});
