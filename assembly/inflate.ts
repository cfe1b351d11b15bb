// gzip inflate (RFC 1951 + 1952), streaming, for the browser: this machine's Chromium inflates
// with the system zlib (~117 MB/s out), which bounds the page's stream pass. A table-driven
// decoder with 64-bit bit reads, 8-byte match copies and a slicing-by-8 CRC-32.
//
// The host (src/core/nifti/wasm-inflate.ts) owns the buffers: compressed bytes in in[0..inLen),
// output written from out[outPos] up to outCap (the 32 KB before outPos are the history of back
// references: the host moves them to the front between calls). State lives at `st` (ST_BYTES),
// so a call can stop anywhere at a symbol or block boundary and resume with more input or room.
// The module keeps no data: the CRC table (8 × 256 u32) is the host's, the other tables are
// computed into the state by inflate_reset.

// ---- state layout (byte offsets into st)
const MODE = 0;       // i32: one of the M_* modes
const LAST = 4;       // i32: 1 when the current block is the final one of the member
const BB = 8;         // u64: bit buffer (LSB first)
const BC = 16;        // i32: bits in BB
const STORED = 20;    // i32: bytes left in the current stored block
const CRC = 24;       // u32: running CRC-32 of the member's output
const ISIZE = 28;     // u32: member output size mod 2^32
const IN_POS = 32;    // i32: bytes of in consumed (out)
const OUT_POS = 36;   // i32: next output byte (in/out)
const HIST = 40;      // i32: history available for back references (≤ 32768)
const LIT = 64;       // u16[1024]: litlen fast table (sym << 4 | len; 0 = longer than 10 bits)
const LCNT = LIT + 2048;   // u16[16]: litlen codes per length
const LSYM = LCNT + 32;    // u16[288]: litlen symbols in canonical order
const DIST = LSYM + 576;   // u16[256]: distance fast table (8 bits)
const DCNT = DIST + 512;   // u16[16]
const DSYM = DCNT + 32;    // u16[32]
const LBASE = DSYM + 64;   // u16[29] length bases
const LEXT = LBASE + 58;   // u8[29]  length extra bits
const DBASE = LEXT + 30;   // u16[30] distance bases
const DEXT = DBASE + 60;   // u8[30]  distance extra bits
const LENS = DEXT + 32;    // u8[352]: code length code lengths (19), then at +32 the litlen + distance lengths (≤ 316)
const OFFS = LENS + 352;   // u16[16] scratch for table building
const ST_BYTES = OFFS + 32;

const LIT_BITS = 10;
const DIST_BITS = 8;
const WINDOW = 32768;

// modes
const M_GZIP = 0;
const M_BLOCK = 1;
const M_STORED = 2;
const M_HUFF = 3;
const M_TRAILER = 4;
const M_MEMBER_END = 5;
const M_DONE = 6;

// results
export const R_NEED_INPUT: i32 = 0;
export const R_OUT_FULL: i32 = 1;
export const R_DONE: i32 = 2;
const E_MAGIC: i32 = -1;
const E_HEADER: i32 = -2;
const E_BLOCK_TYPE: i32 = -3;
const E_LENGTHS: i32 = -4;
const E_CODE: i32 = -5;
const E_DISTANCE: i32 = -6;
const E_STORED: i32 = -7;
const E_CRC: i32 = -8;
const E_SIZE: i32 = -9;
const E_TRUNCATED: i32 = -10;
const E_JUNK: i32 = -11;

export function inflate_state_bytes(): i32 { return ST_BYTES; }

/** Fresh state for a gzip stream (one or more members). */
export function inflate_reset(st: usize): void {
  memory.fill(st, 0, ST_BYTES);
  store<i32>(st + MODE, M_GZIP);
  store<u32>(st + CRC, 0xffffffff);
  // length codes 257..285: base and extra bits (RFC 1951 3.2.5)
  let base: i32 = 3;
  for (let i = 0; i < 28; i++) {
    const extra = i < 8 ? 0 : (i - 4) >> 2;
    store<u16>(st + LBASE + (<usize>i << 1), <u16>base);
    store<u8>(st + LEXT + <usize>i, <u8>extra);
    base += 1 << extra;
  }
  store<u16>(st + LBASE + 56, 258);
  store<u8>(st + LEXT + 28, 0);
  base = 1;
  for (let i = 0; i < 30; i++) {
    const extra = i < 4 ? 0 : (i - 2) >> 1;
    store<u16>(st + DBASE + (<usize>i << 1), <u16>base);
    store<u8>(st + DEXT + <usize>i, <u8>extra);
    base += 1 << extra;
  }
}

// @ts-ignore: decorator
@inline function rev(code: u32, len: i32): u32 {
  let r: u32 = 0;
  for (let i = 0; i < len; i++) { r = (r << 1) | (code & 1); code >>= 1; }
  return r;
}

/**
 * Canonical Huffman tables from code lengths lens[0..n): counts and sorted symbols (for codes
 * longer than the fast table) and the fast table of `bits`. Returns false for an over-subscribed
 * set (an incomplete one is allowed: an unused code then fails when met).
 */
function build(st: usize, lens: usize, n: i32, fast: usize, bits: i32, cnt: usize, sym: usize): bool {
  for (let l = 0; l < 16; l++) store<u16>(cnt + (<usize>l << 1), 0);
  for (let i = 0; i < n; i++) {
    const l = <usize>load<u8>(lens + <usize>i);
    store<u16>(cnt + (l << 1), load<u16>(cnt + (l << 1)) + 1);
  }
  let left: i32 = 1;
  for (let l = 1; l < 16; l++) {
    left = (left << 1) - <i32>load<u16>(cnt + (<usize>l << 1));
    if (left < 0) return false;
  }
  const offs = st + OFFS;
  store<u16>(offs + 2, 0);
  for (let l = 1; l < 15; l++) store<u16>(offs + (<usize>(l + 1) << 1), load<u16>(offs + (<usize>l << 1)) + load<u16>(cnt + (<usize>l << 1)));
  for (let i = 0; i < n; i++) {
    const l = <usize>load<u8>(lens + <usize>i);
    if (l == 0) continue;
    const o = load<u16>(offs + (l << 1));
    store<u16>(sym + (<usize>o << 1), <u16>i);
    store<u16>(offs + (l << 1), o + 1);
  }
  const size = 1 << bits;
  memory.fill(fast, 0, <usize>size << 1);
  // canonical codes in order of (length, symbol): walk the sorted symbols
  let code: u32 = 0;
  let k: i32 = 0;
  for (let l = 1; l <= bits; l++) {
    const c = <i32>load<u16>(cnt + (<usize>l << 1));
    for (let j = 0; j < c; j++, k++) {
      const s = <u32>load<u16>(sym + (<usize>k << 1));
      const r = rev(code, l);
      const entry = <u16>((s << 4) | <u32>l);
      for (let f = <i32>r; f < size; f += 1 << l) store<u16>(fast + (<usize>f << 1), entry);
      code++;
    }
    code <<= 1;
  }
  return true;
}

/** Slow canonical decode (codes longer than the fast table): -1 for an invalid code. bb/bc in/out via st. */
function slowDecode(st: usize, cnt: usize, sym: usize): i32 {
  let bb = load<u64>(st + BB);
  let bc = load<i32>(st + BC);
  let code: i32 = 0, first: i32 = 0, index: i32 = 0;
  for (let l = 1; l < 16; l++) {
    code |= <i32>(bb & 1);
    bb >>= 1;
    bc--;
    const count = <i32>load<u16>(cnt + (<usize>l << 1));
    if (code - count < first) {
      store<u64>(st + BB, bb);
      store<i32>(st + BC, bc);
      return <i32>load<u16>(sym + (<usize>(index + (code - first)) << 1));
    }
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  return -1;
}

/** CRC-32 (slicing by 8) of p[0..n) onto crc (pre-inverted). tab: 8 × 256 u32. */
function crc32(crc: u32, tab: usize, p: usize, n: i32): u32 {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = load<u32>(p + <usize>i) ^ crc;
    const b = load<u32>(p + <usize>i + 4);
    crc = load<u32>(tab + (7 << 10) + (<usize>(a & 0xff) << 2)) ^ load<u32>(tab + (6 << 10) + (<usize>((a >> 8) & 0xff) << 2)) ^
      load<u32>(tab + (5 << 10) + (<usize>((a >> 16) & 0xff) << 2)) ^ load<u32>(tab + (4 << 10) + (<usize>(a >> 24) << 2)) ^
      load<u32>(tab + (3 << 10) + (<usize>(b & 0xff) << 2)) ^ load<u32>(tab + (2 << 10) + (<usize>((b >> 8) & 0xff) << 2)) ^
      load<u32>(tab + (1 << 10) + (<usize>((b >> 16) & 0xff) << 2)) ^ load<u32>(tab + (<usize>(b >> 24) << 2));
  }
  for (; i < n; i++) crc = load<u32>(tab + (<usize>((crc ^ load<u8>(p + <usize>i)) & 0xff) << 2)) ^ (crc >> 8);
  return crc;
}

/**
 * Runs until the input is used up (R_NEED_INPUT), the output is full (R_OUT_FULL: fewer than
 * 266 bytes of room) or the stream ended (R_DONE: `final` and nothing left); negative: an error.
 * On return st.IN_POS bytes of in were consumed and output ends at st.OUT_POS.
 */
export function inflate_run(st: usize, crcTab: usize, inp: usize, inLen: i32, final: i32, out: usize, outCap: i32): i32 {
  let pos: i32 = 0;
  let op = load<i32>(st + OUT_POS);
  let crcFrom = op;
  let bb = load<u64>(st + BB);
  let bc = load<i32>(st + BC);
  let hist = load<i32>(st + HIST);
  let mode = load<i32>(st + MODE);
  let result: i32 = R_NEED_INPUT;

  while (true) {
    if (mode == M_GZIP || mode == M_MEMBER_END) {
      // (whole bytes only here: the bit buffer is empty at member boundaries)
      if (mode == M_MEMBER_END) {
        if (pos == inLen) { if (final) { mode = M_DONE; result = R_DONE; } else result = R_NEED_INPUT; break; }
        if (load<u8>(inp + <usize>pos) != 0x1f) { result = E_JUNK; break; }
        mode = M_GZIP;
      }
      const avail = inLen - pos;
      if (avail < 10) { result = final ? E_TRUNCATED : R_NEED_INPUT; break; }
      const h = inp + <usize>pos;
      if (load<u8>(h) != 0x1f || load<u8>(h, 1) != 0x8b) { result = E_MAGIC; break; }
      const flg = <i32>load<u8>(h, 3);
      if (load<u8>(h, 2) != 8 || (flg & 0xe0) != 0) { result = E_HEADER; break; }
      let q: i32 = 10;
      let incomplete = false;
      if (flg & 4) {
        if (avail < q + 2) incomplete = true;
        else q += 2 + (<i32>load<u8>(h + <usize>q) | (<i32>load<u8>(h + <usize>q + 1) << 8));
      }
      for (let f = 8; f <= 16 && !incomplete; f <<= 1) {
        if (!(flg & f)) continue;
        while (q < avail && load<u8>(h + <usize>q) != 0) q++;
        if (q >= avail) incomplete = true;
        else q++;
      }
      if (!incomplete && (flg & 2)) q += 2;
      if (incomplete || q > avail) { result = final ? E_TRUNCATED : R_NEED_INPUT; break; }
      pos += q;
      mode = M_BLOCK;
      store<u32>(st + CRC, 0xffffffff);
      store<u32>(st + ISIZE, 0);
      hist = 0;
      continue;
    }

    if (mode == M_BLOCK) {
      // a dynamic header can take ~300 bytes: parse it only with enough input at hand
      if (!final && inLen - pos < 600) { result = R_NEED_INPUT; break; }
      while (bc < 56 && pos < inLen) { bb |= <u64>load<u8>(inp + <usize>pos) << <u64>bc; pos++; bc += 8; }
      if (bc < 3) { result = E_TRUNCATED; break; }
      const last = <i32>(bb & 1);
      const type = <i32>((bb >> 1) & 3);
      bb >>= 3; bc -= 3;
      store<i32>(st + LAST, last);
      if (type == 0) {
        const drop = bc & 7;
        bb >>= <u64>drop; bc -= drop;
        // give back whole buffered bytes (all from this call's input: the buffer holds < 8 bits across calls)
        pos -= bc >> 3; bb = 0; bc = 0;
        if (inLen - pos < 4) { result = E_TRUNCATED; break; }
        const len = <i32>load<u16>(inp + <usize>pos);
        const nlen = <i32>load<u16>(inp + <usize>pos + 2);
        if ((len ^ 0xffff) != nlen) { result = E_STORED; break; }
        pos += 4;
        store<i32>(st + STORED, len);
        mode = M_STORED;
        continue;
      }
      if (type == 1) {
        const lens = st + LENS;
        for (let i = 0; i < 144; i++) store<u8>(lens + <usize>i, 8);
        for (let i = 144; i < 256; i++) store<u8>(lens + <usize>i, 9);
        for (let i = 256; i < 280; i++) store<u8>(lens + <usize>i, 7);
        for (let i = 280; i < 288; i++) store<u8>(lens + <usize>i, 8);
        build(st, lens, 288, st + LIT, LIT_BITS, st + LCNT, st + LSYM);
        for (let i = 0; i < 30; i++) store<u8>(lens + <usize>i, 5);
        build(st, lens, 30, st + DIST, DIST_BITS, st + DCNT, st + DSYM);
        mode = M_HUFF;
        continue;
      }
      if (type == 3) { result = E_BLOCK_TYPE; break; }
      // dynamic: HLIT, HDIST, HCLEN, then the code length code
      if (bc < 14) { result = E_TRUNCATED; break; }
      const nlen = <i32>(bb & 31) + 257; bb >>= 5;
      const ndist = <i32>(bb & 31) + 1; bb >>= 5;
      const ncode = <i32>(bb & 15) + 4; bb >>= 4;
      bc -= 14;
      if (nlen > 286 || ndist > 30) { result = E_LENGTHS; break; }
      const lens = st + LENS;
      for (let i = 0; i < 19; i++) store<u8>(lens + <usize>i, 0);
      for (let i = 0; i < ncode; i++) {
        if (bc < 3) { while (bc < 56 && pos < inLen) { bb |= <u64>load<u8>(inp + <usize>pos) << <u64>bc; pos++; bc += 8; } }
        if (bc < 3) { result = E_TRUNCATED; break; }
        const slot = clOrder(i); // RFC 1951 order: 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1 15
        store<u8>(lens + <usize>slot, <u8>(bb & 7));
        bb >>= 3; bc -= 3;
      }
      if (result < 0) break;
      if (!build(st, lens, 19, st + LIT, 7, st + LCNT, st + LSYM)) { result = E_LENGTHS; break; }
      // the code lengths of litlen + distance codes, read with the 7-bit table
      let i = 0;
      const total = nlen + ndist;
      let bad = false;
      while (i < total) {
        if (bc < 16) { while (bc < 56 && pos < inLen) { bb |= <u64>load<u8>(inp + <usize>pos) << <u64>bc; pos++; bc += 8; } }
        const e = <i32>load<u16>(st + LIT + (<usize>(bb & 127) << 1));
        if (e == 0) { bad = true; break; }
        const l = e & 15;
        if (l > bc) { result = E_TRUNCATED; break; }
        bb >>= <u64>l; bc -= l;
        const s = e >> 4;
        if (s < 16) { store<u8>(st + LENS + 32 + <usize>i, <u8>s); i++; continue; }
        let rep: i32 = 0, val: u8 = 0;
        if (s == 16) {
          if (i == 0) { bad = true; break; }
          val = load<u8>(st + LENS + 32 + <usize>(i - 1));
          rep = 3 + <i32>(bb & 3); bb >>= 2; bc -= 2;
        } else if (s == 17) { rep = 3 + <i32>(bb & 7); bb >>= 3; bc -= 3; }
        else { rep = 11 + <i32>(bb & 127); bb >>= 7; bc -= 7; }
        if (bc < 0) { result = E_TRUNCATED; break; }
        if (i + rep > total) { bad = true; break; }
        for (let r = 0; r < rep; r++) store<u8>(st + LENS + 32 + <usize>(i + r), val);
        i += rep;
      }
      if (result < 0) break;
      if (bad || load<u8>(st + LENS + 32 + 256) == 0) { result = E_LENGTHS; break; }
      if (!build(st, st + LENS + 32, nlen, st + LIT, LIT_BITS, st + LCNT, st + LSYM)) { result = E_LENGTHS; break; }
      if (!build(st, st + LENS + 32 + <usize>nlen, ndist, st + DIST, DIST_BITS, st + DCNT, st + DSYM)) { result = E_LENGTHS; break; }
      mode = M_HUFF;
      continue;
    }

    if (mode == M_STORED) {
      let left = load<i32>(st + STORED);
      const n = min(min(left, inLen - pos), outCap - op);
      memory.copy(out + <usize>op, inp + <usize>pos, <usize>n);
      op += n; pos += n; left -= n;
      hist = min(hist + n, WINDOW);
      store<i32>(st + STORED, left);
      if (left > 0) {
        if (op >= outCap) { result = R_OUT_FULL; break; }
        result = final ? E_TRUNCATED : R_NEED_INPUT;
        break;
      }
      mode = load<i32>(st + LAST) ? M_TRAILER : M_BLOCK;
      continue;
    }

    if (mode == M_HUFF) {
      const lit = st + LIT, dist = st + DIST;
      let ended = false;
      while (true) {
        if (op + 266 > outCap) { result = R_OUT_FULL; break; }
        if (pos + 8 <= inLen) {
          bb |= load<u64>(inp + <usize>pos) << <u64>bc;
          pos += (63 - bc) >> 3;
          bc |= 56;
        } else {
          while (bc <= 56 && pos < inLen) { bb |= <u64>load<u8>(inp + <usize>pos) << <u64>bc; pos++; bc += 8; }
          if (bc < 48 && !final) { result = R_NEED_INPUT; break; }
        }
        let e = <i32>load<u16>(lit + (<usize>(bb & 1023) << 1));
        let s: i32;
        if (e != 0) {
          const l = e & 15;
          bb >>= <u64>l; bc -= l;
          s = e >> 4;
        } else {
          store<u64>(st + BB, bb); store<i32>(st + BC, bc);
          s = slowDecode(st, st + LCNT, st + LSYM);
          bb = load<u64>(st + BB); bc = load<i32>(st + BC);
          if (s < 0) { result = E_CODE; break; }
        }
        if (bc < 0) { result = E_TRUNCATED; break; }
        if (s < 256) {
          store<u8>(out + <usize>op, <u8>s);
          op++;
          if (hist < WINDOW) hist++;
          continue;
        }
        if (s == 256) { ended = true; break; }
        s -= 257;
        if (s >= 29) { result = E_CODE; break; }
        const lx = <i32>load<u8>(st + LEXT + <usize>s);
        const len = <i32>load<u16>(st + LBASE + (<usize>s << 1)) + <i32>(bb & ((<u64>1 << <u64>lx) - 1));
        bb >>= <u64>lx; bc -= lx;
        // the distance: the same lookup as the literal/length one above, written out because the
        // bit buffer lives in locals on this hot path (a helper would send it through memory)
        let d: i32;
        e = <i32>load<u16>(dist + (<usize>(bb & 255) << 1));
        if (e != 0) {
          const l = e & 15;
          bb >>= <u64>l; bc -= l;
          d = e >> 4;
        } else {
          store<u64>(st + BB, bb); store<i32>(st + BC, bc);
          d = slowDecode(st, st + DCNT, st + DSYM);
          bb = load<u64>(st + BB); bc = load<i32>(st + BC);
          if (d < 0) { result = E_CODE; break; }
        }
        if (d >= 30) { result = E_CODE; break; }
        const dx = <i32>load<u8>(st + DEXT + <usize>d);
        const dd = <i32>load<u16>(st + DBASE + (<usize>d << 1)) + <i32>(bb & ((<u64>1 << <u64>dx) - 1));
        bb >>= <u64>dx; bc -= dx;
        if (bc < 0) { result = E_TRUNCATED; break; }
        if (dd > hist) { result = E_DISTANCE; break; }
        let src = out + <usize>(op - dd);
        let dst = out + <usize>op;
        const end = dst + <usize>len;
        if (dd >= 8) {
          while (dst < end) { store<u64>(dst, load<u64>(src)); src += 8; dst += 8; }
        } else {
          while (dst < end) { store<u8>(dst, load<u8>(src)); src++; dst++; }
        }
        op += len;
        hist = min(hist + len, WINDOW);
      }
      if (!ended) break;
      mode = load<i32>(st + LAST) ? M_TRAILER : M_BLOCK;
      continue;
    }

    if (mode == M_TRAILER) {
      const drop = bc & 7;
      bb >>= <u64>drop; bc -= drop;
      pos -= bc >> 3; bb = 0; bc = 0;
      if (inLen - pos < 8) { result = final ? E_TRUNCATED : R_NEED_INPUT; break; }
      let crc = crc32(load<u32>(st + CRC), crcTab, out + <usize>crcFrom, op - crcFrom);
      const isize = load<u32>(st + ISIZE) + <u32>(op - crcFrom);
      crcFrom = op;
      if ((crc ^ 0xffffffff) != load<u32>(inp + <usize>pos)) { result = E_CRC; break; }
      if (isize != load<u32>(inp + <usize>pos + 4)) { result = E_SIZE; break; }
      pos += 8;
      store<u32>(st + CRC, 0xffffffff);
      store<u32>(st + ISIZE, 0);
      hist = 0;
      mode = M_MEMBER_END;
      continue;
    }
    // M_DONE
    result = pos < inLen ? E_JUNK : R_DONE;
    break;
  }

  if (crcFrom < op && mode != M_MEMBER_END && mode != M_GZIP) {
    store<u32>(st + CRC, crc32(load<u32>(st + CRC), crcTab, out + <usize>crcFrom, op - crcFrom));
    store<u32>(st + ISIZE, load<u32>(st + ISIZE) + <u32>(op - crcFrom));
  }
  if (result >= 0) {
    // keep < 8 bits across calls: give back the whole buffered bytes (the host keeps in[pos..))
    pos -= bc >> 3;
    bc &= 7;
    bb &= (<u64>1 << <u64>bc) - 1;
  }
  store<i32>(st + MODE, mode);
  store<u64>(st + BB, bb);
  store<i32>(st + BC, bc);
  store<i32>(st + HIST, hist);
  store<i32>(st + IN_POS, pos);
  store<i32>(st + OUT_POS, op);
  return result;
}

/** RFC 1951 order of the code length code lengths. */
function clOrder(i: i32): i32 {
  switch (i) {
    case 0: return 16; case 1: return 17; case 2: return 18; case 3: return 0; case 4: return 8;
    case 5: return 7; case 6: return 9; case 7: return 6; case 8: return 10; case 9: return 5;
    case 10: return 11; case 11: return 4; case 12: return 12; case 13: return 3; case 14: return 13;
    case 15: return 2; case 16: return 14; case 17: return 1; default: return 15;
  }
}
