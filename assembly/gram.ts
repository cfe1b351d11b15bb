// Gram matrices and column scaling for the dual decoders.

/** Columns per chunk: the n rows of one chunk (n x PC f32) stay in L2 while all row pairs use it. */
const PC: i32 = 1024;

/**
 * out (n x n f64, row-major) = X X^T for X (n x p f32, row-major). Products of two f32 are exact
 * in f64 and sums are f64. Computed on the lower triangle in 2x2 row blocks over column chunks,
 * then mirrored, so out is exactly symmetric. The summation order depends only on (n, p).
 */
export function gram_f32(x: usize, n: i32, p: i32, out: usize): void {
  const rs = <usize>p << 2;
  const on = <usize>n << 3;
  memory.fill(out, 0, <usize>n * on);
  for (let k0 = 0; k0 < p; k0 += PC) {
    const k1 = min(k0 + PC, p);
    for (let i = 0; i < n; i += 2) {
      const i1 = i + 1 < n ? i + 1 : i;
      const ra = x + <usize>i * rs, rb = x + <usize>i1 * rs;
      for (let j = 0; j <= i; j += 2) {
        const j1 = j + 1 < n ? j + 1 : j;
        const ca = x + <usize>j * rs, cb = x + <usize>j1 * rs;
        let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
        let k = k0;
        for (; k + 4 <= k1; k += 4) {
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
        let t00 = f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1);
        let t01 = f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1);
        let t10 = f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1);
        let t11 = f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1);
        for (; k < k1; k++) {
          const off = <usize>k << 2;
          const a = <f64>load<f32>(ra + off), b = <f64>load<f32>(rb + off);
          const c = <f64>load<f32>(ca + off), d = <f64>load<f32>(cb + off);
          t00 += a * c; t01 += a * d; t10 += b * c; t11 += b * d;
        }
        const oi = out + <usize>i * on, oi1 = out + <usize>i1 * on;
        const pj = <usize>j << 3, pj1 = <usize>j1 << 3;
        store<f64>(oi + pj, load<f64>(oi + pj) + t00);
        if (j1 != j && j1 <= i) store<f64>(oi + pj1, load<f64>(oi + pj1) + t01);
        if (i1 != i) {
          store<f64>(oi1 + pj, load<f64>(oi1 + pj) + t10);
          if (j1 != j) store<f64>(oi1 + pj1, load<f64>(oi1 + pj1) + t11);
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

/**
 * Column means and standard deviations of X (n x p f32, row-major), in f64:
 * mean[j] = sum_i x[i,j] / n, sd[j] = sqrt(sum_i (x[i,j] - mean[j])^2 / (n - ddof)).
 * Two passes (no cancellation). sdPtr 0 skips the deviations. ddof 0 matches scikit-learn's
 * StandardScaler; ddof 1 the sample SD.
 */
export function column_stats(x: usize, n: i32, p: i32, meanPtr: usize, sdPtr: usize, ddof: i32): void {
  const rs = <usize>p << 2;
  memory.fill(meanPtr, 0, <usize>p << 3);
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * rs;
    let j = 0;
    for (; j + 2 <= p; j += 2) {
      const m = meanPtr + (<usize>j << 3);
      v128.store(m, f64x2.add(v128.load(m), f64x2.promote_low_f32x4(v128.load64_zero(r + (<usize>j << 2)))));
    }
    for (; j < p; j++) {
      const m = meanPtr + (<usize>j << 3);
      store<f64>(m, load<f64>(m) + <f64>load<f32>(r + (<usize>j << 2)));
    }
  }
  const inv = 1.0 / <f64>n;
  for (let j = 0; j < p; j++) {
    const m = meanPtr + (<usize>j << 3);
    store<f64>(m, load<f64>(m) * inv);
  }
  if (sdPtr == 0) return;
  memory.fill(sdPtr, 0, <usize>p << 3);
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * rs;
    let j = 0;
    for (; j + 2 <= p; j += 2) {
      const s = sdPtr + (<usize>j << 3);
      const d = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(r + (<usize>j << 2))), v128.load(meanPtr + (<usize>j << 3)));
      v128.store(s, f64x2.add(v128.load(s), f64x2.mul(d, d)));
    }
    for (; j < p; j++) {
      const s = sdPtr + (<usize>j << 3);
      const d = <f64>load<f32>(r + (<usize>j << 2)) - load<f64>(meanPtr + (<usize>j << 3));
      store<f64>(s, load<f64>(s) + d * d);
    }
  }
  const dn = 1.0 / <f64>(n - ddof);
  for (let j = 0; j < p; j++) {
    const s = sdPtr + (<usize>j << 3);
    store<f64>(s, Math.sqrt(load<f64>(s) * dn));
  }
}

/**
 * In place, X (n x p f32, row-major): x[i,j] = (x[i,j] - center[j]) * scale[j] in f32.
 * center and scale are f32 arrays of length p; a 0 pointer skips that step.
 */
export function scale_columns(x: usize, n: i32, p: i32, centerPtr: usize, scalePtr: usize): void {
  const rs = <usize>p << 2;
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * rs;
    let j = 0;
    for (; j + 4 <= p; j += 4) {
      const o = <usize>j << 2;
      let v = v128.load(r + o);
      if (centerPtr != 0) v = f32x4.sub(v, v128.load(centerPtr + o));
      if (scalePtr != 0) v = f32x4.mul(v, v128.load(scalePtr + o));
      v128.store(r + o, v);
    }
    for (; j < p; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(r + o);
      if (centerPtr != 0) v = v - load<f32>(centerPtr + o);
      if (scalePtr != 0) v = v * load<f32>(scalePtr + o);
      store<f32>(r + o, v);
    }
  }
}

/** k rows per tile of the transposed scaled rows in scaled_gram_f64 (GT x m f64 stays in L1). */
const GT: i32 = 32;

/**
 * Train-fold scaling and the f64 Gram matrix of the decoders (src/core/mvpa/decode.ts):
 *   xs[a, k] = (f64(x[rows[a], k]) - mean[k]) / scale[k]   for the m rows (x: f32, row-major, p columns),
 *   out (m x m f64, row-major) = xs xs^T, exactly symmetric.
 * Every entry is summed over k in order from 0 (one f64 accumulator per pair: lanes are pairs,
 * never parts of one sum), so out is bit-identical to src/core/mvpa/scaling.ts gramF64 on the
 * same scaled rows. work: p * m f64 (xs transposed).
 */
export function scaled_gram_f64(x: usize, p: i32, rows: usize, m: i32, mean: usize, scale: usize, work: usize, out: usize): void {
  const mm = <usize>m;
  for (let a = 0; a < m; a++) {
    const src = x + ((<usize>load<i32>(rows + (<usize>a << 2)) * <usize>p) << 2);
    for (let k = 0; k < p; k++) {
      const ko = <usize>k << 3;
      store<f64>(work + ((<usize>k * mm + <usize>a) << 3), (<f64>load<f32>(src + (<usize>k << 2)) - load<f64>(mean + ko)) / load<f64>(scale + ko));
    }
  }
  memory.fill(out, 0, mm * mm * 8);
  for (let k0 = 0; k0 < p; k0 += GT) {
    const k1 = min(k0 + GT, p);
    for (let i = 0; i < m; i++) {
      const oi = out + ((<usize>i * mm) << 3);
      const io = <usize>i << 3;
      let j = 0;
      for (; j + 4 <= i + 1; j += 4) {
        const jo = <usize>j << 3;
        let acc0 = v128.load(oi + jo), acc1 = v128.load(oi + jo + 16);
        for (let k = k0; k < k1; k++) {
          const row = work + ((<usize>k * mm) << 3);
          const xi = f64x2.splat(load<f64>(row + io));
          acc0 = f64x2.add(acc0, f64x2.mul(xi, v128.load(row + jo)));
          acc1 = f64x2.add(acc1, f64x2.mul(xi, v128.load(row + jo + 16)));
        }
        v128.store(oi + jo, acc0);
        v128.store(oi + jo + 16, acc1);
      }
      for (; j <= i; j++) {
        const jo = <usize>j << 3;
        let s = load<f64>(oi + jo);
        for (let k = k0; k < k1; k++) {
          const row = work + ((<usize>k * mm) << 3);
          s += load<f64>(row + io) * load<f64>(row + jo);
        }
        store<f64>(oi + jo, s);
      }
    }
  }
  for (let i = 1; i < m; i++) {
    for (let j = 0; j < i; j++) {
      store<f64>(out + ((<usize>j * mm + <usize>i) << 3), load<f64>(out + ((<usize>i * mm + <usize>j) << 3)));
    }
  }
}
