// SHA-256 compression (FIPS 180-4) over whole 64-byte blocks, for the browser's content hashes:
// the TypeScript one in src/core/cache/sha256.ts runs ~190 MB/s, and a 600 MB BOLD run is
// hashed before anything else can start. Same digests by construction (same function); the host
// (src/core/kernels/sha256.ts) does the padding and passes the round constants (the module keeps
// no data segments).

/**
 * state: 8 u32 (h0..h7); k: the 64 round constants (u32); w: 64 u32 of scratch; data: nBlocks
 * blocks of 64 bytes (big-endian words, as hashed).
 */
export function sha256_blocks(state: usize, k: usize, w: usize, data: usize, nBlocks: i32): void {
  let h0 = load<u32>(state), h1 = load<u32>(state, 4), h2 = load<u32>(state, 8), h3 = load<u32>(state, 12);
  let h4 = load<u32>(state, 16), h5 = load<u32>(state, 20), h6 = load<u32>(state, 24), h7 = load<u32>(state, 28);
  for (let blk = 0; blk < nBlocks; blk++) {
    const p = data + (<usize>blk << 6);
    for (let i = 0; i < 16; i++) store<u32>(w + (<usize>i << 2), bswap<u32>(load<u32>(p + (<usize>i << 2))));
    for (let i = 16; i < 64; i++) {
      const x = load<u32>(w + (<usize>(i - 15) << 2)), y = load<u32>(w + (<usize>(i - 2) << 2));
      const s0 = rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3);
      const s1 = rotr<u32>(y, 17) ^ rotr<u32>(y, 19) ^ (y >>> 10);
      store<u32>(w + (<usize>i << 2), load<u32>(w + (<usize>(i - 16) << 2)) + s0 + load<u32>(w + (<usize>(i - 7) << 2)) + s1);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = hh + S1 + ch + load<u32>(k + (<usize>i << 2)) + load<u32>(w + (<usize>i << 2));
      const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = S0 + maj;
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += hh;
  }
  store<u32>(state, h0); store<u32>(state, h1, 4); store<u32>(state, h2, 8); store<u32>(state, h3, 12);
  store<u32>(state, h4, 16); store<u32>(state, h5, 20); store<u32>(state, h6, 24); store<u32>(state, h7, 28);
}
