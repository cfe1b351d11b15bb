// ROI files given to the page reach the workers through the same Blob path as the BOLD files:
// resolveFile (hash for the cache keys) and loadImage (the mask), by the path the ROI spec names.
import { describe, expect, it } from 'vitest';
import { encodeNifti1, gzipBytes } from '../../../src/core/nifti/write.ts';
import { roiFileHost } from '../../../src/platform/browser/roi-files.ts';
import { parseRoiSpec, resolveRoi } from '../../../src/core/roi/index.ts';
import type { Mat4 } from '../../../src/core/nifti/affine.ts';

const AFFINE: Mat4 = [[2, 0, 0, -4], [0, 2, 0, -4], [0, 0, 2, -4], [0, 0, 0, 1]];
const DIMS = [5, 5, 5];

function maskBytes(): Uint8Array {
  const data = new Uint8Array(125);
  data[62] = 1; // the centre voxel (2,2,2) = world (0,0,0)
  data[63] = 1;
  return encodeNifti1({ dims: DIMS, affine: AFFINE, datatype: 'uint8', data });
}

describe('roiFileHost', () => {
  it('loads a dropped .nii.gz mask by the path of its spec and resolves it on the BOLD grid', async () => {
    const blob = new Blob([(await gzipBytes(maskBytes())) as Uint8Array<ArrayBuffer>]);
    const host = roiFileHost([{ path: 'my_mask.nii.gz', blob, lastModified: 5 }]);
    const vol = await host.loadImage('my_mask.nii.gz');
    expect(vol.dims).toEqual(DIMS);
    expect(Array.from(vol.data).filter((v) => v !== 0)).toHaveLength(2);
    const roi = await resolveRoi(parseRoiSpec('m=my_mask.nii.gz'), { dims: [5, 5, 5], affine: vol.affine }, host.loadImage);
    expect(Array.from(roi.indices)).toEqual([62, 63]);
    const f = await host.resolveFile('my_mask.nii.gz');
    expect(f.size).toBe(blob.size);
    expect(f.mtimeMs).toBe(5);
  });

  it('a file the page was not given: ROI_FILE_MISSING naming it and the fix', async () => {
    const host = roiFileHost([]);
    await expect(host.loadImage('ofc.nii')).rejects.toMatchObject({ code: 'ROI_FILE_MISSING', file: 'ofc.nii' });
    await expect(host.resolveFile('ofc.nii')).rejects.toThrow(/Add a custom ROI/);
  });

  it('a file that is not NIfTI: the reader\'s coded error names it', async () => {
    const host = roiFileHost([{ path: 'bad.nii', blob: new Blob(['hello, not an image']) }]);
    await expect(host.loadImage('bad.nii')).rejects.toMatchObject({ file: 'bad.nii' });
  });
});
