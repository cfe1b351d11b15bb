/**
 * The in-memory voxel grid that every ROI function works on. Pure: no DOM, no `node:*`, no I/O.
 *
 * A grid is a 3D shape plus the 4x4 voxel→world (mm) affine of the image it came from (sform,
 * else qform, else pixdim, as the NIfTI reader decides). Voxel order is NIfTI's: x (i) fastest,
 * then y (j), then z (k): linear index = i + nx·(j + ny·k).
 */
import { DdError } from '../errors.ts';
import { applyAffine as applyAffinePoint, det3, invert4, voxelSizes } from '../nifti/affine.ts';

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
  return applyAffinePoint(a, [i, j, k]);
}

/** Inverse of a voxel → mm affine; ROI_BAD_GRID for a singular one (a voxel size of 0). */
export function invertAffine(m: number[][], what = 'image'): number[][] {
  if (m.length < 3 || m.slice(0, 3).some((r) => r.length < 4)) throw new DdError('ROI_BAD_GRID', `${what}: the affine needs 4 rows of 4 numbers.`);
  const full = m.length === 4 ? m : [...m, [0, 0, 0, 1]];
  let scale = 0;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) scale = Math.max(scale, Math.abs(full[r]![c]!));
  if (Math.abs(det3(full)) <= 1e-12 * Math.max(scale, 1) ** 3) {
    throw new DdError('ROI_BAD_GRID', `${what}: the affine is singular (a voxel size of 0?); fix the sform/qform of the image.`);
  }
  return invert4(full);
}

export { voxelSizes };

/**
 * Nearest-voxel rounding used everywhere here: floor(v + 0.5), as scipy.ndimage's order-0
 * interpolation. Values within 1e-6 of a half are treated as the half (so that float noise in
 * two affines never decides a tie differently for LAS and RAS grids).
 */
export function roundVoxel(v: number): number {
  return Math.floor(v + 0.5 + 1e-6);
}
