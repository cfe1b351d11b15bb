/**
 * Searchlight maps on the grid: a per-mask-voxel vector as a volume (NaN or a fill value outside
 * the mask), the mask's voxel indices from a mask volume, and the group t map across subjects.
 */
import { DdError } from '../errors.ts';
import type { Grid, Volume3D } from '../roi/grid.ts';
import { ttest1samp, type Alternative } from '../stats/group.ts';

/** Ascending linear indices of the non-zero voxels of a mask volume. */
export function maskIndicesOf(mask: Volume3D): Int32Array {
  const out: number[] = [];
  for (let v = 0; v < mask.data.length; v++) if (mask.data[v] !== 0 && !Number.isNaN(mask.data[v]!)) out.push(v);
  if (out.length === 0) throw new DdError('SEARCHLIGHT_EMPTY_MASK', 'The brain mask has no non-zero voxel.');
  return Int32Array.from(out);
}

/** values (one per mask voxel) placed on the grid as f32; `outside` (default NaN) elsewhere. */
export function scoreVolume(values: ArrayLike<number>, maskIndices: ArrayLike<number>, grid: Grid, outside = NaN): Float32Array {
  if (values.length !== maskIndices.length) throw new DdError('SEARCHLIGHT_BAD_MASK', `${values.length} values for ${maskIndices.length} mask voxels.`);
  const vol = new Float32Array(grid.dims[0] * grid.dims[1] * grid.dims[2]).fill(outside);
  for (let q = 0; q < maskIndices.length; q++) vol[maskIndices[q]!] = values[q]!;
  return vol;
}

export interface GroupTMap {
  t: Float32Array;
  p: Float32Array;
  mean: Float32Array;
  /** Subjects with a finite value at each voxel. */
  n: Uint16Array;
}

/**
 * One-sample t-test of the subjects' maps against `chance` at each voxel (scipy.stats.ttest_1samp,
 * one-sided 'greater' by default). Maps are volumes on one grid; a voxel needs at least two
 * finite subject values, else t, p and mean are NaN there (outside every mask).
 */
export function groupTMap(maps: readonly Float32Array[], chance: number, alternative: Alternative = 'greater'): GroupTMap {
  if (maps.length < 2) throw new DdError('STATS_TOO_FEW', `A group t map needs at least two subject maps, got ${maps.length}.`);
  const size = maps[0]!.length;
  if (maps.some((m) => m.length !== size)) throw new DdError('SEARCHLIGHT_GRID_MISMATCH', 'The subject maps are on different grids; resample them to one grid (e.g. MNI) first.');
  const t = new Float32Array(size).fill(NaN), p = new Float32Array(size).fill(NaN), mean = new Float32Array(size).fill(NaN);
  const n = new Uint16Array(size);
  const vals: number[] = [];
  for (let v = 0; v < size; v++) {
    vals.length = 0;
    for (const m of maps) if (Number.isFinite(m[v]!)) vals.push(m[v]!);
    n[v] = vals.length;
    if (vals.length < 2) continue;
    const r = ttest1samp(vals, chance, alternative);
    t[v] = r.t; p[v] = r.pValue; mean[v] = r.mean;
  }
  return { t, p, mean, n };
}
