/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, incremental, for every host. Content keys and entry
 * checksums must be the same bytes in the browser and in Node (results.json carries input hashes),
 * and WebCrypto's `crypto.subtle.digest` cannot stream a 600 MB file, so the engine carries its
 * own. Node may plug its native SHA-256 for speed (src/platform/node/hash.ts): same digests.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** An incremental hash: feed bytes, then read the hex digest once. */
export interface IncrementalHash {
  update(bytes: Uint8Array): void;
  /** Lower-case hex digest; the hash cannot be updated afterwards. */
  digest(): string;
}

/**
 * The compression function over whole blocks: updates the state h (8 words) with `nBlocks`
 * 64-byte blocks of `bytes` from `offset`. The TypeScript one is the default; the browser plugs
 * the wasm one (src/core/kernels/sha256.ts), same digests.
 */
export type CompressBlocks = (h: Int32Array, bytes: Uint8Array, offset: number, nBlocks: number) => void;

export class Sha256 implements IncrementalHash {
  private readonly h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  private readonly buf = new Uint8Array(64);
  private bufLen = 0;
  private total = 0;
  private done = false;

  constructor(private readonly compress: CompressBlocks = compressBlocksTs) {}

  update(bytes: Uint8Array): void {
    if (this.done) throw new Error('Sha256: update after digest');
    this.total += bytes.length;
    let off = 0;
    const n = bytes.length;
    if (this.bufLen > 0) {
      const take = Math.min(64 - this.bufLen, n);
      this.buf.set(bytes.subarray(0, take), this.bufLen);
      this.bufLen += take;
      off = take;
      if (this.bufLen < 64) return;
      this.compress(this.h, this.buf, 0, 1);
      this.bufLen = 0;
    }
    const blocks = (n - off) >>> 6;
    if (blocks > 0) {
      this.compress(this.h, bytes, off, blocks);
      off += blocks << 6;
    }
    if (off < n) {
      this.buf.set(bytes.subarray(off), 0);
      this.bufLen = n - off;
    }
  }

  digest(): string {
    if (this.done) throw new Error('Sha256: digest twice');
    this.done = true;
    const bits = this.total * 8;
    const buf = this.buf;
    buf[this.bufLen++] = 0x80;
    if (this.bufLen > 56) {
      buf.fill(0, this.bufLen);
      this.compress(this.h, buf, 0, 1);
      this.bufLen = 0;
    }
    buf.fill(0, this.bufLen);
    const hi = Math.floor(bits / 0x100000000);
    const lo = bits >>> 0;
    buf[56] = hi >>> 24; buf[57] = hi >>> 16; buf[58] = hi >>> 8; buf[59] = hi;
    buf[60] = lo >>> 24; buf[61] = lo >>> 16; buf[62] = lo >>> 8; buf[63] = lo;
    this.compress(this.h, buf, 0, 1);
    let out = '';
    for (let i = 0; i < 8; i++) out += (this.h[i]! >>> 0).toString(16).padStart(8, '0');
    return out;
  }

}

const W = new Int32Array(64);

/** The TypeScript compression function (~190 MB/s in V8). */
export const compressBlocksTs: CompressBlocks = (h, p, offset, nBlocks) => {
  const w = W;
  for (let blk = 0; blk < nBlocks; blk++) {
    let o = offset + (blk << 6);
    for (let i = 0; i < 16; i++, o += 4) w[i] = (p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!;
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!, y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + b) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + hh) | 0;
  }
};

const encoder = new TextEncoder();

/** SHA-256 hex of bytes or of a string's UTF-8 bytes. */
export function sha256Hex(data: Uint8Array | string): string {
  const h = new Sha256();
  h.update(typeof data === 'string' ? encoder.encode(data) : data);
  return h.digest();
}
