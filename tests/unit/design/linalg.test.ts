import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/random.ts';
import { formQ, pinvTall, qrPivoted, residualizeColumns } from '../../../src/core/design/index.ts';

function randomMatrix(rng: Rng, m: number, n: number): Float64Array {
  const A = new Float64Array(m * n);
  for (let i = 0; i < A.length; i++) A[i] = rng.normal();
  return A;
}

/** C = A (m × k, col-major) · B (k × n, col-major) → col-major m × n. */
function matmul(A: Float64Array, B: Float64Array, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    const b = B[p + j * k];
    for (let i = 0; i < m; i++) C[i + j * m] += A[i + p * m] * b;
  }
  return C;
}

/** Row-major n × m pinv → col-major n × m. */
function rowToCol(R: Float64Array, rows: number, cols: number): Float64Array {
  const C = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) C[i + j * rows] = R[i * cols + j];
  return C;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function transpose(A: Float64Array, m: number, n: number): Float64Array {
  const B = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) B[j + i * n] = A[i + j * m];
  return B;
}

describe('linalg', () => {
  it('pivoted QR gives an orthonormal basis of the column space and the right rank', () => {
    const rng = new Rng(1);
    const m = 50;
    const A0 = randomMatrix(rng, m, 4);
    // columns: 4 random, a duplicate, a combination, a zero column → rank 4
    const A = new Float64Array(m * 7);
    A.set(A0, 0);
    for (let i = 0; i < m; i++) {
      A[i + 4 * m] = A0[i + m];
      A[i + 5 * m] = 2 * A0[i] - 3 * A0[i + 3 * m];
    }
    const f = qrPivoted(A, m, 7);
    expect(f.rank).toBe(4);
    const Q = formQ(f);
    const QtQ = matmul(transpose(Q, m, 4), Q, 4, m, 4);
    const I = new Float64Array(16);
    for (let i = 0; i < 4; i++) I[i + 4 * i] = 1;
    expect(maxAbsDiff(QtQ, I)).toBeLessThan(1e-13);
    // every column of A is in span(Q)
    const R = Float64Array.from(A);
    residualizeColumns(R, m, 7, Q, 4);
    let mx = 0;
    for (const v of R) mx = Math.max(mx, Math.abs(v));
    expect(mx).toBeLessThan(1e-12);
  });

  it('pinv of a full-rank tall matrix is a left inverse', () => {
    const rng = new Rng(2);
    const m = 40;
    const n = 6;
    const A = randomMatrix(rng, m, n);
    const { pinv, rank } = pinvTall(A, m, n);
    expect(rank).toBe(n);
    const P = rowToCol(pinv, n, m);
    const PA = matmul(P, A, n, m, n);
    const I = new Float64Array(n * n);
    for (let i = 0; i < n; i++) I[i + n * i] = 1;
    expect(maxAbsDiff(PA, I)).toBeLessThan(1e-12);
  });

  it('pinv of a rank-deficient matrix satisfies the four Moore–Penrose conditions', () => {
    const rng = new Rng(3);
    const m = 30;
    const B = randomMatrix(rng, m, 3);
    const C = randomMatrix(rng, 3, 5);
    const A = matmul(B, C, m, 3, 5); // rank 3, 5 columns
    const { pinv, rank } = pinvTall(A, m, 5);
    expect(rank).toBe(3);
    const X = rowToCol(pinv, 5, m);
    const AX = matmul(A, X, m, 5, m);
    const XA = matmul(X, A, 5, m, 5);
    expect(maxAbsDiff(matmul(AX, A, m, m, 5), A)).toBeLessThan(1e-10);
    expect(maxAbsDiff(matmul(XA, X, 5, 5, m), X)).toBeLessThan(1e-10);
    expect(maxAbsDiff(AX, transpose(AX, m, m))).toBeLessThan(1e-10);
    expect(maxAbsDiff(XA, transpose(XA, 5, 5))).toBeLessThan(1e-10);
  });

  it('handles an all-zero matrix', () => {
    const { pinv, rank } = pinvTall(new Float64Array(20), 10, 2);
    expect(rank).toBe(0);
    expect(pinv.every((v) => v === 0)).toBe(true);
  });
});
