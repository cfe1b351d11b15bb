/**
 * The in-memory voxel grid that every ROI function works on. Pure: no DOM, no `node:*`, no I/O.
 *
 * A grid is a 3D shape plus the 4x4 voxel→world (mm) affine of the image it came from (sform,
 * else qform, else pixdim, as the NIfTI reader decides). Voxel order is NIfTI's: x (i) fastest,
 * then y (j), then z (k): linear index = i + nx·(j + ny·k).
 */
import { DdError } from '../errors.ts';

export interface Grid {
  dims: [number, number, number];
  /** 4x4 row-major voxel (i, j, k, 1) → world mm (x, y, z, 1). */
  affine: number[][];
}

export interface Volume3D extends Grid {
  data: Float32Array;
}

/** Number of voxels of a grid. */
export function gridSize(grid: Grid): number {
  return grid.dims[0] * grid.dims[1] * grid.dims[2];
}

/** Throws ROI_BAD_GRID when the dims or the affine cannot describe a grid. */
export function checkGrid(grid: Grid, what = 'image'): void {
  const d = grid.dims;
  if (!Array.isArray(d) || d.length !== 3 || d.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new DdError('ROI_BAD_GRID', `${what}: dims must be three positive integers, got ${JSON.stringify(d)}; pass the spatial dims of the image.`);
  }
  const a = grid.affine;
  if (!Array.isArray(a) || a.length < 3 || a.slice(0, 3).some((r) => !Array.isArray(r) || r.length < 4 || r.some((v) => !Number.isFinite(v)))) {
    throw new DdError('ROI_BAD_GRID', `${what}: the affine must be a 4x4 matrix of finite numbers; check the image header (sform/qform).`);
  }
}

/** Voxel (i, j, k) → world mm through a 4x4 affine (last row assumed 0 0 0 1). */
export function applyAffine(a: number[][], i: number, j: number, k: number): [number, number, number] {
  return [
    a[0][0] * i + a[0][1] * j + a[0][2] * k + a[0][3],
    a[1][0] * i + a[1][1] * j + a[1][2] * k + a[1][3],
    a[2][0] * i + a[2][1] * j + a[2][2] * k + a[2][3],
  ];
}

/**
 * Inverse of a 4x4 matrix by Gauss-Jordan elimination with partial pivoting (f64).
 * Throws ROI_BAD_GRID for a singular matrix (an affine with a zero voxel size).
 */
export function invertAffine(m: number[][], what = 'image'): number[][] {
  const n = 4;
  const a: number[][] = [];
  for (let r = 0; r < n; r++) {
    const row = m[r] ?? (r === 3 ? [0, 0, 0, 1] : undefined);
    if (!row) throw new DdError('ROI_BAD_GRID', `${what}: the affine needs 4 rows.`);
    a.push([row[0], row[1], row[2], row[3], r === 0 ? 1 : 0, r === 1 ? 1 : 0, r === 2 ? 1 : 0, r === 3 ? 1 : 0]);
  }
  let scale = 0;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) scale = Math.max(scale, Math.abs(a[r][c]));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    if (Math.abs(a[piv][col]) <= 1e-12 * Math.max(scale, 1)) {
      throw new DdError('ROI_BAD_GRID', `${what}: the affine is singular (a voxel size of 0?); fix the sform/qform of the image.`);
    }
    if (piv !== col) [a[piv], a[col]] = [a[col], a[piv]];
    const p = a[col][col];
    for (let c = 0; c < 2 * n; c++) a[col][c] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f === 0) continue;
      for (let c = 0; c < 2 * n; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row) => row.slice(n));
}

/** Voxel sizes (mm) along i, j, k: the column norms of the 3x3 part. */
export function voxelSizes(a: number[][]): [number, number, number] {
  const s = (c: number) => Math.hypot(a[0][c], a[1][c], a[2][c]);
  return [s(0), s(1), s(2)];
}

/**
 * Nearest-voxel rounding used everywhere here: floor(v + 0.5), as scipy.ndimage's order-0
 * interpolation. Values within 1e-6 of a half are treated as the half (so that float noise in
 * two affines never decides a tie differently for LAS and RAS grids).
 */
export function roundVoxel(v: number): number {
  return Math.floor(v + 0.5 + 1e-6);
}
