/**
 * Dense f64 linear algebra for the dual models (n ≈ 100), the JS twins of assembly/solvers.ts
 * (chol_f64, chol_solve_f64, symv_f64, newton_system_f64): the same operations in the same order,
 * so the JS and wasm paths give bit-identical results. Inner products use `dot2`'s two-lane order
 * (even indices, odd indices, lane 0 + lane 1, then the odd tail), which is what the wasm's
 * f64x2 accumulation computes.
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
