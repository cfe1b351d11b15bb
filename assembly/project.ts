// The stream pass's hot kernel: a rank-B update of the trial patterns.
//
//   out[i, v] += sum_b W[i, b] * Y[b, v]      i < n, vStart <= v < vEnd
//
// Y: B x V row-major f32 (B buffered volumes, mask voxels already gathered)
// W: n x B row-major f32 (the projection-matrix columns of those B volumes)
// out: n x V row-major f32 (trial patterns, accumulated over the whole run)
//
// Blocking: voxel tiles of VT voxels (the n x VT out tile stays in L2 while all b-tiles of Y pass
// over it), b-tiles of BT volumes (the BT x VT slice of Y stays in L1/L2 while every trial block
// reuses it), register blocks of 4 trials x 8 voxels (8 f32x4 accumulators + 2 Y vectors + 1 W
// splat = 11 live v128, which fits the 16 xmm registers V8 uses on x64).
//
// Determinism: every out[i, v] is updated by the same sequence of f32 operations
// (acc = out; for b in order: acc = acc + W[i,b] * Y[b,v], mul and add each rounded to f32) in the
// SIMD lanes, in the scalar tail and across b-tiles. So any voxel sharding over workers, any tile
// size and any host give bit-identical results.

const DEFAULT_VT: i32 = 512;
const DEFAULT_BT: i32 = 64;

export function project_accumulate(y: usize, B: i32, V: i32, w: usize, n: i32, out: usize, vStart: i32, vEnd: i32): void {
  project_accumulate_tiled(y, B, V, w, n, out, vStart, vEnd, DEFAULT_VT, DEFAULT_BT);
}

/** Same as project_accumulate with explicit tile sizes (0 = default); for benchmarks. */
export function project_accumulate_tiled(
  y: usize, B: i32, V: i32, w: usize, n: i32, out: usize, vStart: i32, vEnd: i32, vTile: i32, bTile: i32,
): void {
  if (vTile <= 0) vTile = DEFAULT_VT;
  if (bTile <= 0) bTile = DEFAULT_BT;
  vTile = vTile < 8 ? 8 : vTile & ~7;
  if (vStart < 0) vStart = 0;
  if (vEnd > V) vEnd = V;
  const ys = <usize>V << 2; // Y row stride (bytes)
  const ws = <usize>B << 2; // W row stride
  const os = <usize>V << 2; // out row stride
  for (let v0 = vStart; v0 < vEnd; v0 += vTile) {
    const v1 = min(v0 + vTile, vEnd);
    for (let b0 = 0; b0 < B; b0 += bTile) {
      const bt = min(bTile, B - b0);
      const yb = y + <usize>b0 * ys;
      const wb = w + (<usize>b0 << 2);
      let i = 0;
      for (; i + 4 <= n; i += 4) rows4(yb, ys, wb + <usize>i * ws, ws, bt, out + <usize>i * os, os, v0, v1);
      for (; i < n; i++) rows1(yb, ys, wb + <usize>i * ws, bt, out + <usize>i * os, v0, v1);
    }
  }
}

// @ts-ignore: decorator
@inline function fma4(acc: v128, w: v128, y: v128): v128 {
  return f32x4.add(acc, f32x4.mul(w, y));
}

/** Four trial rows (W rows wp, wp+ws, ..; out rows op, op+os, ..) over voxels [v0, v1). */
// @ts-ignore: decorator
@inline function rows4(yb: usize, ys: usize, wp: usize, ws: usize, bt: i32, op: usize, os: usize, v0: i32, v1: i32): void {
  const ws2 = ws << 1, ws3 = ws2 + ws;
  let v = v0;
  for (; v + 8 <= v1; v += 8) {
    const vo = <usize>v << 2;
    const o0 = op + vo, o1 = o0 + os, o2 = o1 + os, o3 = o2 + os;
    let a0 = v128.load(o0), a1 = v128.load(o0, 16);
    let a2 = v128.load(o1), a3 = v128.load(o1, 16);
    let a4 = v128.load(o2), a5 = v128.load(o2, 16);
    let a6 = v128.load(o3), a7 = v128.load(o3, 16);
    let yp = yb + vo;
    let wq = wp;
    for (let b = 0; b < bt; b++) {
      const y0 = v128.load(yp), y1 = v128.load(yp, 16);
      let s = v128.load32_splat(wq);
      a0 = fma4(a0, s, y0); a1 = fma4(a1, s, y1);
      s = v128.load32_splat(wq + ws);
      a2 = fma4(a2, s, y0); a3 = fma4(a3, s, y1);
      s = v128.load32_splat(wq + ws2);
      a4 = fma4(a4, s, y0); a5 = fma4(a5, s, y1);
      s = v128.load32_splat(wq + ws3);
      a6 = fma4(a6, s, y0); a7 = fma4(a7, s, y1);
      yp += ys;
      wq += 4;
    }
    v128.store(o0, a0); v128.store(o0, a1, 16);
    v128.store(o1, a2); v128.store(o1, a3, 16);
    v128.store(o2, a4); v128.store(o2, a5, 16);
    v128.store(o3, a6); v128.store(o3, a7, 16);
  }
  for (; v + 4 <= v1; v += 4) {
    const vo = <usize>v << 2;
    const o0 = op + vo, o1 = o0 + os, o2 = o1 + os, o3 = o2 + os;
    let a0 = v128.load(o0), a1 = v128.load(o1), a2 = v128.load(o2), a3 = v128.load(o3);
    let yp = yb + vo;
    let wq = wp;
    for (let b = 0; b < bt; b++) {
      const y0 = v128.load(yp);
      a0 = fma4(a0, v128.load32_splat(wq), y0);
      a1 = fma4(a1, v128.load32_splat(wq + ws), y0);
      a2 = fma4(a2, v128.load32_splat(wq + ws2), y0);
      a3 = fma4(a3, v128.load32_splat(wq + ws3), y0);
      yp += ys;
      wq += 4;
    }
    v128.store(o0, a0); v128.store(o1, a1); v128.store(o2, a2); v128.store(o3, a3);
  }
  for (; v < v1; v++) {
    const vo = <usize>v << 2;
    const o0 = op + vo, o1 = o0 + os, o2 = o1 + os, o3 = o2 + os;
    let a0 = load<f32>(o0), a1 = load<f32>(o1), a2 = load<f32>(o2), a3 = load<f32>(o3);
    let yp = yb + vo;
    let wq = wp;
    for (let b = 0; b < bt; b++) {
      const y0 = load<f32>(yp);
      a0 = a0 + load<f32>(wq) * y0;
      a1 = a1 + load<f32>(wq + ws) * y0;
      a2 = a2 + load<f32>(wq + ws2) * y0;
      a3 = a3 + load<f32>(wq + ws3) * y0;
      yp += ys;
      wq += 4;
    }
    store<f32>(o0, a0); store<f32>(o1, a1); store<f32>(o2, a2); store<f32>(o3, a3);
  }
}

/** One trial row over voxels [v0, v1) (the n % 4 leftover rows). */
// @ts-ignore: decorator
@inline function rows1(yb: usize, ys: usize, wp: usize, bt: i32, op: usize, v0: i32, v1: i32): void {
  let v = v0;
  for (; v + 16 <= v1; v += 16) {
    const o = op + (<usize>v << 2);
    let a0 = v128.load(o), a1 = v128.load(o, 16), a2 = v128.load(o, 32), a3 = v128.load(o, 48);
    let yp = yb + (<usize>v << 2);
    let wq = wp;
    for (let b = 0; b < bt; b++) {
      const s = v128.load32_splat(wq);
      a0 = fma4(a0, s, v128.load(yp));
      a1 = fma4(a1, s, v128.load(yp, 16));
      a2 = fma4(a2, s, v128.load(yp, 32));
      a3 = fma4(a3, s, v128.load(yp, 48));
      yp += ys;
      wq += 4;
    }
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
  }
  for (; v + 4 <= v1; v += 4) {
    const o = op + (<usize>v << 2);
    let a0 = v128.load(o);
    let yp = yb + (<usize>v << 2);
    let wq = wp;
    for (let b = 0; b < bt; b++) {
      a0 = fma4(a0, v128.load32_splat(wq), v128.load(yp));
      yp += ys;
      wq += 4;
    }
    v128.store(o, a0);
  }
  for (; v < v1; v++) {
    const o = op + (<usize>v << 2);
    let a0 = load<f32>(o);
    let yp = yb + (<usize>v << 2);
    let wq = wp;
    for (let b = 0; b < bt; b++) {
      a0 = a0 + load<f32>(wq) * load<f32>(yp);
      yp += ys;
      wq += 4;
    }
    store<f32>(o, a0);
  }
}
