/**
 * Dense f64 linear algebra for the dual models (n ≈ 100), the JS twins of assembly/solvers.ts
 * (chol_f64, chol_solve_f64, symv_f64, newton_system_f64): the same operations in the same order,
 * so the JS and wasm paths give bit-identical results. Inner products use `dot2`'s two-lane order
 * (even indices, odd indices, lane 0 + lane 1, then the odd tail), which is what the wasm's
 * f64x2 accumulation computes. matVec, sum2 and expNeg are the twins of assembly/newton.ts
 * (the logistic regression of logreg-basis.ts).
 */

/** Σ x[xo + k] y[yo + k] for k < len in dot2 order. */
export function dot2(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0, s1 = 0;
  let k = 0;
  for (; k + 2 <= len; k += 2) {
    s0 += x[xo + k]! * y[yo + k]!;
    s1 += x[xo + k + 1]! * y[yo + k + 1]!;
  }
  let s = s0 + s1;
  if (k < len) s += x[xo + k]! * y[yo + k]!;
  return s;
}

/**
 * In place: the lower triangle of A (n × n, row-major, symmetric positive definite) becomes L
 * with A = L Lᵀ (row-dot form); the strict upper triangle is not touched. Returns false when a
 * pivot is not positive.
 */
export function choleskyInPlace(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const s = A[rj + j]! - dot2(A, rj, A, rj, j);
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    A[rj + j] = d;
    const inv = 1 / d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      A[ri + j] = (A[ri + j]! - dot2(A, ri, A, rj, j)) * inv;
    }
  }
  return true;
}

/** In place b ← (L Lᵀ)⁻¹ b for the factor from choleskyInPlace (forward by rows, backward by axpy). */
export function choleskySolveInPlace(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    b[i] = (b[i]! - dot2(L, ri, b, 0, i)) / L[ri + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const bi = b[i]! / L[ri + i]!;
    b[i] = bi;
    for (let k = 0; k < i; k++) b[k] = b[k]! - L[ri + k]! * bi;
  }
}

/** out = K v for K (n × n row-major), each entry in dot2 order. */
export function symMatVec(K: Float64Array, n: number, v: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) out[i] = dot2(K, i * n, v, 0, n);
  return out;
}

/** M = I + diag(d) K diag(d) on the lower triangle ((d_i K_ij) d_j, + 1 on the diagonal), then Cholesky. */
export function newtonSystemInPlace(K: Float64Array, n: number, d: Float64Array, M: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n, di = d[i]!;
    for (let j = 0; j <= i; j++) M[ri + j] = di * K[ri + j]! * d[j]!;
    M[ri + i] = M[ri + i]! + 1;
  }
  return choleskyInPlace(M, n);
}

/** Σ x[k] for k < len in dot2's order (even k in lane 0, odd k in lane 1, lane 0 + lane 1, then the odd tail). */
export function sum2(x: Float64Array, len: number): number {
  let s0 = 0, s1 = 0;
  let k = 0;
  for (; k + 2 <= len; k += 2) {
    s0 += x[k]!;
    s1 += x[k + 1]!;
  }
  let s = s0 + s1;
  if (k < len) s += x[k]!;
  return s;
}

/** out[i] = dot2(A row i, x, cols) for A rows × cols row-major (assembly/newton.ts mat_vec). */
export function matVec(A: Float64Array, rows: number, cols: number, x: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < rows; i++) out[i] = dot2(A, i * cols, x, 0, cols);
  return out;
}

const LN2_HI = 0.6931471803691238; // ln 2 with its low 32 bits cleared: k · LN2_HI is exact
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = 1.4426950408889634;
/** 2^k for k = −1022 … 0 (index k + 1022), exact. */
const POW2 = (() => {
  const t = new Float64Array(1023);
  t[1022] = 1;
  for (let i = 1021; i >= 0; i--) t[i] = t[i + 1]! / 2;
  return t;
})();

/**
 * exp(x) for x ≤ 0 to ~1 ulp, with only +, −, × and a power of two, so that it is the same in
 * TypeScript and wasm (assembly/newton.ts exp_neg; Math.exp differs between engines in the last
 * bit). x = k ln 2 + r, |r| ≤ ln 2 / 2, exp(r) by its Taylor series to r¹³ (error < 1e-17);
 * below −708 (exp < 3e-308) it returns 0.
 */
export function expNeg(x: number): number {
  if (x < -708) return 0;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = 1.6059043836821613e-10;
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
  return p * POW2[k + 1022]!;
}
