/**
 * ROI mask and atlas files the user gave the page (NAME=mask.nii.gz, NAME=atlas.nii.gz:L+L), for
 * the workers: the same Blob path as the BOLD files (blob-host.ts), looked up by the path the ROI
 * spec names. Used by the pipeline worker (resolveFile + loadImage) and the extract worker
 * (loadImage).
 */
import { DdError } from '../../core/errors.ts';
import { blobSource } from '../../core/io/byte-source.ts';
import { readNiftiImage } from '../../core/nifti/index.ts';
import { blobFile, type BlobEntry } from '../../core/pipeline/blob-host.ts';
import type { HostFile } from '../../core/pipeline/host.ts';
import type { LoadImage, Volume3D } from '../../core/roi/index.ts';

export interface RoiFileHost {
  resolveFile(path: string): Promise<HostFile>;
  loadImage: LoadImage;
}

export function roiFileHost(entries: readonly BlobEntry[] = []): RoiFileHost {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const find = (path: string): BlobEntry => {
    const e = byPath.get(path);
    if (!e) {
      throw new DdError('ROI_FILE_MISSING', `${path}: this ROI file was not given to the page (files are never in a share link). Add it again with "Add a custom ROI" (or remove the ROI).`, { file: path });
    }
    return e;
  };
  return {
    resolveFile: async (path) => blobFile(find(path)),
    loadImage: async (path): Promise<Volume3D> => {
      const img = await readNiftiImage(blobSource(find(path).blob, path));
      const d = img.header.dims;
      return { dims: [d[0]!, d[1] ?? 1, d[2] ?? 1], affine: img.header.affine, data: img.data };
    },
  };
}
