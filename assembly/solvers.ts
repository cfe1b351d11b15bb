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
// Solver state: instance globals (each worker instantiates its own copy; linear memory holds
// only the caller's buffers).
let l: i32 = 0;
let Kfp: usize = 0;  // f32 l x l, (f32)K in libsvm's order; rows/columns swapped by shrinking
let QDp: usize = 0;  // f64 diag(K)
let Cp: usize = 0;   // f64 upper bounds
let Ap: usize = 0;   // f64 alpha
let Hp: usize = 0;   // f64 H = y o G
let GBp: usize = 0;  // f64 G_bar (libsvm's, not sign-folded)
let Yp: usize = 0;   // f64 +-1
let ACTp: usize = 0; // i32 active_set
let STp: usize = 0;  // u8 alpha_status
let UPm: usize = 0;  // i64 lane masks: -1 when t is in I_up  (y=+1 not at C, or y=-1 not at 0)
let LOWm: usize = 0; // i64 lane masks: -1 when t is in I_low (y=+1 not at 0, or y=-1 not at C)
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
@inline function krow(i: i32): usize { return Kfp + ((<usize>i * <usize>l) << 2); }
/** libsvm's G_i. */
@inline function grad(i: i32): f64 { return ld(Yp, i) * ld(Hp, i); }
/** libsvm's Q_ij (as the f64 value of its f32 cache entry). */
@inline function qij(ri: usize, i: i32, j: i32): f64 { return ld(Yp, i) * ld(Yp, j) * kf(ri, j); }

@inline function align16(x: usize): usize { return (x + 15) & ~(<usize>15); }

/** Bytes of the work area svc_solve needs for n samples. */
export function svc_work_bytes(n: i32): usize {
  const nn = <usize>n;
  return align16(nn * nn * 4) + 8 * align16(nn * 8) + align16(nn * 4) + align16(nn);
}

function setMasks(i: i32): void {
  const s = status(i);
  const pos = ld(Yp, i) == 1;
  const o = <usize>i << 3;
  store<i64>(UPm + o, (pos ? s != UPPER : s != LOWER) ? -1 : 0);
  store<i64>(LOWm + o, (pos ? s != LOWER : s != UPPER) ? -1 : 0);
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
  swap64(UPm, i, j);
  swap64(LOWm, i, j);
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

/** The i half of WSS3 over the current H and masks (sets cachedGmax / cachedGmaxIdx). */
function selectI(): void {
  const two = i64x2.splat(2);
  let idx = i64x2(0, 1);
  let best = f64x2.splat(-Infinity);
  let bestIdx = i64x2.splat(-1);
  let t = 0;
  for (; t + 2 <= activeSize; t += 2) {
    const o = <usize>t << 3;
    const v = f64x2.neg(v128.load(Hp + o));
    const take = v128.and(v128.load(UPm + o), f64x2.ge(v, best));
    best = v128.bitselect(v, best, take);
    bestIdx = v128.bitselect(idx, bestIdx, take);
    idx = i64x2.add(idx, two);
  }
  mergeI(best, bestIdx, t);
}

/** Merges the two lanes of the i search (equal values: the larger index) and scans the tail from t. */
@inline function mergeI(best: v128, bestIdx: v128, t: i32): void {
  let Gmax = f64x2.extract_lane(best, 0);
  let GmaxIdx = <i32>i64x2.extract_lane(bestIdx, 0);
  const v1 = f64x2.extract_lane(best, 1);
  const i1 = <i32>i64x2.extract_lane(bestIdx, 1);
  if (v1 > Gmax || (v1 == Gmax && i1 > GmaxIdx)) { Gmax = v1; GmaxIdx = i1; }
  for (; t < activeSize; t++) {
    if (load<i64>(UPm + (<usize>t << 3)) != 0) {
      const v = -ld(Hp, t);
      if (v >= Gmax) { Gmax = v; GmaxIdx = t; }
    }
  }
  cachedGmax = Gmax;
  cachedGmaxIdx = GmaxIdx;
}

/**
 * libsvm's select_working_set (WSS3); true when optimal. Two lanes scan even and odd t; each lane
 * keeps libsvm's tie rule (the last t wins: >= for i, <= for j), and the lanes are merged with
 * the same rule (equal values: the larger index), so the choice is exactly libsvm's:
 *   i: max over I_up of -H_t;
 *   j: over I_low with grad_diff = Gmax + H_j > 0, min of -grad_diff^2 / quad,
 *      quad = (QD_i + QD_j) - 2 Kf_ij (<= 0 -> TAU); Gmax2 = max over I_low of H_j.
 * A candidate j whose ratio grad_diff^2 / quad is below (1 - 1e-12) x the lane's best cannot win
 * (nor tie) after rounding, so its division is skipped. The i half is usually computed in the
 * same pass as the H update of the previous iteration (haveI).
 */
function selectWorkingSet(haveI: bool): bool {
  if (!haveI) selectI();
  const Gmax = cachedGmax;
  const GmaxIdx = cachedGmaxIdx;
  let Gmax2 = -Infinity;
  let GminIdx = -1;
  let objDiffMin = Infinity;
  const i = GmaxIdx;
  if (i != -1) {
    const ri = krow(i);
    const QDi = ld(QDp, i);
    const vGmax = f64x2.splat(Gmax), vQDi = f64x2.splat(QDi), vtwo = f64x2.splat(2.0);
    const vtau = f64x2.splat(TAU), vzero = f64x2.splat(0), vninf = f64x2.splat(-Infinity);
    const vslack = f64x2.splat(1 - 1e-12);
    let g2 = vninf;
    let omin = f64x2.splat(Infinity);
    let oidx = i64x2.splat(-1);
    const two = i64x2.splat(2);
    let idx = i64x2(0, 1);
    let j = 0;
    for (; j + 2 <= activeSize; j += 2) {
      const o = <usize>j << 3;
      const low = v128.load(LOWm + o);
      const H = v128.load(Hp + o);
      g2 = f64x2.pmax(g2, v128.bitselect(H, vninf, low));
      const gd = f64x2.add(vGmax, H);
      const kv = f64x2.promote_low_f32x4(v128.load64_zero(ri + (<usize>j << 2)));
      const quad = f64x2.sub(f64x2.add(vQDi, v128.load(QDp + o)), f64x2.mul(vtwo, kv));
      const quadE = v128.bitselect(quad, vtau, f64x2.gt(quad, vzero));
      const gd2 = f64x2.mul(gd, gd);
      const bound = f64x2.mul(f64x2.mul(f64x2.neg(omin), quadE), vslack);
      const cand = v128.and(v128.and(low, f64x2.gt(gd, vzero)), f64x2.ge(gd2, bound));
      if (v128.any_true(cand)) {
        const obj = f64x2.div(f64x2.neg(gd2), quadE);
        const take = v128.and(cand, f64x2.le(obj, omin));
        omin = v128.bitselect(obj, omin, take);
        oidx = v128.bitselect(idx, oidx, take);
      }
      idx = i64x2.add(idx, two);
    }
    Gmax2 = max(f64x2.extract_lane(g2, 0), f64x2.extract_lane(g2, 1));
    objDiffMin = f64x2.extract_lane(omin, 0);
    GminIdx = <i32>i64x2.extract_lane(oidx, 0);
    {
      const v1 = f64x2.extract_lane(omin, 1);
      const i1 = <i32>i64x2.extract_lane(oidx, 1);
      if (i1 != -1 && (v1 < objDiffMin || (v1 == objDiffMin && i1 > GminIdx))) { objDiffMin = v1; GminIdx = i1; }
    }
    for (; j < activeSize; j++) {
      if (load<i64>(LOWm + (<usize>j << 3)) == 0) continue;
      const H = ld(Hp, j);
      if (H >= Gmax2) Gmax2 = H;
      const gd = Gmax + H;
      if (gd > 0) {
        const quad = QDi + ld(QDp, j) - 2.0 * kf(ri, j);
        const objDiff = -(gd * gd) / (quad > 0 ? quad : TAU);
        if (objDiff <= objDiffMin) { GminIdx = j; objDiffMin = objDiff; }
      }
    }
  } else {
    // libsvm still scans I_low for Gmax2 (Gmax = -inf: no candidate j).
    for (let j = 0; j < activeSize; j++) {
      if (load<i64>(LOWm + (<usize>j << 3)) == 0) continue;
      const H = ld(Hp, j);
      if (H >= Gmax2) Gmax2 = H;
    }
  }
  if (Gmax + Gmax2 < sEps || GminIdx == -1) return true;
  outI = GmaxIdx;
  outJ = GminIdx;
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
    reconstructGradient();
    activeSize = l;
  }
  for (let i = 0; i < activeSize; i++) {
    if (beShrunk(i, Gmax1, Gmax2)) {
      activeSize--;
      while (activeSize > i) {
        if (!beShrunk(activeSize, Gmax1, Gmax2)) { swapIndex(i, activeSize); break; }
        activeSize--;
      }
    }
  }
}

/**
 * H[k] += Kf_ik u_i + Kf_jk u_j for k < activeSize (each lane: the scalar sequence of one k), and
 * in the same pass the i half of the next working-set selection over the new H (masks must be
 * up to date).
 */
function updateHAndSelectI(ri: usize, rj: usize, ui: f64, uj: f64): void {
  const vi = f64x2.splat(ui), vj = f64x2.splat(uj);
  const two = i64x2.splat(2);
  let idx = i64x2(0, 1);
  let best = f64x2.splat(-Infinity);
  let bestIdx = i64x2.splat(-1);
  let k = 0;
  for (; k + 2 <= activeSize; k += 2) {
    const a = f64x2.promote_low_f32x4(v128.load64_zero(ri + (<usize>k << 2)));
    const b = f64x2.promote_low_f32x4(v128.load64_zero(rj + (<usize>k << 2)));
    const o = <usize>k << 3;
    const h = f64x2.add(v128.load(Hp + o), f64x2.add(f64x2.mul(a, vi), f64x2.mul(b, vj)));
    v128.store(Hp + o, h);
    const v = f64x2.neg(h);
    const take = v128.and(v128.load(UPm + o), f64x2.ge(v, best));
    best = v128.bitselect(v, best, take);
    bestIdx = v128.bitselect(idx, bestIdx, take);
    idx = i64x2.add(idx, two);
  }
  for (let t = k; t < activeSize; t++) st(Hp, t, ld(Hp, t) + (kf(ri, t) * ui + kf(rj, t) * uj));
  mergeI(best, bestIdx, k);
}

/** G_bar[k] +- C Q_rk for k < l, with C Q_rk = y_k ((C y_r) Kf_rk). */
function updateGbar(r: usize, Cy: f64, add: bool): void {
  const vc = f64x2.splat(Cy);
  let k = 0;
  for (; k + 2 <= l; k += 2) {
    const a = f64x2.mul(v128.load(Yp + (<usize>k << 3)), f64x2.mul(vc, f64x2.promote_low_f32x4(v128.load64_zero(r + (<usize>k << 2)))));
    const gp = GBp + (<usize>k << 3);
    const g = v128.load(gp);
    v128.store(gp, add ? f64x2.add(g, a) : f64x2.sub(g, a));
  }
  for (; k < l; k++) {
    const a = ld(Yp, k) * (Cy * kf(r, k));
    st(GBp, k, add ? ld(GBp, k) + a : ld(GBp, k) - a);
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
  l = n;
  const nn = <usize>n;
  Kfp = work;
  QDp = Kfp + align16(nn * nn * 4);
  Cp = QDp + align16(nn * 8);
  Ap = Cp + align16(nn * 8);
  Hp = Ap + align16(nn * 8);
  GBp = Hp + align16(nn * 8);
  Yp = GBp + align16(nn * 8);
  ACTp = Yp + align16(nn * 8);
  STp = ACTp + align16(nn * 4);
  UPm = STp + align16(nn);
  LOWm = UPm + align16(nn * 8);
  sEps = eps;

  for (let a = 0; a < n; a++) {
    const pa = load<i32>(perm + (<usize>a << 2));
    const posA = a < n0;
    const ya = posA ? 1.0 : -1.0;
    st(Yp, a, ya);
    st(Cp, a, posA ? C0 : C1);
    const ka = K + ((<usize>pa * nn) << 3);
    st(QDp, a, load<f64>(ka + (<usize>pa << 3)));
    const ra = krow(a);
    for (let b = 0; b < n; b++) {
      store<f32>(ra + (<usize>b << 2), <f32>load<f64>(ka + (<usize>load<i32>(perm + (<usize>b << 2)) << 3)));
    }
    st(Ap, a, 0);
    store<u8>(STp + <usize>a, LOWER);
    store<i32>(ACTp + (<usize>a << 2), a);
    st(Hp, a, -ya); // G = p = -1
    st(GBp, a, 0);
    setMasks(a);
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
      reconstructGradient();
      activeSize = l;
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
    // first here and the H update can search the next i under the new masks.
    const ui = status(i) == UPPER, uj = status(j) == UPPER;
    updateStatus(i);
    updateStatus(j);
    if (ui != (status(i) == UPPER)) updateGbar(ri, Ci * yi, !ui);
    if (uj != (status(j) == UPPER)) updateGbar(rj, Cj * yj, !uj);
    updateHAndSelectI(ri, rj, yi * (ai - oldAi), yj * (aj - oldAj));
    haveI = true;
  }
  if (!converged && activeSize < l) {
    reconstructGradient();
    activeSize = l;
  }

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
  st(out, n, rho);
  st(out, n + 1, <f64>iter);
  st(out, n + 2, converged ? 1.0 : 0.0);
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
