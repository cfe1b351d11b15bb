import { readNiftiImage } from '../../core/nifti/index.ts';
import type { Volume3D } from '../../core/roi/index.ts';
import { fileSource } from './file-source.ts';

/** Reads a 3D NIfTI from disk into the in-memory grid the ROI code works on. */
export async function loadVolume3D(path: string): Promise<Volume3D> {
  const img = await readNiftiImage(await fileSource(path));
  const d = img.header.dims;
  return { dims: [d[0]!, d[1] ?? 1, d[2] ?? 1], affine: img.header.affine, data: img.data };
}
