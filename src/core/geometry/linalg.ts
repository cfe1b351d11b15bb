/**
 * Symmetric eigendecomposition for the geometry measures (PCA on the n × n trial Gram matrix,
 * classical MDS): cyclic Jacobi rotations in f64 (n ≈ 100, so O(n³) per sweep is a few ms and the
 * result is accurate to rounding in every eigenpair, including the small ones).
 */
import { DdError } from '../errors.ts';

export interface SymEig {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** Eigenvectors as rows: vectors[k * n + i] is component i of the eigenvector of values[k]. */
  vectors: Float64Array;
}

/** Eigenvalues (descending) and eigenvectors of the symmetric n × n matrix A (row-major; not modified). */
export function symEig(A: ArrayLike<number>, n: number): SymEig {
  if (A.length !== n * n) throw new DdError('GEOMETRY_BAD_SHAPE', `symEig: ${A.length} values for a ${n} × ${n} matrix.`);
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]!));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off <= (1e-30 * scale * scale) || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) <= 1e-300) continue;
        const app = a[p * n + p]!, aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vpk = v[p * n + k]!, vqk = v[q * n + k]!;
          v[p * n + k] = c * vpk - s * vqk;
          v[q * n + k] = s * vpk + c * vqk;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    values[k] = a[src * n + src]!;
    vectors.set(v.subarray(src * n, src * n + n), k * n);
  });
  return { values, vectors };
}
