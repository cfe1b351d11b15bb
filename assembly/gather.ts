// Mask gather with datatype decode and linear scaling, one volume at a time.
//
// out[j] = f32(f64(slope) * f64(decode(raw[idx[j]])) + f64(inter))   for j < nIdx
//
// `raw` is one volume in file byte order, `idx` holds i32 voxel indices (element indices, not byte
// offsets), `swap` = 1 byte-swaps each element before decoding (big-endian files). The arithmetic
// is done in f64 and rounded once to f32, so int32/uint32/float64 data lose nothing before the
// final rounding, and the result is bit-identical to the JS expression
// Math.fround(slope * x + inter) with f32-valued slope and inter.
//
// No SIMD here on purpose: wasm SIMD has no gather instruction, and the loop is bound by the
// scattered loads, not by the few arithmetic ops (see bench/kernels.bench.ts). Indices are not
// bounds-checked (the host validates them once per mask); an index past the end of memory traps.
//
// Caller's note on NIfTI: scl_slope == 0 means "no scaling" in the NIfTI standard; the kernel
// does exactly what it is told, so the reader must pass slope 1, inter 0 in that case.

@inline function put(out: usize, j: i32, x: f64, s: f64, c: f64): void {
  store<f32>(out + (<usize>j << 2), <f32>(s * x + c));
}

@inline function at(idx: usize, j: i32): usize {
  return <usize>load<i32>(idx + (<usize>j << 2));
}

export function gather_uint8(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  for (let j = 0; j < nIdx; j++) put(out, j, <f64>load<u8>(raw + at(idx, j)), s, c);
}

export function gather_int8(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  for (let j = 0; j < nIdx; j++) put(out, j, <f64>load<i8>(raw + at(idx, j)), s, c);
}

export function gather_int16(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  if (swap) {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64><i16>bswap<u16>(load<u16>(raw + (at(idx, j) << 1))), s, c);
  } else {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>load<i16>(raw + (at(idx, j) << 1)), s, c);
  }
}

export function gather_uint16(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  if (swap) {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>bswap<u16>(load<u16>(raw + (at(idx, j) << 1))), s, c);
  } else {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>load<u16>(raw + (at(idx, j) << 1)), s, c);
  }
}

export function gather_int32(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  if (swap) {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64><i32>bswap<u32>(load<u32>(raw + (at(idx, j) << 2))), s, c);
  } else {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>load<i32>(raw + (at(idx, j) << 2)), s, c);
  }
}

export function gather_uint32(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  if (swap) {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>bswap<u32>(load<u32>(raw + (at(idx, j) << 2))), s, c);
  } else {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>load<u32>(raw + (at(idx, j) << 2)), s, c);
  }
}

export function gather_float32(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  if (swap) {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>reinterpret<f32>(bswap<u32>(load<u32>(raw + (at(idx, j) << 2)))), s, c);
  } else {
    for (let j = 0; j < nIdx; j++) put(out, j, <f64>load<f32>(raw + (at(idx, j) << 2)), s, c);
  }
}

export function gather_float64(raw: usize, idx: usize, nIdx: i32, slope: f32, inter: f32, swap: i32, out: usize): void {
  const s = <f64>slope, c = <f64>inter;
  if (swap) {
    for (let j = 0; j < nIdx; j++) put(out, j, reinterpret<f64>(bswap<u64>(load<u64>(raw + (at(idx, j) << 3)))), s, c);
  } else {
    for (let j = 0; j < nIdx; j++) put(out, j, load<f64>(raw + (at(idx, j) << 3)), s, c);
  }
}
