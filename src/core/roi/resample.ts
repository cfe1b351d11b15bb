/**
 * Nearest-neighbour resampling between grids through both affines, label masks, spheres.
 *
 * Every mapping goes target voxel → world mm (target.affine) → source voxel (inverse of
 * src.affine) → nearest voxel. Because it goes through millimetres, the storage order of either
 * image (RAS, LAS, any axis permutation or oblique affine) never flips left and right.
 */
import { DdError } from '../errors.ts';
import { type Grid, type Volume3D, checkGrid, gridSize, invertAffine, roundVoxel, voxelSizes } from './grid.ts';

/**
 * For every target voxel, the linear index of the nearest source voxel, or −1 when the target
 * voxel centre falls outside the source grid. Shared by all the resamplers here.
 */
export function nearestSourceIndex(src: Grid, target: Grid): Int32Array {
  checkGrid(src, 'source image');
  checkGrid(target, 'target grid');
  const inv = invertAffine(src.affine, 'source image');
  const t = target.affine;
  // M = inv(src) · target (3x4 part is enough: last rows are 0 0 0 1).
  const m: number[][] = [0, 1, 2].map((r) =>
    [0, 1, 2, 3].map((c) => inv[r][0] * t[0][c] + inv[r][1] * t[1][c] + inv[r][2] * t[2][c] + inv[r][3] * (c === 3 ? 1 : 0)),
  );
  const [nx, ny, nz] = target.dims;
  const [sx, sy, sz] = src.dims;
  const out = new Int32Array(nx * ny * nz);
  let o = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const bx = m[0][1] * j + m[0][2] * k + m[0][3];
      const by = m[1][1] * j + m[1][2] * k + m[1][3];
      const bz = m[2][1] * j + m[2][2] * k + m[2][3];
      for (let i = 0; i < nx; i++, o++) {
        const u = roundVoxel(bx + m[0][0] * i);
        const v = roundVoxel(by + m[1][0] * i);
        const w = roundVoxel(bz + m[2][0] * i);
        out[o] = u < 0 || v < 0 || w < 0 || u >= sx || v >= sy || w >= sz ? -1 : u + sx * (v + sy * w);
      }
    }
  }
  return out;
}

/**
 * `src` resampled onto `target` by nearest neighbour through both affines; target voxels whose
 * centre falls outside the source grid get 0.
 */
export function resampleNearest(src: Volume3D, target: Grid): Float32Array {
  if (src.data.length < gridSize(src)) {
    throw new DdError('ROI_BAD_GRID', `source image: ${src.data.length} values for a ${src.dims.join('×')} grid; pass one 3D volume.`);
  }
  const idx = nearestSourceIndex(src, target);
  const out = new Float32Array(idx.length);
  for (let o = 0; o < idx.length; o++) {
    const s = idx[o];
    if (s >= 0) out[o] = src.data[s];
  }
  return out;
}

/** 1 where the (label) volume equals one of `labels` (values within 1e-4 of an integer label). */
export function maskFromLabels(volume: { data: ArrayLike<number> }, labels: number[]): Uint8Array {
  const set = new Set(labels.map((l) => Math.round(l)));
  const d = volume.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    const r = Math.round(v);
    if (Math.abs(v - r) < 1e-4 && set.has(r)) out[i] = 1;
  }
  return out;
}

/**
 * 1 for every voxel of `target` whose centre lies within `radiusMm` (inclusive) of `centreMm`
 * (world mm, e.g. MNI). Works for any affine, oblique included.
 */
export function sphereMask(target: Grid, centreMm: [number, number, number], radiusMm: number): Uint8Array {
  checkGrid(target, 'target grid');
  if (!(radiusMm >= 0) || !Number.isFinite(radiusMm) || centreMm.length !== 3 || centreMm.some((c) => !Number.isFinite(c))) {
    throw new DdError('ROI_BAD_SPEC', `sphere: centre ${JSON.stringify(centreMm)} and radius ${radiusMm} must be finite numbers (radius ≥ 0), e.g. vmpfc=sphere:2,46,-8,10.`);
  }
  const [nx, ny, nz] = target.dims;
  const out = new Uint8Array(nx * ny * nz);
  const a = target.affine;
  const inv = invertAffine(a, 'target grid');
  // Bounding box in voxel space: centre ± r·‖row of inv 3x3‖ (+1 for rounding).
  const lo: number[] = [];
  const hi: number[] = [];
  const lim = [nx, ny, nz];
  for (let r = 0; r < 3; r++) {
    const c = inv[r][0] * centreMm[0] + inv[r][1] * centreMm[1] + inv[r][2] * centreMm[2] + inv[r][3];
    const ext = radiusMm * Math.hypot(inv[r][0], inv[r][1], inv[r][2]);
    lo.push(Math.max(0, Math.floor(c - ext) - 1));
    hi.push(Math.min(lim[r] - 1, Math.ceil(c + ext) + 1));
  }
  const r2 = radiusMm * radiusMm * (1 + 1e-12) + 1e-12;
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      for (let i = lo[0]; i <= hi[0]; i++) {
        const dx = a[0][0] * i + a[0][1] * j + a[0][2] * k + a[0][3] - centreMm[0];
        const dy = a[1][0] * i + a[1][1] * j + a[1][2] * k + a[1][3] - centreMm[1];
        const dz = a[2][0] * i + a[2][1] * j + a[2][2] * k + a[2][3] - centreMm[2];
        if (dx * dx + dy * dy + dz * dz <= r2) out[i + nx * (j + ny * k)] = 1;
      }
    }
  }
  return out;
}

/** Linear voxel indices (NIfTI order, ascending) where the mask is non-zero. */
export function maskIndices(mask: ArrayLike<number>): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const out = new Int32Array(n);
  let o = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[o++] = i;
  return out;
}

/** Mean world coordinate (mm) of the voxels of a mask on a grid; null-free: throws on an empty mask. */
export function maskCentroidMm(grid: Grid, mask: ArrayLike<number>): [number, number, number] {
  const [nx, ny] = grid.dims;
  const a = grid.affine;
  let n = 0;
  const s = [0, 0, 0];
  for (let o = 0; o < mask.length; o++) {
    if (!mask[o]) continue;
    const i = o % nx;
    const j = Math.floor(o / nx) % ny;
    const k = Math.floor(o / (nx * ny));
    for (let r = 0; r < 3; r++) s[r] += a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3];
    n++;
  }
  if (n === 0) throw new DdError('ROI_EMPTY', 'centroid of an empty mask; check that the ROI overlaps the image.');
  return [s[0] / n, s[1] / n, s[2] / n];
}

/** Volume of one voxel in mm³. */
export function voxelVolumeMm3(grid: Grid): number {
  const a = grid.affine;
  // |det| of the 3x3 part (not just the product of sizes: correct for oblique/sheared affines).
  const det =
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  return Math.abs(det) || voxelSizes(a).reduce((p, v) => p * v, 1);
}
