// Dual solvers for the decoders (src/core/mvpa/models): libsvm's C-SVC SMO and the dense f64
// linear algebra of the Newton logistic and ridge fits.
//
// Determinism: every function here performs exactly the floating-point operations, in the same
// order, as its TypeScript twin (src/core/mvpa/models/svc.ts, linalg.ts), so the wasm and the JS
// paths give bit-identical fits. SIMD is used only where each lane repeats the scalar sequence of
// one element (G and G_bar updates, axpy) or where the TS twin sums in the same two-lane order
// (dot2: even indices in lane 0, odd in lane 1, lane 0 + lane 1, then the odd tail).

const TAU: f64 = 1e-12;
const LOWER: u8 = 0;
const UPPER: u8 = 1;
const FREE: u8 = 2;

// ------------------------------------------------------------------------------------------- SMO
// libsvm keeps Q = (y y^T) o K (f32) and the gradient G. This port keeps the unsigned f32 kernel
// Kf = (f32)K (Q_ij = y_i y_j Kf_ij) and H = y o G. Every libsvm quantity is an exact sign flip of
// these (IEEE rounding is symmetric), so the iterates are bit-identical to libsvm's while the hot
// loops need no sign work:
//   -y_t G_t = -H_t;  y_j G_j = H_j;  grad_diff = Gmax + H_j;
//   QD_i + QD_j -+ 2 y_i Q_ij (both WSS cases and both update cases) = (QD_i + QD_j) - 2 Kf_ij;
//   G_k + (Q_ik da_i + Q_jk da_j)  <=>  H_k + (Kf_ik (y_i da_i) + Kf_jk (y_j da_j));
//   y_i G_i (rho) = H_i.
// The hot loops run over whole blocks of 4 (l4 = l rounded up to 4; vectors and rows are padded
// with zeros): the up to 3 positions past activeSize are either padding or shrunk variables,
// whose H libsvm never reads before reconstructGradient rewrites it, and whose set penalties are
// -inf (never selected).
// Solver state: instance globals (each worker instantiates its own copy; linear memory holds
// only the caller's buffers).
let l: i32 = 0;
let l4: i32 = 0;
let Kfp: usize = 0;  // f32 l x l4, (f32)K in libsvm's order; rows/columns swapped by shrinking
let QDp: usize = 0;  // f64 diag(K)
let Cp: usize = 0;   // f64 upper bounds
let Ap: usize = 0;   // f64 alpha
let Hp: usize = 0;   // f64 H = y o G
let GBp: usize = 0;  // f64 G_bar (libsvm's, not sign-folded)
let Yp: usize = 0;   // f64 +-1
let ACTp: usize = 0; // i32 active_set
let STp: usize = 0;  // u8 alpha_status
// Set penalties (f64): -0 when t is active and in the set, -inf otherwise; x + (-0) = x exactly.
let UPp: usize = 0;  // I_up:  y=+1 not at C, or y=-1 not at 0
let LOWp: usize = 0; // I_low: y=+1 not at 0, or y=-1 not at C
let RDp: usize = 0;  // f64 l x l4: 1 / quad_ab (WSS's quad, TAU when <= 0); a row is filled on first use
let RDok: usize = 0; // u8 per row of RD: 1 once filled
let SCp: usize = 0;  // f64 l4: values of the current selection scan
let activeSize: i32 = 0;
let unshrink: bool = false;
let outI: i32 = -1;
let outJ: i32 = -1;
let sEps: f64 = 0;
// WSS's first half (i = argmax over I_up of -H), computed while H is updated (updateHAndSelectI).
let cachedGmax: f64 = 0;
let cachedGmaxIdx: i32 = -1;

@inline function ld(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline function st(base: usize, i: i32, v: f64): void { store<f64>(base + (<usize>i << 3), v); }
@inline function kf(row: usize, k: i32): f64 { return <f64>load<f32>(row + (<usize>k << 2)); }
@inline function status(i: i32): u8 { return load<u8>(STp + <usize>i); }
@inline function krow(i: i32): usize { return Kfp + ((<usize>i * <usize>l4) << 2); }
@inline function rdrow(i: i32): usize { return RDp + ((<usize>i * <usize>l4) << 3); }
/** libsvm's G_i. */
@inline function grad(i: i32): f64 { return ld(Yp, i) * ld(Hp, i); }
/** libsvm's Q_ij (as the f64 value of its f32 cache entry). */
@inline function qij(ri: usize, i: i32, j: i32): f64 { return ld(Yp, i) * ld(Yp, j) * kf(ri, j); }
/** a > b ? a : b without f64.max's NaN and signed-zero handling (no NaN reaches it). */
@inline function gtmax(a: f64, b: f64): f64 { return a > b ? a : b; }

@inline function align16(x: usize): usize { return (x + 15) & ~(<usize>15); }

/** Bytes of the work area svc_solve needs for n samples. */
export function svc_work_bytes(n: i32): usize {
  const nn = <usize>n, n4 = <usize>((n + 3) & ~3);
  return align16(nn * n4 * 4) + align16(nn * n4 * 8) + 9 * n4 * 8 + align16(nn * 4) + 2 * align16(nn);
}

function setMasks(i: i32): void {
  const s = status(i);
  const pos = ld(Yp, i) == 1;
  const o = <usize>i << 3;
  store<f64>(UPp + o, (pos ? s != UPPER : s != LOWER) ? -0.0 : -Infinity);
  store<f64>(LOWp + o, (pos ? s != LOWER : s != UPPER) ? -0.0 : -Infinity);
}

function updateStatus(i: i32): void {
  const a = ld(Ap, i);
  store<u8>(STp + <usize>i, a >= ld(Cp, i) ? UPPER : a <= 0 ? LOWER : FREE);
  setMasks(i);
}

@inline function swap64(base: usize, i: i32, j: i32): void {
  const pi = base + (<usize>i << 3), pj = base + (<usize>j << 3);
  const t = load<u64>(pi); store<u64>(pi, load<u64>(pj)); store<u64>(pj, t);
}

function swapIndex(i: i32, j: i32): void {
  if (i == j) return;
  swap64(Yp, i, j);
  swap64(Hp, i, j);
  const si = status(i); store<u8>(STp + <usize>i, status(j)); store<u8>(STp + <usize>j, si);
  swap64(Ap, i, j);
  const ai = load<i32>(ACTp + (<usize>i << 2));
  store<i32>(ACTp + (<usize>i << 2), load<i32>(ACTp + (<usize>j << 2)));
  store<i32>(ACTp + (<usize>j << 2), ai);
  swap64(GBp, i, j);
  swap64(Cp, i, j);
  swap64(QDp, i, j);
  swap64(UPp, i, j);
  swap64(LOWp, i, j);
  const ri = krow(i), rj = krow(j);
  for (let k = 0; k < l; k++) {
    const o = <usize>k << 2;
    const t = load<f32>(ri + o); store<f32>(ri + o, load<f32>(rj + o)); store<f32>(rj + o, t);
  }
  const oi = <usize>i << 2, oj = <usize>j << 2;
  for (let k = 0; k < l; k++) {
    const r = krow(k);
    const t = load<f32>(r + oi); store<f32>(r + oi, load<f32>(r + oj)); store<f32>(r + oj, t);
  }
  // RD like Kf: rows (with their filled flags), then columns (harmless in unfilled rows).
  const di = rdrow(i), dj = rdrow(j);
  for (let k = 0; k < l; k++) {
    const o = <usize>k << 3;
    const t = load<u64>(di + o); store<u64>(di + o, load<u64>(dj + o)); store<u64>(dj + o, t);
  }
  const fi = load<u8>(RDok + <usize>i); store<u8>(RDok + <usize>i, load<u8>(RDok + <usize>j)); store<u8>(RDok + <usize>j, fi);
  for (let k = 0; k < l; k++) swap64(rdrow(k), i, j);
}

/** Row i of RD: 1 / quad_ib with quad_ib = (QD_i + QD_b) - 2 Kf_ib, TAU when not positive (WSS3's). */
function fillRdRow(i: i32): void {
  const ri = krow(i), di = rdrow(i);
  const vQDi = f64x2.splat(ld(QDp, i)), two = f64x2.splat(2.0), zero = f64x2.splat(0);
  const one = f64x2.splat(1.0), tau = f64x2.splat(TAU);
  for (let b = 0; b < l4; b += 2) {
    const k = f64x2.promote_low_f32x4(v128.load64_zero(ri + (<usize>b << 2)));
    const quad = f64x2.sub(f64x2.add(vQDi, v128.load(QDp + (<usize>b << 3))), f64x2.mul(two, k));
    v128.store(di + (<usize>b << 3), f64x2.div(one, v128.bitselect(quad, tau, f64x2.gt(quad, zero))));
  }
  store<u8>(RDok + <usize>i, 1);
}

function reconstructGradient(): void {
  if (activeSize == l) return;
  for (let j = activeSize; j < l; j++) st(Hp, j, ld(Yp, j) * (ld(GBp, j) - 1));
  let nrFree = 0;
  for (let j = 0; j < activeSize; j++) if (status(j) == FREE) nrFree++;
  if (nrFree * l > 2 * activeSize * (l - activeSize)) {
    for (let i = activeSize; i < l; i++) {
      const ri = krow(i);
      let g = grad(i);
      for (let j = 0; j < activeSize; j++) if (status(j) == FREE) g += ld(Ap, j) * qij(ri, i, j);
      st(Hp, i, ld(Yp, i) * g);
    }
  } else {
    for (let i = 0; i < activeSize; i++) {
      if (status(i) != FREE) continue;
      const ri = krow(i);
      const ai = ld(Ap, i);
      for (let j = activeSize; j < l; j++) st(Hp, j, ld(Yp, j) * (grad(j) + ai * qij(ri, i, j)));
    }
  }
}

/** libsvm's reconstruct_gradient + active_size = l (the set penalties of the returning variables too). */
function unshrinkAll(): void {
  if (activeSize == l) return;
  reconstructGradient();
  for (let j = activeSize; j < l; j++) setMasks(j);
  activeSize = l;
}

/** The i half of WSS3 over the current H and penalties (sets cachedGmax / cachedGmaxIdx). */
function selectI(): void {
  const hp = Hp, up = UPp, sc = SCp;
  let best = f64x2.splat(-Infinity);
  const end = <usize>((activeSize + 3) & ~3) << 3;
  for (let o: usize = 0; o < end; o += 32) {
    const v0 = f64x2.sub(v128.load(up + o), v128.load(hp + o));
    const v1 = f64x2.sub(v128.load(up + o + 16), v128.load(hp + o + 16));
    v128.store(sc + o, v0);
    v128.store(sc + o + 16, v1);
    best = f64x2.pmax(best, f64x2.pmax(v0, v1));
  }
  finishI(best);
}

/**
 * Ends the i search: SC[t] holds -H_t over I_up (-inf elsewhere) for t below activeSize rounded
 * up to 4, `best` its two-lane maximum. libsvm's choice is the largest t holding the maximum (its
 * `>=` keeps the last one); -1 when I_up is empty.
 */
@inline function finishI(best: v128): void {
  const sc = SCp;
  const Gmax = gtmax(f64x2.extract_lane(best, 0), f64x2.extract_lane(best, 1));
  let idx = -1;
  if (Gmax != -Infinity) {
    const vg = f64x2.splat(Gmax);
    let u = (activeSize + 3) & ~3;
    while (u > 0) {
      u -= 4;
      const p = sc + (<usize>u << 3);
      const e0 = f64x2.eq(v128.load(p), vg), e1 = f64x2.eq(v128.load(p + 16), vg);
      if (v128.any_true(v128.or(e0, e1))) {
        idx = i64x2.extract_lane(e1, 1) != 0 ? u + 3 : i64x2.extract_lane(e1, 0) != 0 ? u + 2 : i64x2.extract_lane(e0, 1) != 0 ? u + 1 : u;
        break;
      }
    }
  }
  cachedGmaxIdx = idx;
  cachedGmax = Gmax;
}

/** libsvm's r_j = grad_diff^2 / quad_ij for the WSS3 j search (objDiff_j = -r_j). */
@inline function ratio(ri: usize, QDi: f64, Gmax: f64, j: i32): f64 {
  const gd = Gmax + ld(Hp, j);
  const quad = QDi + ld(QDp, j) - 2.0 * kf(ri, j);
  return (gd * gd) / (quad > 0 ? quad : TAU);
}

/**
 * libsvm's select_working_set (WSS3); true when optimal:
 *   i: the last t maximising -H_t over I_up (finishI);
 *   j: over I_low with grad_diff = Gmax + H_j > 0, the last j minimising
 *      objDiff_j = -(grad_diff^2) / quad_ij, quad_ij = (QD_i + QD_j) - 2 Kf_ij (<= 0 -> TAU),
 *      i.e. maximising r_j = grad_diff^2 / quad_ij (negation is exact);
 *   Gmax2 = max over I_low of H_j; optimal when Gmax + Gmax2 < eps or there is no j.
 * One branch-free pass computes Gmax2 and rt_j = grad_diff^2 * RD_ij (RD_ij = fl(1 / quad_ij), so
 * rt_j = r_j (1 + d), |d| <= 3 * 2^-53; rt_j = 0 when grad_diff <= 0, -inf outside I_low), and
 * the largest and second largest rt. Any j with rt_j < max(rt) (1 - 1e-14) has r_j below the
 * largest r and cannot be libsvm's j. Usually the maximiser is alone above that threshold and is
 * the answer; otherwise libsvm's own r_j (one division) is compared at the few j above it, in
 * increasing j with libsvm's tie rule. The i half usually comes from the H update of the previous
 * iteration (haveI).
 */
function selectWorkingSet(haveI: bool): bool {
  if (!haveI) selectI();
  const Gmax = cachedGmax;
  const i = cachedGmaxIdx;
  if (i == -1) return true; // libsvm: Gmin_idx == -1 (no i, so no j)
  if (load<u8>(RDok + <usize>i) == 0) fillRdRow(i);
  const n = activeSize, hp = Hp, lowp = LOWp, sc = SCp;
  const di = rdrow(i);
  const vGmax = f64x2.splat(Gmax), vzero = f64x2.splat(0), ninf = f64x2.splat(-Infinity);
  let g2 = ninf, m1 = ninf, m2 = ninf;
  const end = <usize>((n + 3) & ~3) << 3;
  for (let o: usize = 0; o < end; o += 32) {
    const p0 = v128.load(lowp + o), p1 = v128.load(lowp + o + 16);
    const H0 = v128.load(hp + o), H1 = v128.load(hp + o + 16);
    g2 = f64x2.pmax(g2, f64x2.pmax(f64x2.add(H0, p0), f64x2.add(H1, p1)));
    const gd0 = f64x2.add(vGmax, H0), gd1 = f64x2.add(vGmax, H1);
    const r0 = f64x2.mul(f64x2.mul(gd0, gd0), v128.load(di + o));
    const r1 = f64x2.mul(f64x2.mul(gd1, gd1), v128.load(di + o + 16));
    const v0 = f64x2.add(v128.and(r0, f64x2.gt(gd0, vzero)), p0);
    const v1 = f64x2.add(v128.and(r1, f64x2.gt(gd1, vzero)), p1);
    v128.store(sc + o, v0);
    v128.store(sc + o + 16, v1);
    // top two of {m1, m2} u {v0, v1} per lane
    const hi = f64x2.pmax(v0, v1), lo = f64x2.pmin(v0, v1);
    m2 = f64x2.pmax(f64x2.pmax(m2, lo), f64x2.pmin(m1, hi));
    m1 = f64x2.pmax(m1, hi);
  }
  const Gmax2 = gtmax(f64x2.extract_lane(g2, 0), f64x2.extract_lane(g2, 1));
  if (Gmax + Gmax2 < sEps) return true;
  const a0 = f64x2.extract_lane(m1, 0), a1 = f64x2.extract_lane(m1, 1);
  const M = gtmax(a0, a1);
  const second = gtmax(a0 > a1 ? a1 : a0, gtmax(f64x2.extract_lane(m2, 0), f64x2.extract_lane(m2, 1)));
  const ri = krow(i);
  const QDi = ld(QDp, i);
  let best = -1.0;
  let bestIdx = -1;
  if (!(M > 1e-280)) {
    // No j, or ratios so small that the products may be subnormal: libsvm's scan as written.
    for (let j = 0; j < n; j++) {
      if (ld(lowp, j) != 0 || !(Gmax + ld(hp, j) > 0)) continue;
      const r = ratio(ri, QDi, Gmax, j);
      if (r >= best) { best = r; bestIdx = j; }
    }
    if (bestIdx == -1) return true;
  } else {
    const thr = M * (1 - 1e-14);
    if (second < thr) {
      // The maximiser is the only candidate.
      const vm = f64x2.splat(M);
      for (let j = 0; ; j += 4) {
        const p = sc + (<usize>j << 3);
        const e0 = f64x2.eq(v128.load(p), vm), e1 = f64x2.eq(v128.load(p + 16), vm);
        if (v128.any_true(v128.or(e0, e1))) {
          bestIdx = i64x2.extract_lane(e0, 0) != 0 ? j : i64x2.extract_lane(e0, 1) != 0 ? j + 1 : i64x2.extract_lane(e1, 0) != 0 ? j + 2 : j + 3;
          break;
        }
      }
    } else {
      for (let j = 0; j < n; j++) {
        if (ld(sc, j) >= thr) {
          const r = ratio(ri, QDi, Gmax, j);
          if (r >= best) { best = r; bestIdx = j; }
        }
      }
    }
  }
  outI = i;
  outJ = bestIdx;
  return false;
}

function beShrunk(i: i32, Gmax1: f64, Gmax2: f64): bool {
  const s = status(i);
  const Gi = grad(i);
  if (s == UPPER) return ld(Yp, i) == 1 ? -Gi > Gmax1 : -Gi > Gmax2;
  if (s == LOWER) return ld(Yp, i) == 1 ? Gi > Gmax2 : Gi > Gmax1;
  return false;
}

function doShrinking(): void {
  let Gmax1 = -Infinity, Gmax2 = -Infinity;
  for (let i = 0; i < activeSize; i++) {
    const Gi = grad(i);
    const s = status(i);
    if (ld(Yp, i) == 1) {
      if (s != UPPER && -Gi >= Gmax1) Gmax1 = -Gi;
      if (s != LOWER && Gi >= Gmax2) Gmax2 = Gi;
    } else {
      if (s != UPPER && -Gi >= Gmax2) Gmax2 = -Gi;
      if (s != LOWER && Gi >= Gmax1) Gmax1 = Gi;
    }
  }
  if (!unshrink && Gmax1 + Gmax2 <= sEps * 10) {
    unshrink = true;
    unshrinkAll();
  }
  const before = activeSize;
  for (let i = 0; i < activeSize; i++) {
    if (beShrunk(i, Gmax1, Gmax2)) {
      activeSize--;
      while (activeSize > i) {
        if (!beShrunk(activeSize, Gmax1, Gmax2)) { swapIndex(i, activeSize); break; }
        activeSize--;
      }
    }
  }
  for (let j = activeSize; j < before; j++) {
    st(UPp, j, -Infinity);
    st(LOWp, j, -Infinity);
  }
}

/**
 * H[k] += Kf_ik u_i + Kf_jk u_j for k below activeSize rounded up to 4 (each lane: the scalar
 * sequence of one k), and in the same pass the i half of the next working-set selection over the
 * new H (penalties must be up to date).
 */
function updateHAndSelectI(ri: usize, rj: usize, ui: f64, uj: f64): void {
  const vi = f64x2.splat(ui), vj = f64x2.splat(uj);
  const hp = Hp, up = UPp, sc = SCp;
  let best = f64x2.splat(-Infinity);
  const end = <usize>((activeSize + 3) & ~3) << 3;
  for (let o: usize = 0, q: usize = 0; o < end; o += 32, q += 16) {
    const a = v128.load(ri + q), b = v128.load(rj + q);
    const a0 = f64x2.promote_low_f32x4(a), a1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1));
    const b0 = f64x2.promote_low_f32x4(b), b1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 0, 1));
    const h0 = f64x2.add(v128.load(hp + o), f64x2.add(f64x2.mul(a0, vi), f64x2.mul(b0, vj)));
    const h1 = f64x2.add(v128.load(hp + o + 16), f64x2.add(f64x2.mul(a1, vi), f64x2.mul(b1, vj)));
    v128.store(hp + o, h0);
    v128.store(hp + o + 16, h1);
    const v0 = f64x2.sub(v128.load(up + o), h0), v1 = f64x2.sub(v128.load(up + o + 16), h1);
    v128.store(sc + o, v0);
    v128.store(sc + o + 16, v1);
    best = f64x2.pmax(best, f64x2.pmax(v0, v1));
  }
  finishI(best);
}

/** G_bar[k] +- C Q_rk for k < l, with C Q_rk = y_k ((C y_r) Kf_rk). */
function updateGbar(r: usize, Cy: f64, add: bool): void {
  const vc = f64x2.splat(Cy);
  for (let k = 0; k < l4; k += 2) {
    const a = f64x2.mul(v128.load(Yp + (<usize>k << 3)), f64x2.mul(vc, f64x2.promote_low_f32x4(v128.load64_zero(r + (<usize>k << 2)))));
    const gp = GBp + (<usize>k << 3);
    const g = v128.load(gp);
    v128.store(gp, add ? f64x2.add(g, a) : f64x2.sub(g, a));
  }
}

/**
 * libsvm's C-SVC (Solver::Solve with p = -e, alpha = 0, shrinking) on the training Gram matrix
 * K (n x n f64, row-major, original sample order). perm (n i32) lists the samples in libsvm's
 * order: the n0 samples of class 0 first (internal y = +1, bound C0), then class 1 (y = -1,
 * bound C1). work: svc_work_bytes(n) bytes, 16-byte aligned.
 * out (n + 3 f64): coef in the original order with scikit-learn's sign (decision > 0 => class 1),
 * then rho (the intercept), the iteration count, and 1 if converged (0 if maxIter was reached).
 */
export function svc_solve(K: usize, n: i32, perm: usize, n0: i32, C0: f64, C1: f64, eps: f64, maxIter: i32, work: usize, out: usize): void {
  svc_solve_ld(K, n, n, perm, n0, C0, C1, eps, maxIter, work, out);
}

/**
 * svc_solve on the samples perm[0..n) of a larger Gram matrix K (row stride ldk >= n; the
 * searchlight's sphere matrix, indexed by the fold's training samples): out (ldk + 3 f64) gets
 * coef at the samples' own indices perm[a] (other entries untouched), then rho, the iteration
 * count and the convergence flag at ldk, ldk + 1, ldk + 2.
 */
export function svc_solve_ld(K: usize, ldk: i32, n: i32, perm: usize, n0: i32, C0: f64, C1: f64, eps: f64, maxIter: i32, work: usize, out: usize): void {
  l = n;
  l4 = (n + 3) & ~3;
  const nn = <usize>n, n4 = <usize>l4;
  Kfp = work;
  RDp = Kfp + align16(nn * n4 * 4);
  QDp = RDp + align16(nn * n4 * 8);
  Cp = QDp + n4 * 8;
  Ap = Cp + n4 * 8;
  Hp = Ap + n4 * 8;
  GBp = Hp + n4 * 8;
  Yp = GBp + n4 * 8;
  UPp = Yp + n4 * 8;
  LOWp = UPp + n4 * 8;
  SCp = LOWp + n4 * 8;
  ACTp = SCp + n4 * 8;
  STp = ACTp + align16(nn * 4);
  RDok = STp + align16(nn);
  sEps = eps;

  for (let a = 0; a < n; a++) {
    const pa = load<i32>(perm + (<usize>a << 2));
    const posA = a < n0;
    const ya = posA ? 1.0 : -1.0;
    st(Yp, a, ya);
    st(Cp, a, posA ? C0 : C1);
    const ka = K + ((<usize>pa * <usize>ldk) << 3);
    st(QDp, a, load<f64>(ka + (<usize>pa << 3)));
    const ra = krow(a);
    for (let b = 0; b < n; b++) {
      store<f32>(ra + (<usize>b << 2), <f32>load<f64>(ka + (<usize>load<i32>(perm + (<usize>b << 2)) << 3)));
    }
    for (let b = n; b < l4; b++) store<f32>(ra + (<usize>b << 2), 0);
    st(Ap, a, 0);
    store<u8>(STp + <usize>a, LOWER);
    store<i32>(ACTp + (<usize>a << 2), a);
    st(Hp, a, -ya); // G = p = -1
    st(GBp, a, 0);
    setMasks(a);
    store<u8>(RDok + <usize>a, 0);
  }
  for (let a = n; a < l4; a++) {
    st(Yp, a, 0); st(Cp, a, 0); st(QDp, a, 0); st(Ap, a, 0); st(Hp, a, 0); st(GBp, a, 0);
    st(UPp, a, -Infinity); st(LOWp, a, -Infinity); st(SCp, a, -Infinity);
  }
  activeSize = l;
  unshrink = false;
  let iter = 0;
  let counter = min(l, 1000) + 1;
  let converged = true;
  let haveI = false;

  while (true) {
    if (iter >= maxIter) { converged = false; break; }
    if (--counter == 0) {
      counter = min(l, 1000);
      doShrinking();
      haveI = false; // shrinking may reorder and shorten the active set
    }
    if (selectWorkingSet(haveI)) {
      unshrinkAll();
      if (selectWorkingSet(false)) break;
      counter = 1;
    }
    ++iter;
    const i = outI, j = outJ;
    const ri = krow(i), rj = krow(j);
    const yi = ld(Yp, i), yj = ld(Yp, j);
    const Ci = ld(Cp, i), Cj = ld(Cp, j);
    const Gi = yi * ld(Hp, i), Gj = yj * ld(Hp, j);
    const Qij = yi * yj * kf(ri, j);
    const oldAi = ld(Ap, i), oldAj = ld(Ap, j);
    let ai = oldAi, aj = oldAj;
    if (yi != yj) {
      let quad = ld(QDp, i) + ld(QDp, j) + 2 * Qij;
      if (quad <= 0) quad = TAU;
      const delta = (-Gi - Gj) / quad;
      const diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) { aj = 0; ai = diff; }
      } else if (ai < 0) { ai = 0; aj = -diff; }
      if (diff > Ci - Cj) {
        if (ai > Ci) { ai = Ci; aj = Ci - diff; }
      } else if (aj > Cj) { aj = Cj; ai = Cj + diff; }
    } else {
      let quad = ld(QDp, i) + ld(QDp, j) - 2 * Qij;
      if (quad <= 0) quad = TAU;
      const delta = (Gi - Gj) / quad;
      const sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > Ci) {
        if (ai > Ci) { ai = Ci; aj = sum - Ci; }
      } else if (aj < 0) { aj = 0; ai = sum; }
      if (sum > Cj) {
        if (aj > Cj) { aj = Cj; ai = sum - Cj; }
      } else if (ai < 0) { ai = 0; aj = sum; }
    }
    st(Ap, i, ai);
    st(Ap, j, aj);
    // libsvm updates G, then the status and G_bar; the status does not depend on G, so it goes
    // first here and the H update can search the next i under the new penalties.
    const ui = status(i) == UPPER, uj = status(j) == UPPER;
    updateStatus(i);
    updateStatus(j);
    if (ui != (status(i) == UPPER)) updateGbar(ri, Ci * yi, !ui);
    if (uj != (status(j) == UPPER)) updateGbar(rj, Cj * yj, !uj);
    updateHAndSelectI(ri, rj, yi * (ai - oldAi), yj * (aj - oldAj));
    haveI = true;
  }
  if (!converged) unshrinkAll();

  // calculate_rho (libsvm's y_i G_i is H_i)
  let nrFree = 0;
  let ub = Infinity, lb = -Infinity, sumFree = 0.0;
  for (let i = 0; i < activeSize; i++) {
    const yi = ld(Yp, i);
    const yG = ld(Hp, i);
    const s = status(i);
    if (s == UPPER) {
      if (yi == -1) ub = min(ub, yG); else lb = max(lb, yG);
    } else if (s == LOWER) {
      if (yi == 1) ub = min(ub, yG); else lb = max(lb, yG);
    } else { ++nrFree; sumFree += yG; }
  }
  const rho = nrFree > 0 ? sumFree / <f64>nrFree : (ub + lb) / 2;

  for (let i = 0; i < n; i++) {
    const pos = load<i32>(ACTp + (<usize>i << 2));
    const al = ld(Ap, i);
    st(out, load<i32>(perm + (<usize>pos << 2)), pos < n0 ? 0.0 - al : al);
  }
  st(out, ldk, rho);
  st(out, ldk + 1, <f64>iter);
  st(out, ldk + 2, converged ? 1.0 : 0.0);
}

// ------------------------------------------------------------------------------ dense f64 algebra

/** sum x[k] y[k], k < len, in two lanes (even k, odd k), lane0 + lane1, then the odd tail. */
@inline function dot2(x: usize, y: usize, len: i32): f64 {
  let acc = f64x2.splat(0);
  let k = 0;
  for (; k + 2 <= len; k += 2) {
    const o = <usize>k << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (k < len) s += ld(x, k) * ld(y, k);
  return s;
}

/**
 * In place lower Cholesky of A (n x n f64 row-major, symmetric positive definite; the lower
 * triangle is read and overwritten, the strict upper triangle is not touched). Returns 1, or 0
 * when a pivot is not positive.
 */
export function chol_f64(A: usize, n: i32): i32 {
  const rs = <usize>n << 3;
  for (let j = 0; j < n; j++) {
    const rj = A + <usize>j * rs;
    const s = ld(rj, j) - dot2(rj, rj, j);
    if (!(s > 0)) return 0;
    const d = Math.sqrt(s);
    st(rj, j, d);
    const inv = 1 / d;
    let i = j + 1;
    // Four rows at a time share the loads of row j; each entry is still its own dot2 (same
    // lanes, same order), so the factor is bit-identical to one row at a time.
    for (; i + 4 <= n; i += 4) {
      const r0 = A + <usize>i * rs, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let k = 0;
      for (; k + 2 <= j; k += 2) {
        const o = <usize>k << 3;
        const v = v128.load(rj + o);
        a0 = f64x2.add(a0, f64x2.mul(v128.load(r0 + o), v));
        a1 = f64x2.add(a1, f64x2.mul(v128.load(r1 + o), v));
        a2 = f64x2.add(a2, f64x2.mul(v128.load(r2 + o), v));
        a3 = f64x2.add(a3, f64x2.mul(v128.load(r3 + o), v));
      }
      let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
      let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
      let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
      let s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
      if (k < j) {
        const y = ld(rj, k);
        s0 += ld(r0, k) * y; s1 += ld(r1, k) * y; s2 += ld(r2, k) * y; s3 += ld(r3, k) * y;
      }
      st(r0, j, (ld(r0, j) - s0) * inv);
      st(r1, j, (ld(r1, j) - s1) * inv);
      st(r2, j, (ld(r2, j) - s2) * inv);
      st(r3, j, (ld(r3, j) - s3) * inv);
    }
    for (; i < n; i++) {
      const ri = A + <usize>i * rs;
      st(ri, j, (ld(ri, j) - dot2(ri, rj, j)) * inv);
    }
  }
  return 1;
}

/** In place b <- (L L^T)^-1 b for the factor of chol_f64 (forward by rows, backward by axpy). */
export function chol_solve_f64(L: usize, n: i32, b: usize): void {
  const rs = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const ri = L + <usize>i * rs;
    st(b, i, (ld(b, i) - dot2(ri, b, i)) / ld(ri, i));
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = L + <usize>i * rs;
    const bi = ld(b, i) / ld(ri, i);
    st(b, i, bi);
    const v = f64x2.splat(bi);
    let k = 0;
    for (; k + 2 <= i; k += 2) {
      const o = <usize>k << 3;
      v128.store(b + o, f64x2.sub(v128.load(b + o), f64x2.mul(v128.load(ri + o), v)));
    }
    for (; k < i; k++) st(b, k, ld(b, k) - ld(ri, k) * bi);
  }
}

/** out[i] = dot2(K row i, v, n) for K n x n f64 row-major. */
export function symv_f64(K: usize, n: i32, v: usize, out: usize): void {
  const rs = <usize>n << 3;
  for (let i = 0; i < n; i++) st(out, i, dot2(K + <usize>i * rs, v, n));
}

/**
 * M = I + diag(d) K diag(d) on the lower triangle (M[i,j] = (d_i K_ij) d_j, then + 1 on the
 * diagonal), then chol_f64(M). Returns chol_f64's result.
 */
export function newton_system_f64(K: usize, n: i32, d: usize, M: usize): i32 {
  const rs = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const ki = K + <usize>i * rs, mi = M + <usize>i * rs;
    const di = ld(d, i);
    const vd = f64x2.splat(di);
    let j = 0;
    for (; j + 2 <= i + 1; j += 2) {
      const o = <usize>j << 3;
      v128.store(mi + o, f64x2.mul(f64x2.mul(vd, v128.load(ki + o)), v128.load(d + o)));
    }
    for (; j <= i; j++) st(mi, j, di * ld(ki, j) * ld(d, j));
    st(mi, i, ld(mi, i) + 1);
  }
  return chol_f64(M, n);
}
