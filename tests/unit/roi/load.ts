/** Test helper: read a fixture NIfTI into the ROI module's Volume3D (plus RGBA and volumes). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { memorySource } from '../../../src/core/io/byte-source.ts';
import { readNiftiImage } from '../../../src/core/nifti/index.ts';
import type { Volume3D } from '../../../src/core/roi/index.ts';

export const FIX = resolve(__dirname, '../../fixtures');

export interface Loaded {
  /** First volume as a Volume3D. */
  vol: Volume3D;
  /** All volumes (x fastest), volume after volume. */
  all: Float32Array;
  nVolumes: number;
  rgba?: Uint8Array;
}

export async function loadNifti(rel: string): Promise<Loaded> {
  const path = resolve(FIX, rel);
  const img = await readNiftiImage(memorySource(rel, new Uint8Array(readFileSync(path))));
  const d = img.header.dims;
  const dims: [number, number, number] = [d[0] ?? 1, d[1] ?? 1, d[2] ?? 1];
  const n = dims[0] * dims[1] * dims[2];
  return {
    vol: { dims, affine: img.header.affine.map((r) => r.slice()), data: img.data.subarray(0, n) },
    all: img.data,
    nVolumes: img.header.nVolumes,
    rgba: img.rgba,
  };
}

/** A `loadImage` for resolveRoi over the fixtures folder (paths relative to it). */
export async function loadFixtureImage(rel: string): Promise<Volume3D> {
  return (await loadNifti(rel)).vol;
}
