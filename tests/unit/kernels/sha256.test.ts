// SHA-256 with the wasm block function (assembly/sha256.ts via src/core/kernels/sha256.ts) and
// with the TypeScript one: the same digests as Node's OpenSSL, across block and chunk boundaries
// and uneven updates (the browser hashes input files with the wasm one; results.json carries them).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Sha256, sha256Hex } from '../../../src/core/cache/sha256.ts';
import { wasmSha256 } from '../../../src/core/kernels/index.ts';
import { getEngine } from './helpers.ts';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 0xff; }
  return b;
}
const openssl = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('SHA-256', () => {
  it('FIPS 180-4 examples', async () => {
    const engine = await getEngine();
    const abc = new TextEncoder().encode('abc');
    const two = new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
    for (const make of [() => new Sha256(), () => wasmSha256(engine)]) {
      const h1 = make(); h1.update(abc);
      expect(h1.digest()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      const h2 = make(); h2.update(two);
      expect(h2.digest()).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
      expect(make().digest()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    }
  });

  it('equals OpenSSL for lengths around block and 1 MB chunk boundaries, with uneven updates', async () => {
    const engine = await getEngine();
    for (const n of [1, 55, 56, 63, 64, 65, 127, 128, 1000, (1 << 20) - 1, 1 << 20, (1 << 20) + 65, 3 * (1 << 20) + 13]) {
      const data = bytes(n, n);
      const want = openssl(data);
      expect(sha256Hex(data), `ts ${n}`).toBe(want);
      const w = wasmSha256(engine);
      // updates of odd sizes (a partial block carried between calls)
      for (let at = 0, step = 1; at < n; at += step, step = step * 3 + 7) w.update(data.subarray(at, Math.min(n, at + step)));
      expect(w.digest(), `wasm ${n}`).toBe(want);
    }
  });

  it('two interleaved wasm hashes do not mix (they share the scratch region)', async () => {
    const engine = await getEngine();
    const a = bytes(200_000, 1), b = bytes(300_000, 2);
    const ha = wasmSha256(engine), hb = wasmSha256(engine);
    for (let at = 0; at < 300_000; at += 65_536) {
      if (at < a.length) ha.update(a.subarray(at, at + 65_536));
      hb.update(b.subarray(at, at + 65_536));
    }
    expect(ha.digest()).toBe(openssl(a));
    expect(hb.digest()).toBe(openssl(b));
  });
});
