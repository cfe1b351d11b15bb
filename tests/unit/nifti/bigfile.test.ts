import { describe, expect, it } from 'vitest';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ByteSource } from '../../../src/core/io/byte-source.ts';
import { fileSource } from '../../../src/platform/node/file-source.ts';
import {
  decodeVolume,
  encodeNifti1Header,
  encodeVolumeData,
  openNifti,
  streamVolumeBytes,
} from '../../../src/core/nifti/index.ts';

const DIMS = [128, 128, 64, 1030]; // int16: 2 MiB per volume, 2.16e9 bytes in all
const VPV = 128 * 128 * 64;
const HEADER = encodeNifti1Header({
  dims: DIMS,
  affine: [[-2, 0, 0, 128], [0, 2, 0, -128], [0, 0, 2, -64], [0, 0, 0, 1]],
  datatype: 'int16',
  trSeconds: 1.5,
});
const OFFSET = HEADER.byteLength; // 352

/** The deterministic int16 value of global voxel g (over all volumes). */
function valueAt(g: number): number {
  return ((g * 7 + Math.floor(g / 65536)) % 65521) - 32760;
}

/** A ByteSource > 2 GiB that generates its bytes on demand (never holds the file). */
function syntheticSource(): { src: ByteSource; maxSlice: () => number } {
  const size = OFFSET + DIMS.reduce((a, b) => a * b, 1) * 2;
  let maxSlice = 0;
  const src: ByteSource = {
    name: 'synthetic_big.nii',
    size,
    async slice(start, end) {
      const s = Math.max(0, start);
      const e = Math.min(size, end);
      const out = new Uint8Array(Math.max(0, e - s));
      maxSlice = Math.max(maxSlice, out.length);
      for (let o = s; o < e; o++) {
        if (o < OFFSET) {
          out[o - s] = HEADER[o]!;
          continue;
        }
        const rel = o - OFFSET;
        const g = Math.floor(rel / 2);
        const v = valueAt(g) & 0xffff;
        out[o - s] = rel % 2 === 0 ? v & 0xff : v >>> 8;
      }
      return out;
    },
    stream() {
      throw new Error('a plain .nii must be read with slice(), not stream()');
    },
  };
  return { src, maxSlice: () => maxSlice };
}

describe('files over 2 GiB', () => {
  it('streams the last volumes of a synthetic 2.16 GB .nii with slice reads', async () => {
    const { src, maxSlice } = syntheticSource();
    expect(src.size).toBeGreaterThan(2 ** 31);
    const { header, gzip } = await openNifti(src);
    expect(gzip).toBe(false);
    expect(header.dims).toEqual(DIMS);
    expect(header.voxOffset + header.imageBytes).toBe(src.size);
    const out = new Float32Array(VPV);
    const seen: number[] = [];
    for await (const { index, bytes } of streamVolumeBytes(src, header, gzip, { startVolume: 1026 })) {
      seen.push(index);
      expect(header.voxOffset + index * header.bytesPerVolume).toBeGreaterThan(2 ** 31);
      decodeVolume(bytes, header, out);
      const base = index * VPV;
      for (let i = 0; i < VPV; i += 997) {
        if (out[i] !== valueAt(base + i)) throw new Error(`volume ${index} voxel ${i}: ${out[i]} != ${valueAt(base + i)}`);
      }
      expect(out[VPV - 1]).toBe(valueAt(base + VPV - 1));
    }
    expect(seen).toEqual([1026, 1027, 1028, 1029]);
    expect(maxSlice()).toBeLessThanOrEqual(32 << 20); // read in chunks, never the file
  });

  it('reads past 2 GiB from a sparse file on disk (Node file source)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ddmvpa-big-'));
    const path = join(dir, 'big.nii');
    try {
      const fh = await open(path, 'w');
      const size = OFFSET + DIMS.reduce((a, b) => a * b, 1) * 2;
      await fh.truncate(size); // sparse: no disk space used for the zero volumes
      await fh.write(HEADER, 0, HEADER.length, 0);
      const last = new Int16Array(VPV);
      for (let i = 0; i < VPV; i++) last[i] = valueAt(1029 * VPV + i);
      const lastBytes = encodeVolumeData(last, 'int16');
      await fh.write(lastBytes, 0, lastBytes.length, OFFSET + 1029 * VPV * 2);
      await fh.close();
      const src = await fileSource(path);
      expect(src.size).toBe(size);
      const { header, gzip } = await openNifti(src);
      const out = new Float32Array(VPV);
      let n = 0;
      for await (const { index, bytes } of streamVolumeBytes(src, header, gzip, { startVolume: 1028 })) {
        decodeVolume(bytes, header, out);
        if (index === 1028) expect(out.every((x) => x === 0)).toBe(true);
        else for (let i = 0; i < VPV; i++) if (out[i] !== last[i]) throw new Error(`voxel ${i}: ${out[i]} != ${last[i]}`);
        n++;
      }
      expect(n).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
