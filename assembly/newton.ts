// Logistic regression in an eigenbasis of the training Gram matrix, for the permutation test
// (src/core/mvpa/models/logreg-basis.ts): one call per fit, no n x n factorisation.
//
// Determinism: every function performs exactly the floating-point operations, in the same order,
// as its TypeScript twin (logreg-basis.ts fitInBasisTs, linalg.ts matVec / expNeg), so the wasm
// and the JS paths give bit-identical fits. SIMD only where the TS twin sums in the same two-lane
// order (dot2: even indices in lane 0, odd in lane 1, lane 0 + lane 1, then the odd tail).

@inline function ld(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline function st(base: usize, i: i32, v: f64): void { store<f64>(base + (<usize>i << 3), v); }
@inline function vecBytes(n: i32): usize { return ((<usize>n << 3) + 15) & ~(<usize>15); }

/**
 * out[i] = dot2(A row i, x, cols) for A rows x cols f64 row-major. Four rows at a time share the
 * loads of x; each row keeps its own two lanes, so every entry is its own dot2.
 */
export function mat_vec(A: usize, rows: i32, cols: i32, x: usize, out: usize): void {
  const rs = <usize>cols << 3;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const r0 = A + <usize>i * rs, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let k = 0;
    for (; k + 2 <= cols; k += 2) {
      const o = <usize>k << 3;
      const v = v128.load(x + o);
      a0 = f64x2.add(a0, f64x2.mul(v128.load(r0 + o), v));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(r1 + o), v));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(r2 + o), v));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(r3 + o), v));
    }
    let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
    let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
    let s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
    if (k < cols) {
      const y = ld(x, k);
      s0 += ld(r0, k) * y; s1 += ld(r1, k) * y; s2 += ld(r2, k) * y; s3 += ld(r3, k) * y;
    }
    st(out, i, s0); st(out, i + 1, s1); st(out, i + 2, s2); st(out, i + 3, s3);
  }
  for (; i < rows; i++) {
    const ri = A + <usize>i * rs;
    let acc = f64x2.splat(0);
    let k = 0;
    for (; k + 2 <= cols; k += 2) {
      const o = <usize>k << 3;
      acc = f64x2.add(acc, f64x2.mul(v128.load(ri + o), v128.load(x + o)));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (k < cols) s += ld(ri, k) * ld(x, k);
    st(out, i, s);
  }
}

const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
const INV_LN2: f64 = 1.4426950408889634;

/** exp(x) for x <= 0, 0 below -708 (linalg.ts expNeg). */
@inline function expNeg(x: f64): f64 {
  if (x < -708) return 0;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p: f64 = 1.6059043836821613e-10;
  p = p * r + 2.08767569878681e-9;
  p = p * r + 2.505210838544172e-8;
  p = p * r + 2.755731922398589e-7;
  p = p * r + 2.7557319223985893e-6;
  p = p * r + 2.48015873015873e-5;
  p = p * r + 1.984126984126984e-4;
  p = p * r + 1.388888888888889e-3;
  p = p * r + 8.333333333333333e-3;
  p = p * r + 4.1666666666666664e-2;
  p = p * r + 1.6666666666666666e-1;
  p = p * r + 0.5;
  p = p * r + 1;
  p = p * r + 1;
  return p * reinterpret<f64>((<i64>k + 1023) << 52);
}

@inline function horner(p: v128, r: v128, c: f64): v128 { return f64x2.add(f64x2.mul(p, r), f64x2.splat(c)); }

/** expNeg on two lanes (each lane the scalar sequence; lanes below -708 are computed at -708, then zeroed). */
@inline function expNeg2(x: v128): v128 {
  const under = f64x2.lt(x, f64x2.splat(-708));
  const xc = v128.bitselect(f64x2.splat(-708), x, under);
  const k = f64x2.floor(f64x2.add(f64x2.mul(xc, f64x2.splat(INV_LN2)), f64x2.splat(0.5)));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  let p = f64x2.splat(1.6059043836821613e-10);
  p = horner(p, r, 2.08767569878681e-9);
  p = horner(p, r, 2.505210838544172e-8);
  p = horner(p, r, 2.755731922398589e-7);
  p = horner(p, r, 2.7557319223985893e-6);
  p = horner(p, r, 2.48015873015873e-5);
  p = horner(p, r, 1.984126984126984e-4);
  p = horner(p, r, 1.388888888888889e-3);
  p = horner(p, r, 8.333333333333333e-3);
  p = horner(p, r, 4.1666666666666664e-2);
  p = horner(p, r, 1.6666666666666666e-1);
  p = horner(p, r, 0.5);
  p = horner(p, r, 1);
  p = horner(p, r, 1);
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const pow = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return v128.bitselect(f64x2.splat(0), f64x2.mul(p, pow), under);
}

// ------------------------------------------------------------- vector helpers (TS: linalg.ts)

/** sum x[k] y[k], k < len, in dot2 order. */
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

/** sum x[k], k < len, in dot2 order (sum2). */
@inline function sum2(x: usize, len: i32): f64 {
  let acc = f64x2.splat(0);
  let k = 0;
  for (; k + 2 <= len; k += 2) acc = f64x2.add(acc, v128.load(x + (<usize>k << 3)));
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (k < len) s += ld(x, k);
  return s;
}

/** y[k] = y[k] + a x[k]. */
@inline function axpy(y: usize, a: f64, x: usize, len: i32): void {
  const va = f64x2.splat(a);
  let k = 0;
  for (; k + 2 <= len; k += 2) {
    const o = <usize>k << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x + o))));
  }
  if (k < len) st(y, k, ld(y, k) + a * ld(x, k));
}

/** p[k] = z[k] + b p[k]. */
@inline function xpby(p: usize, z: usize, b: f64, len: i32): void {
  const vb = f64x2.splat(b);
  let k = 0;
  for (; k + 2 <= len; k += 2) {
    const o = <usize>k << 3;
    v128.store(p + o, f64x2.add(v128.load(z + o), f64x2.mul(vb, v128.load(p + o))));
  }
  if (k < len) st(p, k, ld(z, k) + b * ld(p, k));
}

/** y[k] = y[k] + x[k]. */
@inline function addTo(y: usize, x: usize, len: i32): void {
  let k = 0;
  for (; k + 2 <= len; k += 2) {
    const o = <usize>k << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), v128.load(x + o)));
  }
  if (k < len) st(y, k, ld(y, k) + ld(x, k));
}

/** y[k] = x[k] + a. */
@inline function addScalar(y: usize, x: usize, a: f64, len: i32): void {
  const va = f64x2.splat(a);
  let k = 0;
  for (; k + 2 <= len; k += 2) {
    const o = <usize>k << 3;
    v128.store(y + o, f64x2.add(v128.load(x + o), va));
  }
  if (k < len) st(y, k, ld(x, k) + a);
}

/** Bytes of the work area of logreg_basis_fit for n samples and r basis vectors. */
export function logreg_basis_work_bytes(n: i32, r: i32): usize {
  return 13 * vecBytes(n) + 9 * vecBytes(r);
}

// Step-length search and CG stop (logreg-basis.ts LS_TOL, LS_MAX, CG_FLOOR).
const LS_TOL: f64 = 1e-3;
const LS_MAX: i32 = 30;
const CG_FLOOR: f64 = 0.1;

// The result of evaluate(): sum of -c s sigma(-m) df and of D df^2.
let evD1: f64 = 0;
let evD2: f64 = 0;

/**
 * sigma(-m_i) and c_i sigma(m_i) sigma(-m_i) at m = s (f + t df) into sn, D; sets evD1 = sum2 of
 * cs sn df (cs = -c s) and evD2 = sum2 of D df^2.
 */
function evaluate(n: i32, s: usize, c: usize, cs: usize, f: usize, df: usize, t: f64, sn: usize, D: usize): void {
  const vt = f64x2.splat(t), one = f64x2.splat(1), zero = f64x2.splat(0);
  let a1 = f64x2.splat(0), a2 = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const dfi = v128.load(df + o);
    const m = f64x2.mul(v128.load(s + o), f64x2.add(v128.load(f + o), f64x2.mul(vt, dfi)));
    const e = expNeg2(f64x2.neg(f64x2.abs(m)));
    const inv = f64x2.div(one, f64x2.add(one, e));
    const sg = v128.bitselect(f64x2.mul(e, inv), inv, f64x2.ge(m, zero));
    const dd = f64x2.mul(f64x2.mul(f64x2.mul(v128.load(c + o), e), inv), inv);
    v128.store(sn + o, sg);
    v128.store(D + o, dd);
    a1 = f64x2.add(a1, f64x2.mul(f64x2.mul(v128.load(cs + o), sg), dfi));
    a2 = f64x2.add(a2, f64x2.mul(f64x2.mul(dd, dfi), dfi));
  }
  let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
  if (i < n) {
    const dfi = ld(df, i);
    const m = ld(s, i) * (ld(f, i) + t * dfi);
    const e = expNeg(-Math.abs(m));
    const inv = 1 / (1 + e);
    const sg = m >= 0 ? e * inv : inv;
    const dd = ld(c, i) * e * inv * inv;
    st(sn, i, sg);
    st(D, i, dd);
    s1 += ld(cs, i) * sg * dfi;
    s2 += dd * dfi * dfi;
  }
  evD1 = s1;
  evD2 = s2;
}

/** out = P^-1 [xs; xb] (the r part; P = [diag(1 / ipd), delta q; delta q^T, SD], qd = q ipd); returns the intercept part. */
@inline function precondition(r: i32, qd: usize, ipd: usize, delta: f64, schur: f64, xs: usize, xb: f64, out: usize): f64 {
  const zb = (xb - delta * dot2(qd, xs, r)) / schur;
  const dz = f64x2.splat(delta * zb);
  let j = 0;
  for (; j + 2 <= r; j += 2) {
    const o = <usize>j << 3;
    v128.store(out + o, f64x2.sub(f64x2.mul(v128.load(xs + o), v128.load(ipd + o)), f64x2.mul(dz, v128.load(qd + o))));
  }
  if (j < r) st(out, j, ld(xs, j) * ld(ipd, j) - delta * zb * ld(qd, j));
  return zb;
}

/**
 * One logistic-regression fit in the basis (Z n x r, Zt = Z^T, lam, q = Z^T 1), labels s (+-1)
 * and loss weights c (n f64 each). work: logreg_basis_work_bytes(n, r). out (n + 3 + nTest f64):
 * the dual coefficients -g, the intercept, the Newton iterations, 1 when converged, then the
 * decisions mat_vec(Ktest, coef) + intercept of the nTest rows of Ktest (nTest x n).
 */
export function logreg_basis_fit(Z: usize, Zt: usize, lam: usize, q: usize, n: i32, r: i32, s: usize, c: usize, tol: f64, maxIter: i32, Ktest: usize, nTest: i32, work: usize, out: usize): void {
  const nb = vecBytes(n), rB = vecBytes(r);
  const cs = work, f = cs + nb, df = f + nb, g = df + nb, w = g + nb, Zp = w + nb, Zx = Zp + nb;
  let sn = Zx + nb, D = sn + nb, snT = D + nb, DT = snT + nb;
  const v = DT + nb, Gv = v + rB, xv = Gv + rB, rv = xv + rB, zv = rv + rB, pv = zv + rB, hv = pv + rB, ipd = hv + rB, qd = ipd + rB;
  memory.fill(work, 0, logreg_basis_work_bytes(n, r));
  for (let i = 0; i < n; i++) st(cs, i, -ld(c, i) * ld(s, i));
  let b: f64 = 0;
  evaluate(n, s, c, cs, f, df, 0, sn, D);

  let gn0: f64 = NaN;
  let iterations = 0;
  let converged = false;
  for (;;) {
    for (let i = 0; i < n; i++) st(g, i, ld(cs, i) * ld(sn, i));
    const sumG = sum2(g, n);
    mat_vec(Zt, r, n, g, Gv);
    addTo(Gv, v, r);
    const gn = Math.sqrt(dot2(Gv, Gv, r) + sumG * sumG);
    if (iterations == 0) gn0 = gn;
    if (gn <= tol * gn0 || gn == 0) { converged = true; break; }
    if (iterations >= maxIter) break;
    iterations++;

    const SD = sum2(D, n);
    let uniform = true;
    const D0 = ld(D, 0);
    for (let i = 1; i < n; i++) if (ld(D, i) != D0) { uniform = false; break; }
    const delta = SD / <f64>n;
    for (let j = 0; j < r; j++) { const ip = 1 / (delta * ld(lam, j) + 1); st(ipd, j, ip); st(qd, j, ld(q, j) * ip); }
    const schur = SD - delta * delta * dot2(q, qd, r);

    let xb: f64;
    for (let j = 0; j < r; j++) st(rv, j, -ld(Gv, j));
    if (uniform) {
      xb = precondition(r, qd, ipd, delta, schur, rv, -sumG, xv);
      mat_vec(Z, n, r, xv, Zx);
    } else {
      memory.fill(xv, 0, <usize>r << 3);
      memory.fill(Zx, 0, <usize>n << 3);
      xb = 0;
      let rb = -sumG;
      let zb = precondition(r, qd, ipd, delta, schur, rv, rb, zv);
      let pb = zb;
      memory.copy(pv, zv, <usize>r << 3);
      let rz = dot2(rv, zv, r) + rb * zb;
      const x = gn / gn0;
      const eta = Math.min(0.5, Math.max(Math.sqrt(x), (CG_FLOOR * tol) / x));
      const stop = eta * eta * rz;
      for (let k = 0; k < 2 * r + 10; k++) {
        mat_vec(Z, n, r, pv, Zp);
        {
          const vpb = f64x2.splat(pb);
          let i = 0;
          for (; i + 2 <= n; i += 2) {
            const o = <usize>i << 3;
            v128.store(w + o, f64x2.mul(v128.load(D + o), f64x2.add(v128.load(Zp + o), vpb)));
          }
          if (i < n) st(w, i, ld(D, i) * (ld(Zp, i) + pb));
        }
        const hb = sum2(w, n);
        mat_vec(Zt, r, n, w, hv);
        addTo(hv, pv, r);
        const pHp = dot2(pv, hv, r) + pb * hb;
        if (!(pHp > 0)) break;
        const alpha = rz / pHp;
        axpy(xv, alpha, pv, r);
        axpy(rv, -alpha, hv, r);
        axpy(Zx, alpha, Zp, n);
        xb += alpha * pb;
        rb -= alpha * hb;
        zb = precondition(r, qd, ipd, delta, schur, rv, rb, zv);
        const rzn = dot2(rv, zv, r) + rb * zb;
        if (rzn <= stop) break;
        const beta = rzn / rz;
        rz = rzn;
        xpby(pv, zv, beta, r);
        pb = zb + beta * pb;
      }
    }

    const vx = dot2(v, xv, r), xx = dot2(xv, xv, r);
    addScalar(df, Zx, xb, n);
    const slope = dot2(g, df, n) + vx;
    if (!(slope < 0)) { converged = gn <= 1e-6 * gn0; break; }
    let t: f64 = 1, lo: f64 = 0, hi: f64 = Infinity;
    let found = false;
    for (let k = 0; k < LS_MAX; k++) {
      evaluate(n, s, c, cs, f, df, t, snT, DT);
      const j1 = evD1 + vx + t * xx;
      if (Math.abs(j1) <= LS_TOL * -slope) { found = true; break; }
      if (j1 < 0) lo = t; else hi = t;
      let tn = t - j1 / (evD2 + xx);
      if (!(tn > lo && tn < hi)) tn = hi < Infinity ? 0.5 * (lo + hi) : 2 * t;
      if (tn == t) break;
      t = tn;
    }
    if (!found) {
      if (!(lo > 0)) { converged = gn <= 1e-6 * gn0; break; }
      t = lo;
      evaluate(n, s, c, cs, f, df, t, snT, DT);
    }
    axpy(v, t, xv, r);
    b += t * xb;
    axpy(f, t, df, n);
    let tmp = sn; sn = snT; snT = tmp;
    tmp = D; D = DT; DT = tmp;
  }
  for (let i = 0; i < n; i++) st(out, i, -ld(g, i));
  st(out, n, b);
  st(out, n + 1, <f64>iterations);
  st(out, n + 2, converged ? 1.0 : 0.0);
  const dec = out + (<usize>(n + 3) << 3);
  mat_vec(Ktest, nTest, n, out, dec);
  for (let t = 0; t < nTest; t++) st(dec, t, ld(dec, t) + b);
}

// ------------------------------------------------- eigendecomposition (TS twin: eigen.ts)

/** sqrt(a^2 + b^2) without under/overflow (eigen.ts hypot). */
@inline function hypot(a: f64, b: f64): f64 {
  const aa = Math.abs(a), ab = Math.abs(b);
  if (aa > ab) { const r = b / a; return aa * Math.sqrt(1 + r * r); }
  if (b != 0) { const r = a / b; return ab * Math.sqrt(1 + r * r); }
  return 0;
}

/**
 * Eigendecomposition of the symmetric n x n matrix held in W (row-major, overwritten): on return
 * row k of W is the unit eigenvector of d[k], ascending (eigen.ts symmetricEigen: tred2 on W = V^T,
 * then tql2). e: n f64 scratch. Returns 1, or 0 when QL did not converge (non-finite input).
 */
export function sym_eig_f64(W: usize, n: i32, d: usize, e: usize): i32 {
  if (n == 0) return 1;
  const rs = <usize>n << 3;
  for (let j = 0; j < n; j++) st(d, j, ld(W, j * n + (n - 1)));
  for (let i = n - 1; i > 0; i--) {
    let scale: f64 = 0, h: f64 = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(ld(d, k));
    if (scale == 0) {
      st(e, i, ld(d, i - 1));
      for (let j = 0; j < i; j++) {
        st(d, j, ld(W, j * n + (i - 1)));
        st(W, j * n + i, 0);
        st(W, i * n + j, 0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        st(d, k, ld(d, k) / scale);
        h += ld(d, k) * ld(d, k);
      }
      let f = ld(d, i - 1);
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      st(e, i, scale * g);
      h -= f * g;
      st(d, i - 1, f - g);
      for (let j = 0; j < i; j++) st(e, j, 0);
      for (let j = 0; j < i; j++) {
        f = ld(d, j);
        const wj = W + <usize>j * rs;
        st(W, i * n + j, f);
        g = ld(e, j) + ld(wj, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const wk = ld(wj, k);
          g += wk * ld(d, k);
          st(e, k, ld(e, k) + wk * f);
        }
        st(e, j, g);
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        st(e, j, ld(e, j) / h);
        f += ld(e, j) * ld(d, j);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) st(e, j, ld(e, j) - hh * ld(d, j));
      for (let j = 0; j < i; j++) {
        f = ld(d, j);
        g = ld(e, j);
        const wj = W + <usize>j * rs;
        const vf = f64x2.splat(f), vg = f64x2.splat(g);
        let k = j;
        for (; k + 2 <= i; k += 2) {
          const o = <usize>k << 3;
          v128.store(wj + o, f64x2.sub(v128.load(wj + o), f64x2.add(f64x2.mul(vf, v128.load(e + o)), f64x2.mul(vg, v128.load(d + o)))));
        }
        for (; k <= i - 1; k++) st(wj, k, ld(wj, k) - (f * ld(e, k) + g * ld(d, k)));
        st(d, j, ld(wj, i - 1));
        st(wj, i, 0);
      }
    }
    st(d, i, h);
  }
  for (let i = 0; i < n - 1; i++) {
    st(W, i * n + (n - 1), ld(W, i * n + i));
    st(W, i * n + i, 1);
    const h = ld(d, i + 1);
    const wi1 = W + <usize>(i + 1) * rs;
    if (h != 0) {
      for (let k = 0; k <= i; k++) st(d, k, ld(wi1, k) / h);
      for (let j = 0; j <= i; j++) {
        const wj = W + <usize>j * rs;
        let g: f64 = 0;
        for (let k = 0; k <= i; k++) g += ld(wi1, k) * ld(wj, k);
        const vg = f64x2.splat(g);
        let k = 0;
        for (; k + 2 <= i + 1; k += 2) {
          const o = <usize>k << 3;
          v128.store(wj + o, f64x2.sub(v128.load(wj + o), f64x2.mul(vg, v128.load(d + o))));
        }
        for (; k <= i; k++) st(wj, k, ld(wj, k) - g * ld(d, k));
      }
    }
    for (let k = 0; k <= i; k++) st(wi1, k, 0);
  }
  for (let j = 0; j < n; j++) {
    st(d, j, ld(W, j * n + (n - 1)));
    st(W, j * n + (n - 1), 0);
  }
  st(W, (n - 1) * n + (n - 1), 1);
  st(e, 0, 0);

  for (let i = 1; i < n; i++) st(e, i - 1, ld(e, i));
  st(e, n - 1, 0);
  let f: f64 = 0, tst1: f64 = 0;
  const eps: f64 = 2.220446049250313e-16;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(ld(d, l)) + Math.abs(ld(e, l)));
    let m = l;
    while (m < n) {
      if (Math.abs(ld(e, m)) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 30) return 0;
        let g = ld(d, l);
        let p = (ld(d, l + 1) - g) / (2 * ld(e, l));
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        st(d, l, ld(e, l) / (p + r));
        st(d, l + 1, ld(e, l) * (p + r));
        const dl1 = ld(d, l + 1);
        let h = g - ld(d, l);
        for (let i = l + 2; i < n; i++) st(d, i, ld(d, i) - h);
        f += h;
        p = ld(d, m);
        let c: f64 = 1, c2 = c, c3 = c;
        const el1 = ld(e, l + 1);
        let s: f64 = 0, s2: f64 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * ld(e, i);
          h = c * p;
          r = hypot(p, ld(e, i));
          st(e, i + 1, s * r);
          s = ld(e, i) / r;
          c = p / r;
          p = c * ld(d, i) - s * g;
          st(d, i + 1, h + s * (c * g + s * ld(d, i)));
          const ri = W + <usize>i * rs, rj = ri + rs;
          const vs = f64x2.splat(s), vc = f64x2.splat(c);
          let k = 0;
          for (; k + 2 <= n; k += 2) {
            const o = <usize>k << 3;
            const hk = v128.load(rj + o), wk = v128.load(ri + o);
            v128.store(rj + o, f64x2.add(f64x2.mul(vs, wk), f64x2.mul(vc, hk)));
            v128.store(ri + o, f64x2.sub(f64x2.mul(vc, wk), f64x2.mul(vs, hk)));
          }
          if (k < n) {
            const hk = ld(rj, k), wk = ld(ri, k);
            st(rj, k, s * wk + c * hk);
            st(ri, k, c * wk - s * hk);
          }
        }
        p = (-s * s2 * c3 * el1 * ld(e, l)) / dl1;
        st(e, l, s * p);
        st(d, l, c * p);
      } while (Math.abs(ld(e, l)) > eps * tst1);
    }
    st(d, l, ld(d, l) + f);
    st(e, l, 0);
  }
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = ld(d, i);
    for (let j = i + 1; j < n; j++) if (ld(d, j) < p) { k = j; p = ld(d, j); }
    if (k != i) {
      st(d, k, ld(d, i));
      st(d, i, p);
      const ri = W + <usize>i * rs, rk = W + <usize>k * rs;
      for (let j = 0; j < n; j++) { const t = ld(ri, j); st(ri, j, ld(rk, j)); st(rk, j, t); }
    }
  }
  return 1;
}
