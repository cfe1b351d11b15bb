/**
 * Searchlight spheres on a voxel grid. A sphere of radius r mm around voxel c holds the in-mask
 * voxels c + o for every integer offset o = (di, dj, dk) with ‖A·o‖ ≤ r, A the 3 × 3 linear part
 * of the grid's voxel → mm affine (so oblique and anisotropic grids are handled; nilearn's
 * SearchLight uses the same ball in mm). The offsets are computed once per (grid, radius); a
 * tolerance of 1e-9 mm keeps voxels exactly on the surface.
 *
 * Moving the centre by +1 voxel along i, the sphere gains `enter` (offsets o of the new centre
 * with o + e_i outside the ball) and loses `leave` (offsets o of the old centre with o − e_i
 * outside the ball): the
 * sliding update of the Gram matrix only touches those voxels.
 */
import { DdError } from '../errors.ts';
import type { Grid } from '../roi/grid.ts';

export interface SphereOffsets {
  radiusMm: number;
  /** (di, dj, dk) triplets, sorted by (dk, dj, di). */
  all: Int32Array;
  /** Offsets (relative to the new centre) entering when the centre moves by +1 along i. */
  enter: Int32Array;
  /** Offsets (relative to the old centre) leaving when the centre moves by +1 along i. */
  leave: Int32Array;
}

export function sphereOffsets(affine: number[][], radiusMm: number): SphereOffsets {
  if (!(radiusMm >= 0) || !Number.isFinite(radiusMm)) throw new DdError('ARGS_BAD_VALUE', `--radius must be a number of mm ≥ 0, got ${radiusMm}.`);
  const A = [0, 1, 2].map((r) => [0, 1, 2].map((c) => affine[r]![c]!));
  const colNorm = [0, 1, 2].map((c) => Math.hypot(A[0]![c]!, A[1]![c]!, A[2]![c]!));
  if (colNorm.some((v) => !(v > 0))) throw new DdError('ROI_BAD_GRID', 'searchlight: the grid affine has a zero voxel size.');
  // Bounding box: |o_c| ≤ r / σ_min would be exact; the smallest column norm is enough for
  // axis-aligned grids and a generous box (×2) covers shears.
  const ext = [0, 1, 2].map((c) => Math.ceil((2 * radiusMm) / Math.min(...colNorm)) + 1);
  const inBall = (di: number, dj: number, dk: number) => {
    const x = A[0]![0]! * di + A[0]![1]! * dj + A[0]![2]! * dk;
    const y = A[1]![0]! * di + A[1]![1]! * dj + A[1]![2]! * dk;
    const z = A[2]![0]! * di + A[2]![1]! * dj + A[2]![2]! * dk;
    return x * x + y * y + z * z <= radiusMm * radiusMm + 1e-9;
  };
  const all: number[] = [], enter: number[] = [], leave: number[] = [];
  for (let dk = -ext[2]!; dk <= ext[2]!; dk++) for (let dj = -ext[1]!; dj <= ext[1]!; dj++) for (let di = -ext[0]!; di <= ext[0]!; di++) {
    if (!inBall(di, dj, dk)) continue;
    all.push(di, dj, dk);
    // Voxel c_new + o was at offset o + e_i from the old centre; c_old + o is at o − e_i from the new one.
    if (!inBall(di + 1, dj, dk)) enter.push(di, dj, dk);
    if (!inBall(di - 1, dj, dk)) leave.push(di, dj, dk);
  }
  return { radiusMm, all: Int32Array.from(all), enter: Int32Array.from(enter), leave: Int32Array.from(leave) };
}

/**
 * Column lookup: lookup[linear voxel index] = column of X (position in `maskIndices`), or −1.
 * maskIndices must be strictly ascending linear indices (NIfTI order, i fastest) inside the grid.
 */
export function maskLookup(grid: Grid, maskIndices: ArrayLike<number>, out?: Int32Array): Int32Array {
  const [nx, ny, nz] = grid.dims;
  const size = nx * ny * nz;
  const lut = out ?? new Int32Array(size);
  if (lut.length !== size) throw new DdError('SEARCHLIGHT_BAD_MASK', `maskLookup: a lookup of ${lut.length} entries for a grid of ${size} voxels.`);
  lut.fill(-1);
  let prev = -1;
  for (let c = 0; c < maskIndices.length; c++) {
    const v = maskIndices[c]!;
    if (!Number.isInteger(v) || v <= prev || v >= size) {
      throw new DdError('SEARCHLIGHT_BAD_MASK', `The mask voxel indices must be ascending and inside the ${nx}×${ny}×${nz} grid; index ${c} is ${v}.`);
    }
    lut[v] = c;
    prev = v;
  }
  return lut;
}

/**
 * Columns of the in-mask voxels at centre (i, j, k) + offsets (triplets) into out (from
 * position `at`); returns the new end position.
 */
export function collectColumns(
  dims: readonly [number, number, number], lut: Int32Array, i: number, j: number, k: number, offsets: Int32Array, out: Int32Array, at = 0,
): number {
  const [nx, ny, nz] = dims;
  let q = at;
  for (let o = 0; o < offsets.length; o += 3) {
    const x = i + offsets[o]!, y = j + offsets[o + 1]!, z = k + offsets[o + 2]!;
    if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue;
    const c = lut[x + nx * (y + ny * z)]!;
    if (c >= 0) out[q++] = c;
  }
  return q;
}
