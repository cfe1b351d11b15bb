// Searchlight kernels (src/core/searchlight): the Gram matrix of one sphere's voxels, and its
// update when the sphere moves by one voxel.
//
// The patterns are stored voxel-major: voxel v's n trial values are f32 at xt + v * ldx * 4
// (ldx >= n). A sphere is a list of voxel (column) indices. K is n x n f64, row-major, exactly
// symmetric (lower triangle computed, then mirrored). Products of two f32 are exact in f64; sums
// are f64 in an order that depends only on (n, the index lists).

/**
 * Gathers the m voxels idx[0..m) into tmp as an n x m4 f32 matrix (row i = trial i, m4 = m
 * rounded up to 4, padded with zeros), with the voxels idx[mPos..m) negated when neg != 0 (their
 * rank-1 terms are subtracted), and the same matrix unnegated into tmp2 (when tmp2 != 0).
 */
function gatherRows(xt: usize, ldx: i32, n: i32, idx: usize, m: i32, mPos: i32, tmp: usize, tmp2: usize): i32 {
  const m4 = (m + 3) & ~3;
  const rs = <usize>m4 << 2;
  for (let a = 0; a < m4; a++) {
    if (a >= m) {
      for (let i = 0; i < n; i++) {
        store<f32>(tmp + <usize>i * rs + (<usize>a << 2), 0);
        if (tmp2 != 0) store<f32>(tmp2 + <usize>i * rs + (<usize>a << 2), 0);
      }
      continue;
    }
    const col = xt + <usize>load<i32>(idx + (<usize>a << 2)) * (<usize>ldx << 2);
    const sgn: f32 = a >= mPos ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const v = load<f32>(col + (<usize>i << 2));
      store<f32>(tmp + <usize>i * rs + (<usize>a << 2), v * sgn);
      if (tmp2 != 0) store<f32>(tmp2 + <usize>i * rs + (<usize>a << 2), v);
    }
  }
  return m4;
}

/**
 * out (+)= U V^T on the lower triangle for U, V (n x m4 f32, row-major, m4 % 4 == 0), in 2x2 row
 * blocks; then mirrored to the upper triangle. accumulate == 0 overwrites out.
 */
function lowerProduct(u: usize, v: usize, n: i32, m4: i32, out: usize, accumulate: bool): void {
  const rs = <usize>m4 << 2;
  const on = <usize>n << 3;
  for (let i = 0; i < n; i += 2) {
    const i1 = i + 1 < n ? i + 1 : i;
    const ra = u + <usize>i * rs, rb = u + <usize>i1 * rs;
    for (let j = 0; j <= i; j += 2) {
      const j1 = j + 1 < n ? j + 1 : j;
      const ca = v + <usize>j * rs, cb = v + <usize>j1 * rs;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      for (let k = 0; k < m4; k += 4) {
        const off = <usize>k << 2;
        const a = v128.load(ra + off), b = v128.load(rb + off);
        const c = v128.load(ca + off), d = v128.load(cb + off);
        const al = f64x2.promote_low_f32x4(a), ah = f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1));
        const bl = f64x2.promote_low_f32x4(b), bh = f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 0, 1));
        const cl = f64x2.promote_low_f32x4(c), ch = f64x2.promote_low_f32x4(v128.shuffle<f32>(c, c, 2, 3, 0, 1));
        const dl = f64x2.promote_low_f32x4(d), dh = f64x2.promote_low_f32x4(v128.shuffle<f32>(d, d, 2, 3, 0, 1));
        s00 = f64x2.add(s00, f64x2.mul(al, cl)); s00 = f64x2.add(s00, f64x2.mul(ah, ch));
        s01 = f64x2.add(s01, f64x2.mul(al, dl)); s01 = f64x2.add(s01, f64x2.mul(ah, dh));
        s10 = f64x2.add(s10, f64x2.mul(bl, cl)); s10 = f64x2.add(s10, f64x2.mul(bh, ch));
        s11 = f64x2.add(s11, f64x2.mul(bl, dl)); s11 = f64x2.add(s11, f64x2.mul(bh, dh));
      }
      const t00 = f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1);
      const t01 = f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1);
      const t10 = f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1);
      const t11 = f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1);
      const oi = out + <usize>i * on, oi1 = out + <usize>i1 * on;
      const pj = <usize>j << 3, pj1 = <usize>j1 << 3;
      if (accumulate) {
        store<f64>(oi + pj, load<f64>(oi + pj) + t00);
        if (j1 != j && j1 <= i) store<f64>(oi + pj1, load<f64>(oi + pj1) + t01);
        if (i1 != i) {
          store<f64>(oi1 + pj, load<f64>(oi1 + pj) + t10);
          if (j1 != j) store<f64>(oi1 + pj1, load<f64>(oi1 + pj1) + t11);
        }
      } else {
        store<f64>(oi + pj, t00);
        if (j1 != j && j1 <= i) store<f64>(oi + pj1, t01);
        if (i1 != i) {
          store<f64>(oi1 + pj, t10);
          if (j1 != j) store<f64>(oi1 + pj1, t11);
        }
      }
    }
  }
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      store<f64>(out + <usize>j * on + (<usize>i << 3), load<f64>(out + <usize>i * on + (<usize>j << 3)));
    }
  }
}

/** Scratch bytes sl_gram / sl_gram_update need for n trials and at most m voxels per call. */
export function sl_work_bytes(n: i32, m: i32): usize {
  return 2 * <usize>n * (<usize>((m + 3) & ~3) << 2) + 64;
}

/**
 * out (n x n f64) = sum over the m voxels idx[0..m) of x_v x_v^T (the sphere's Gram matrix).
 * work: sl_work_bytes(n, m) bytes, 16-byte aligned.
 */
export function sl_gram(xt: usize, ldx: i32, n: i32, idx: usize, m: i32, work: usize, out: usize): void {
  const m4 = gatherRows(xt, ldx, n, idx, m, m, work, 0);
  lowerProduct(work, work, n, m4, out, false);
}

/**
 * In place, out += sum_{a < mAdd} x_a x_a^T - sum_{mAdd <= a < m} x_a x_a^T for the voxels
 * idx[0..m): the Gram matrix of a sphere that gains idx[0..mAdd) and loses idx[mAdd..m).
 * work: sl_work_bytes(n, m) bytes.
 */
export function sl_gram_update(xt: usize, ldx: i32, n: i32, idx: usize, m: i32, mAdd: i32, work: usize, out: usize): void {
  if (m == 0) return;
  const m4 = (m + 3) & ~3;
  const tmp2 = work + <usize>n * (<usize>m4 << 2);
  gatherRows(xt, ldx, n, idx, m, mAdd, work, tmp2);
  lowerProduct(work, tmp2, n, m4, out, true);
}
