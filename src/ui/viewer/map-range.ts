/** The range of a map's finite voxel values (NaN marks voxels outside the analysis mask). */
import { memorySource } from '../../core/io/byte-source.ts';
import { readNiftiImage } from '../../core/nifti/index.ts';

export interface MapRange {
  min: number;
  max: number;
  /** Voxels with a value. */
  n: number;
  /** Their values (to count the voxels over a threshold). */
  values: Float32Array;
}

/** How many values are ≥ threshold (what the viewer draws). */
export function countAtLeast(values: Float32Array, threshold: number): number {
  let c = 0;
  for (const v of values) if (v >= threshold) c++;
  return c;
}

export async function mapRange(name: string, bytes: Uint8Array): Promise<MapRange> {
  const img = await readNiftiImage(memorySource(name, bytes));
  const values = img.data.filter(Number.isFinite);
  let min = Infinity, max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length ? { min, max, n: values.length, values } : { min: 0, max: 1, n: 0, values };
}
