/**
 * 4×4 affines (voxel index → world mm) as row-major `number[][]`, and orientation codes that
 * match nibabel's `aff2axcodes` (its `io_orientation` logic, including the polar decomposition
 * that removes shears before picking the dominant world axis of each voxel axis).
 */

export type Mat4 = number[][];
export type Vec3 = [number, number, number];
export type AxisCode = 'L' | 'R' | 'P' | 'A' | 'I' | 'S';

export function identity4(): Mat4 {
  return [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
}

/**
 * The qform affine from quaternion parameters (NIfTI "method 2"), as nibabel's `get_qform`:
 * a = sqrt(1 − b² − c² − d²) (0 when slightly negative from rounding), rotation from the
 * (normalised) quaternion, voxel sizes `pixdim[1..3]`, qfac (`pixdim[0]`, anything but −1 counts
 * as +1, as the NIfTI standard says) flipping the third axis, offsets as translation.
 */
export function qformAffine(
  quaternB: number,
  quaternC: number,
  quaternD: number,
  qoffset: Vec3,
  pixdim: ArrayLike<number>,
): Mat4 {
  const b = quaternB, c = quaternC, d = quaternD;
  const w2 = 1 - (b * b + c * c + d * d);
  const a = w2 > 0 ? Math.sqrt(w2) : 0;
  const r = quatToMat3(a, b, c, d);
  const qfac = pixdim[0] === -1 ? -1 : 1;
  const vox: Vec3 = [pixdim[1] ?? 1, pixdim[2] ?? 1, (pixdim[3] ?? 1) * qfac];
  const out = identity4();
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[i]![j] = r[i]![j]! * vox[j]!;
    out[i]![3] = qoffset[i]!;
  }
  return out;
}

/** Rotation matrix of a (not necessarily unit) quaternion w + xi + yj + zk. */
export function quatToMat3(w: number, x: number, y: number, z: number): number[][] {
  const n = w * w + x * x + y * y + z * z;
  if (n < 2.220446049250313e-16) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const s = 2 / n;
  const X = x * s, Y = y * s, Z = z * s;
  const wX = w * X, wY = w * Y, wZ = w * Z;
  const xX = x * X, xY = x * Y, xZ = x * Z;
  const yY = y * Y, yZ = y * Z, zZ = z * Z;
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/**
 * Quaternion parameters for the qform of an affine (nibabel's `set_qform` logic): voxel sizes are
 * the column norms, qfac = −1 when the rotation part has a negative determinant (third column
 * flipped), shears are removed by the polar decomposition, and the quaternion has a ≥ 0.
 */
export function affineToQuatern(affine: Mat4): {
  quaternB: number; quaternC: number; quaternD: number;
  qoffset: Vec3; pixdim: Vec3; qfac: 1 | -1;
} {
  const zooms = voxelSizes(affine);
  const r: number[][] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r[i]![j] = affine[i]![j]! / (zooms[j] || 1);
  let qfac: 1 | -1 = 1;
  if (det3(r) <= 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) r[i]![2] = -r[i]![2]!;
  }
  const pr = polar3(r).q;
  const [w, x, y, z] = mat3ToQuat(pr);
  return {
    quaternB: x, quaternC: y, quaternD: z,
    qoffset: [affine[0]![3]!, affine[1]![3]!, affine[2]![3]!],
    pixdim: [zooms[0], zooms[1], zooms[2]],
    qfac,
  };
}

/** Unit quaternion [w, x, y, z] (w ≥ 0) of a proper rotation matrix (Shepperd's method). */
export function mat3ToQuat(m: number[][]): [number, number, number, number] {
  const m00 = m[0]![0]!, m01 = m[0]![1]!, m02 = m[0]![2]!;
  const m10 = m[1]![0]!, m11 = m[1]![1]!, m12 = m[1]![2]!;
  const m20 = m[2]![0]!, m21 = m[2]![1]!, m22 = m[2]![2]!;
  const tr = m00 + m11 + m22;
  let w: number, x: number, y: number, z: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = 0.25 * s; x = (m21 - m12) / s; y = (m02 - m20) / s; z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    w = (m21 - m12) / s; x = 0.25 * s; y = (m01 + m10) / s; z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    w = (m02 - m20) / s; x = (m01 + m10) / s; y = 0.25 * s; z = (m12 + m21) / s;
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    w = (m10 - m01) / s; x = (m02 + m20) / s; y = (m12 + m21) / s; z = 0.25 * s;
  }
  const n = Math.hypot(w, x, y, z) || 1;
  w /= n; x /= n; y /= n; z /= n;
  if (w < 0) { w = -w; x = -x; y = -y; z = -z; }
  return [w, x, y, z];
}

/**
 * nibabel's `shape_zoom_affine(shape, zooms, x_flip=True)`: the affine nibabel uses when neither
 * sform nor qform is set — diagonal zooms with x flipped, centred on the middle voxel.
 */
export function shapeZoomAffine(shape: ArrayLike<number>, zooms: ArrayLike<number>): Mat4 {
  const sh = [shape[0] ?? 1, shape[1] ?? 1, shape[2] ?? 1];
  const z = [-(zooms[0] ?? 1), zooms[1] ?? 1, zooms[2] ?? 1];
  const out = identity4();
  for (let i = 0; i < 3; i++) {
    out[i]![i] = z[i]!;
    out[i]![3] = -((sh[i]! - 1) / 2) * z[i]!;
  }
  return out;
}

export function multiply4(a: Mat4, b: Mat4): Mat4 {
  const out: Mat4 = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[i]![k]! * b[k]![j]!;
      out[i]![j] = s;
    }
  return out;
}

/** Inverse of a 4×4 matrix (Gauss–Jordan with partial pivoting); throws on a singular matrix. */
export function invert4(m: Mat4): Mat4 {
  const a = m.map((row, i) => [...row.slice(0, 4), ...[0, 0, 0, 0].map((_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    const p = a[piv]![col]!;
    if (!Number.isFinite(p) || Math.abs(p) < 1e-300) throw new Error('affine is singular and cannot be inverted');
    if (piv !== col) [a[piv], a[col]] = [a[col]!, a[piv]!];
    const rowc = a[col]!;
    for (let j = 0; j < 8; j++) rowc[j] = rowc[j]! / p;
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      if (f === 0) continue;
      const row = a[r]!;
      for (let j = 0; j < 8; j++) row[j] = row[j]! - f * rowc[j]!;
    }
  }
  return a.map((row) => row.slice(4));
}

/** Applies an affine to one point (x, y, z) → (x', y', z'). */
export function applyAffine(m: Mat4, p: ArrayLike<number>): Vec3 {
  const x = p[0]!, y = p[1]!, z = p[2]!;
  return [
    m[0]![0]! * x + m[0]![1]! * y + m[0]![2]! * z + m[0]![3]!,
    m[1]![0]! * x + m[1]![1]! * y + m[1]![2]! * z + m[1]![3]!,
    m[2]![0]! * x + m[2]![1]! * y + m[2]![2]! * z + m[2]![3]!,
  ];
}

/**
 * Applies an affine to many points packed as [x0, y0, z0, x1, …]; writes into `out` (may be the
 * same array) and returns it.
 */
export function applyAffineMany<T extends Float64Array | Float32Array>(m: Mat4, pts: T, out?: T): T {
  const o = (out ?? new (pts.constructor as { new (n: number): T })(pts.length)) as T;
  const a00 = m[0]![0]!, a01 = m[0]![1]!, a02 = m[0]![2]!, a03 = m[0]![3]!;
  const a10 = m[1]![0]!, a11 = m[1]![1]!, a12 = m[1]![2]!, a13 = m[1]![3]!;
  const a20 = m[2]![0]!, a21 = m[2]![1]!, a22 = m[2]![2]!, a23 = m[2]![3]!;
  for (let i = 0; i + 2 < pts.length; i += 3) {
    const x = pts[i]!, y = pts[i + 1]!, z = pts[i + 2]!;
    o[i] = a00 * x + a01 * y + a02 * z + a03;
    o[i + 1] = a10 * x + a11 * y + a12 * z + a13;
    o[i + 2] = a20 * x + a21 * y + a22 * z + a23;
  }
  return o;
}

/** Voxel sizes: the Euclidean norms of the first three columns (nibabel `voxel_sizes`). */
export function voxelSizes(m: Mat4): Vec3 {
  const out: Vec3 = [0, 0, 0];
  for (let j = 0; j < 3; j++) out[j] = Math.hypot(m[0]![j]!, m[1]![j]!, m[2]![j]!);
  return out;
}

export function det3(m: number[][]): number {
  return (
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!)
  );
}

/**
 * Symmetric 3×3 eigen-decomposition by cyclic Jacobi rotations. Returns eigenvalues and the
 * eigenvectors as the columns of `v`.
 */
function symEig3(s: number[][]): { values: number[]; v: number[][] } {
  const a = s.map((r) => r.slice());
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 60; sweep++) {
    const off = Math.abs(a[0]![1]!) + Math.abs(a[0]![2]!) + Math.abs(a[1]![2]!);
    const scale = Math.abs(a[0]![0]!) + Math.abs(a[1]![1]!) + Math.abs(a[2]![2]!);
    if (off === 0 || off <= 1e-300 || off < scale * 1e-18) break;
    for (let p = 0; p < 2; p++)
      for (let q = p + 1; q < 3; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), sn = t * c;
        for (let k = 0; k < 3; k++) {
          const akp = a[k]![p]!, akq = a[k]![q]!;
          a[k]![p] = c * akp - sn * akq;
          a[k]![q] = sn * akp + c * akq;
        }
        for (let k = 0; k < 3; k++) {
          const apk = a[p]![k]!, aqk = a[q]![k]!;
          a[p]![k] = c * apk - sn * aqk;
          a[q]![k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < 3; k++) {
          const vkp = v[k]![p]!, vkq = v[k]![q]!;
          v[k]![p] = c * vkp - sn * vkq;
          v[k]![q] = sn * vkp + c * vkq;
        }
      }
  }
  return { values: [a[0]![0]!, a[1]![1]!, a[2]![2]!], v };
}

/**
 * Polar decomposition of a 3×3 matrix A = Q·H via the SVD (A = P S Vᵀ): Q = P_keep · V_keepᵀ,
 * keeping only singular values above `tol` (default S.max · 3 · eps, as nibabel). For a
 * full-rank A, Q is the closest orthogonal matrix; rank-deficient directions give zero columns.
 */
export function polar3(a: number[][], tol?: number): { q: number[][]; singular: number[] } {
  // AᵀA = V S² Vᵀ
  const ata: number[][] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[k]![i]! * a[k]![j]!;
      ata[i]![j] = s;
    }
  const { values, v } = symEig3(ata);
  const sing = values.map((x) => Math.sqrt(Math.max(0, x)));
  const smax = Math.max(...sing);
  const t = tol ?? smax * 3 * 2.220446049250313e-16;
  const q: number[][] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let k = 0; k < 3; k++) {
    if (!(sing[k]! > t)) continue;
    // p_k = A v_k / s_k ; Q += p_k v_kᵀ
    const vk = [v[0]![k]!, v[1]![k]!, v[2]![k]!];
    const pk = [0, 1, 2].map((i) => (a[i]![0]! * vk[0]! + a[i]![1]! * vk[1]! + a[i]![2]! * vk[2]!) / sing[k]!);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) q[i]![j] = q[i]![j]! + pk[i]! * vk[j]!;
  }
  return { q, singular: sing };
}

/**
 * nibabel's `io_orientation(affine)` for a 4×4 affine: for each voxel axis, the world axis it
 * points along (0 = x, 1 = y, 2 = z) and the direction (+1 / −1), or null for a degenerate axis.
 */
export function ioOrientation(affine: Mat4): Array<[number, 1 | -1] | null> {
  const rzs = [0, 1, 2].map((i) => [affine[i]![0]!, affine[i]![1]!, affine[i]![2]!]);
  const zooms = voxelSizes(affine).map((z) => (z === 0 ? 1 : z));
  const rs = rzs.map((row) => row.map((x, j) => x / zooms[j]!));
  const r = polar3(rs).q;
  const out: Array<[number, 1 | -1] | null> = [null, null, null];
  for (let inAx = 0; inAx < 3; inAx++) {
    const col = [r[0]![inAx]!, r[1]![inAx]!, r[2]![inAx]!];
    // np.allclose(col, 0): |x| <= 1e-8 for every element
    if (col.every((x) => Math.abs(x) <= 1e-8)) continue;
    let outAx = 0;
    for (let k = 1; k < 3; k++) if (Math.abs(col[k]!) > Math.abs(col[outAx]!)) outAx = k;
    out[inAx] = [outAx, col[outAx]! < 0 ? -1 : 1];
    for (let j = 0; j < 3; j++) r[outAx]![j] = 0;
  }
  return out;
}

const LABELS: Array<[AxisCode, AxisCode]> = [['L', 'R'], ['P', 'A'], ['I', 'S']];

/** nibabel's `aff2axcodes(affine)`: e.g. ['R', 'A', 'S']; null for a degenerate axis. */
export function axcodes(affine: Mat4): Array<AxisCode | null> {
  return ioOrientation(affine).map((o) => (o === null ? null : LABELS[o[0]]![o[1] === -1 ? 0 : 1]!));
}

/** Orientation as one string, e.g. "RAS", "LAS"; a degenerate axis shows as "?". */
export function orientationString(affine: Mat4): string {
  return axcodes(affine).map((c) => c ?? '?').join('');
}
