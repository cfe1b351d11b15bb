/**
 * Small dense linear algebra for design matrices (f64, column-major).
 *
 * Matrices here are tall and thin (T rows ≈ 100–3000 volumes, a few to a few hundred
 * columns), so everything is plain Householder QR with column pivoting (as LAPACK dgeqp3
 * does, with exact norm recomputation), which is backward stable and reveals rank the way
 * `numpy.linalg.lstsq`/`pinv` do for the exactly or nearly collinear matrices we meet
 * (duplicate confounds, a constant confound next to the intercept, a drift basis that spans
 * all frequencies of a short run).
 *
 * Storage: an m × n matrix `A` is a Float64Array of length m·n with A[i, j] = A[i + j·m].
 */

export const EPS_F64 = 2.220446049250313e-16;

/** Default relative rank tolerance, the same as numpy.linalg.lstsq's `rcond=None`. */
export function defaultRankTol(m: number, n: number): number {
  return Math.max(m, n) * EPS_F64;
}

export interface PivotedQr {
  m: number;
  n: number;
  /** Householder vectors below the diagonal, R on and above it (column-major m × n). */
  qr: Float64Array;
  tau: Float64Array;
  /** Column k of A·P is column perm[k] of A. */
  perm: Int32Array;
  /** Numerical rank: the number of leading |R_kk| > tol · |R_00|. */
  rank: number;
}

/**
 * Householder QR with column pivoting of a copy of A (m × n, column-major).
 * `relTol` decides the rank relative to |R_00| (the largest column norm), `absTol` in absolute
 * terms (a column whose remaining norm is ≤ either is numerically dependent); when `pivot` is
 * false the columns keep their order and the rank is still counted the same way.
 * Factorisation stops at the first column whose remaining norm is below the tolerance
 * (all later remaining columns are smaller, by the pivoting). Without pivoting the rank is
 * only meaningful for inputs known to have full column rank (the caller's promise).
 */
export function qrPivoted(
  A: Float64Array,
  m: number,
  n: number,
  relTol: number = defaultRankTol(m, n),
  pivot = true,
  absTol = 0,
): PivotedQr {
  const qr = Float64Array.from(A);
  const kmax = Math.min(m, n);
  const tau = new Float64Array(kmax);
  const perm = new Int32Array(n);
  for (let j = 0; j < n; j++) perm[j] = j;
  let rank = 0;
  let r00 = 0;
  for (let k = 0; k < kmax; k++) {
    // pivot: the remaining column with the largest norm below row k (recomputed exactly)
    if (pivot) {
      let best = k;
      let bestNorm = -1;
      for (let j = k; j < n; j++) {
        let s = 0;
        const off = j * m;
        for (let i = k; i < m; i++) s += qr[off + i] * qr[off + i];
        if (s > bestNorm) {
          bestNorm = s;
          best = j;
        }
      }
      if (best !== k) {
        const a = k * m;
        const b = best * m;
        for (let i = 0; i < m; i++) {
          const t = qr[a + i];
          qr[a + i] = qr[b + i];
          qr[b + i] = t;
        }
        const t = perm[k];
        perm[k] = perm[best];
        perm[best] = t;
      }
    }
    // Householder reflector for column k, rows k..m-1 (LAPACK dlarfg convention)
    const off = k * m;
    let xnorm2 = 0;
    for (let i = k + 1; i < m; i++) xnorm2 += qr[off + i] * qr[off + i];
    const alpha = qr[off + k];
    const norm = Math.sqrt(alpha * alpha + xnorm2);
    if (k === 0) r00 = norm;
    if (norm === 0 || norm <= relTol * r00 || norm <= absTol) {
      // remaining columns (all no larger, when pivoting) are numerically zero
      if (pivot) break;
      tau[k] = 0;
      continue;
    }
    rank++;
    if (xnorm2 === 0) {
      tau[k] = 0; // already upper triangular in this column; H = I
    } else {
      const beta = alpha >= 0 ? -norm : norm;
      tau[k] = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let i = k + 1; i < m; i++) qr[off + i] *= scale;
      qr[off + k] = beta;
      // apply H = I - tau v vᵀ (v[k] = 1) to the remaining columns
      for (let j = k + 1; j < n; j++) {
        const oj = j * m;
        let s = qr[oj + k];
        for (let i = k + 1; i < m; i++) s += qr[off + i] * qr[oj + i];
        s *= tau[k];
        qr[oj + k] -= s;
        for (let i = k + 1; i < m; i++) qr[oj + i] -= s * qr[off + i];
      }
    }
  }
  return { m, n, qr, tau, perm, rank };
}

/**
 * The first `r` columns of Q (m × r, column-major, orthonormal) from a factorisation.
 * With pivoting and r = rank they span the column space of A.
 */
export function formQ(f: PivotedQr, r: number = f.rank): Float64Array {
  const { m, qr, tau } = f;
  const Q = new Float64Array(m * r);
  for (let c = 0; c < r; c++) Q[c * m + c] = 1;
  for (let k = r - 1; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    const off = k * m;
    for (let c = k; c < r; c++) {
      const oc = c * m;
      let s = Q[oc + k];
      for (let i = k + 1; i < m; i++) s += qr[off + i] * Q[oc + i];
      s *= t;
      Q[oc + k] -= s;
      for (let i = k + 1; i < m; i++) Q[oc + i] -= s * qr[off + i];
    }
  }
  return Q;
}

/**
 * Replace each column x of X (m × n, column-major, in place) by x − Q Qᵀ x, the residual of
 * its least-squares fit on the orthonormal columns of Q (m × r). Two passes ("twice is
 * enough", Giraud et al. 2005) keep the result orthogonal to Q to working precision even
 * when x lies almost in span(Q).
 */
export function residualizeColumns(X: Float64Array, m: number, n: number, Q: Float64Array, r: number): void {
  if (r === 0) return;
  const coef = new Float64Array(r);
  for (let j = 0; j < n; j++) {
    const oj = j * m;
    for (let pass = 0; pass < 2; pass++) {
      for (let c = 0; c < r; c++) {
        const oc = c * m;
        let s = 0;
        for (let i = 0; i < m; i++) s += Q[oc + i] * X[oj + i];
        coef[c] = s;
      }
      for (let c = 0; c < r; c++) {
        const oc = c * m;
        const s = coef[c];
        if (s === 0) continue;
        for (let i = 0; i < m; i++) X[oj + i] -= s * Q[oc + i];
      }
    }
  }
}

export interface PinvResult {
  /** n × m, ROW-major (row j = the weights giving coefficient j from a data vector). */
  pinv: Float64Array;
  rank: number;
}

/**
 * Moore–Penrose pseudo-inverse of a tall A (m × n, column-major, m ≥ n or not), returned
 * row-major n × m so that row j dotted with y is coefficient j of the minimum-norm
 * least-squares solution of A b ≈ y. Full column rank: A P = Q R, pinv = P R⁻¹ Qᵀ.
 * Rank r < n: complete orthogonal decomposition, [R11 R12]ᵀ = Z S, pinv = P Z S⁻ᵀ Q_rᵀ
 * (what numpy.linalg.pinv returns, up to the rank decision).
 */
export function pinvTall(
  A: Float64Array,
  m: number,
  n: number,
  relTol: number = defaultRankTol(m, n),
  absTol = 0,
): PinvResult {
  const f = qrPivoted(A, m, n, relTol, true, absTol);
  const r = f.rank;
  const out = new Float64Array(n * m);
  if (r === 0) return { pinv: out, rank: 0 };
  const Q = formQ(f, r); // m × r
  const qr = f.qr;
  if (r === n) {
    // back substitution R Z = Qᵀ, Z row-major n × m
    const Z = new Float64Array(n * m);
    for (let i = n - 1; i >= 0; i--) {
      const zi = i * m;
      const qi = i * m; // column i of Q (col-major) is row i of Qᵀ
      for (let t = 0; t < m; t++) Z[zi + t] = Q[qi + t];
      for (let j = i + 1; j < n; j++) {
        const rij = qr[i + j * m];
        if (rij === 0) continue;
        const zj = j * m;
        for (let t = 0; t < m; t++) Z[zi + t] -= rij * Z[zj + t];
      }
      const inv = 1 / qr[i + i * m];
      for (let t = 0; t < m; t++) Z[zi + t] *= inv;
    }
    for (let i = 0; i < n; i++) out.set(Z.subarray(i * m, i * m + m), f.perm[i] * m);
    return { pinv: out, rank: n };
  }
  // rank-deficient: Rtop = [R11 R12] (r × n); Rtopᵀ (n × r) = Z S (unpivoted QR, full rank)
  const RtT = new Float64Array(n * r); // n × r column-major: RtT[j, i] = R[i, j]
  for (let i = 0; i < r; i++) for (let j = i; j < n; j++) RtT[j + i * n] = qr[i + j * m];
  const g = qrPivoted(RtT, n, r, 0, false);
  const Zq = formQ(g, r); // n × r
  // V = S⁻ᵀ Q_rᵀ (r × m, row-major) by forward substitution, Sᵀ lower triangular
  const Vm = new Float64Array(r * m);
  for (let i = 0; i < r; i++) {
    const vi = i * m;
    for (let t = 0; t < m; t++) Vm[vi + t] = Q[i * m + t];
    for (let j = 0; j < i; j++) {
      const sji = g.qr[j + i * n]; // S[j, i] = Sᵀ[i, j]
      if (sji === 0) continue;
      const vj = j * m;
      for (let t = 0; t < m; t++) Vm[vi + t] -= sji * Vm[vj + t];
    }
    const inv = 1 / g.qr[i + i * n];
    for (let t = 0; t < m; t++) Vm[vi + t] *= inv;
  }
  // pinv(A P) = Z V (n × m); pinv(A) row perm[k] = row k of pinv(A P)
  for (let k = 0; k < n; k++) {
    const dst = f.perm[k] * m;
    for (let c = 0; c < r; c++) {
      const z = Zq[k + c * n];
      if (z === 0) continue;
      const vc = c * m;
      for (let t = 0; t < m; t++) out[dst + t] += z * Vm[vc + t];
    }
  }
  return { pinv: out, rank: r };
}

export function dot(a: Float64Array, b: Float64Array, n: number = a.length, aOff = 0, bOff = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
  return s;
}
