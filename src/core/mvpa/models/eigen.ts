/**
 * Eigendecomposition of a small symmetric matrix (n ≈ 100): Householder reduction to tridiagonal
 * form, then the implicit QL method (EISPACK tred2 / tql2, as in JAMA). Backward stable:
 * A = Vᵀ diag(λ) V to rounding, V orthogonal to rounding. Only +, −, ×, ÷, √ and comparisons, so
 * the result is the same on every host.
 *
 * Used once per CV fold by the logistic-regression permutation path (logreg-basis.ts). With wasm
 * solvers active it runs as assembly/newton.ts sym_eig_f64, the same operations in the same order
 * (bit-identical; compiled code from the first call, where this JS runs cold).
 */
import { DdError } from '../../errors.ts';
import { wasmWorkspace } from './backend.ts';

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** n × n row-major; row k is the unit eigenvector of values[k]. */
  vectors: Float64Array;
}

/** √(a² + b²) without under/overflow (JAMA's Maths.hypot). */
function hypot(a: number, b: number): number {
  const aa = Math.abs(a), ab = Math.abs(b);
  if (aa > ab) { const r = b / a; return aa * Math.sqrt(1 + r * r); }
  if (b !== 0) { const r = a / b; return ab * Math.sqrt(1 + r * r); }
  return 0;
}

const notConverged = (n: number) => new DdError('MODEL_NUMERIC', `The eigendecomposition of a ${n} × ${n} Gram matrix did not converge; the matrix is not finite and symmetric.`);

/** Eigenvalues and eigenvectors of the symmetric n × n row-major A (A is not modified). */
export function symmetricEigen(A: Float64Array, n: number): SymmetricEigen {
  const ws = wasmWorkspace();
  const nk = ws?.newtonKernels() ?? null;
  if (ws && nk) {
    const W = ws.putF64('eigen.W', A.subarray(0, n * n)), d = ws.ptr('eigen.d', n * 8), e = ws.ptr('eigen.e', n * 8);
    if (!nk.symEig(W, n, d, e)) throw notConverged(n);
    return { values: ws.arena.f64(d, n).slice(), vectors: ws.arena.f64(W, n * n).slice() };
  }
  return symmetricEigenTs(A, n);
}

/** The TypeScript twin of assembly/newton.ts sym_eig_f64. */
export function symmetricEigenTs(A: Float64Array, n: number): SymmetricEigen {
  // tred2 on W = Vᵀ (V[i][j] = W[j * n + i]: the inner loops over V's rows run along W's rows);
  // afterwards d = diagonal, e = subdiagonal, V the accumulated orthogonal transformation.
  const W = Float64Array.from(A.subarray(0, n * n)); // A symmetric: Vᵀ = A
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: W };
  for (let j = 0; j < n; j++) d[j] = W[j * n + (n - 1)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + (i - 1)]!;
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        W[i * n + j] = f;
        g = e[j]! + W[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += W[j * n + k]! * d[k]!;
          e[k] = e[k]! + W[j * n + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) W[j * n + k] = W[j * n + k]! - (f * e[k]! + g * d[k]!);
        d[j] = W[j * n + (i - 1)]!;
        W[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    W[i * n + (n - 1)] = W[i * n + i]!;
    W[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[(i + 1) * n + k]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[(i + 1) * n + k]! * W[j * n + k]!;
        for (let k = 0; k <= i; k++) W[j * n + k] = W[j * n + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) W[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + (n - 1)]!;
    W[j * n + (n - 1)] = 0;
  }
  W[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;

  // tql2: each plane rotation updates two contiguous rows of W (the eigenvectors).
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      // m < n: e[n - 1] = 0 always passes the test above.
      let iter = 0;
      do {
        // EISPACK's limit; QL converges in 1–3 iterations per eigenvalue on finite input.
        if (++iter > 30) throw notConverged(n);
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1]!;
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const ri = i * n, rj = ri + n;
          for (let k = 0; k < n; k++) {
            const hk = W[rj + k]!, wk = W[ri + k]!;
            W[rj + k] = s * wk + c * hk;
            W[ri + k] = c * wk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  // Ascending order (selection sort, rows move with their values).
  for (let i = 0; i < n - 1; i++) {
    let k = i, p = d[i]!;
    for (let j = i + 1; j < n; j++) if (d[j]! < p) { k = j; p = d[j]!; }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      const ri = i * n, rk = k * n;
      for (let j = 0; j < n; j++) { const t = W[ri + j]!; W[ri + j] = W[rk + j]!; W[rk + j] = t; }
    }
  }
  return { values: d, vectors: W };
}
