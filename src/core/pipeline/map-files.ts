/**
 * Names and coordinates of the searchlight map files beside results.json (kept apart from the
 * searchlight stage so results.json readers do not load the kernels).
 */
import type { Grid } from '../roi/grid.ts';

export const subjectMapFile = (subject: string, target: string, kind: 'score' | 'p') => `searchlight/sub-${subject}_target-${target}_${kind}.nii.gz`;
export const groupMapFile = (target: string) => `searchlight/group_target-${target}_t.nii.gz`;

/** World mm (x, y, z) of a linear grid index (NIfTI order), to 0.001 mm. */
export function voxelMm(grid: Grid, index: number): [number, number, number] {
  const [nx, ny] = grid.dims;
  const i = index % nx, j = Math.floor(index / nx) % ny, k = Math.floor(index / (nx * ny));
  const A = grid.affine;
  const r = (a: number) => Math.round((A[a]![0]! * i + A[a]![1]! * j + A[a]![2]! * k + A[a]![3]!) * 1000) / 1000;
  return [r(0), r(1), r(2)];
}
