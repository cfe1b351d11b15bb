import { describe, expect, it } from 'vitest';
import {
  openNifti,
  readNiftiImage,
  streamVolumeBytes,
  streamVolumes,
  decodeVolume,
} from '../../../src/core/nifti/index.ts';
import { close, fixtureSource, golden, HAXBY_RUNS } from './helpers.ts';

const files = Object.values(golden.files);

function stats(data: Float32Array) {
  let sum = 0, sumsq = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    sum += x;
    sumsq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { sum, sumsq, min, max };
}

describe('voxel values match nibabel get_fdata (golden)', () => {
  for (const g of files) {
    it(g.file, async () => {
      const img = await readNiftiImage(await fixtureSource(g.file));
      const v = g.values;
      expect(img.data.length).toBe(v.n);
      const s = stats(img.data);
      expect(close(s.sum, v.sum, 1e-6, 1e-3)).toBe(true);
      expect(close(s.sumsq, v.sumsq, 1e-6, 1e-3)).toBe(true);
      expect(close(s.min, v.min, 1e-6, 1e-6)).toBe(true);
      expect(close(s.max, v.max, 1e-6, 1e-6)).toBe(true);
      v.indices.forEach((idx, k) => {
        expect(close(img.data[idx]!, v.values[k]!, 1e-6, 1e-6), `value at ${idx}`).toBe(true);
      });
      if (v.volume_sums) {
        const vpv = img.header.voxelsPerVolume;
        for (const [vol, want] of Object.entries(v.volume_sums)) {
          const t = Number(vol);
          expect(close(stats(img.data.subarray(t * vpv, (t + 1) * vpv)).sum, want, 1e-6, 1e-3)).toBe(true);
        }
      }
      if (g.channel_sums) {
        expect(img.rgba).toBeDefined();
        const sums: Record<string, number> = { R: 0, G: 0, B: 0, A: 0 };
        const rgba = img.rgba!;
        for (let i = 0; i < rgba.length; i += 4) {
          sums.R! += rgba[i]!;
          sums.G! += rgba[i + 1]!;
          sums.B! += rgba[i + 2]!;
          sums.A! += rgba[i + 3]!;
        }
        for (const c of Object.keys(g.channel_sums)) expect(sums[c]).toBe(g.channel_sums[c]);
        // data holds the R channel (the PAQD label index)
        for (let i = 0; i < img.data.length; i++) if (img.data[i] !== rgba[4 * i]) throw new Error(`R mismatch at ${i}`);
      } else {
        expect(img.rgba).toBeUndefined();
      }
    });
  }
});

describe('big-endian and scaled files', () => {
  it('decodes big-endian int16 (anatomical.nii) exactly', async () => {
    const g = golden.files['nifti/anatomical.nii']!;
    const img = await readNiftiImage(await fixtureSource(g.file));
    expect(img.header.littleEndian).toBe(false);
    g.values.indices.forEach((idx, k) => expect(img.data[idx]).toBe(g.values.values[k]));
    expect(stats(img.data).sum).toBe(g.values.sum);
  });

  it('applies scl_slope/scl_inter (functional.nii)', async () => {
    const g = golden.files['nifti/functional.nii']!;
    const img = await readNiftiImage(await fixtureSource(g.file));
    expect(img.header.scaling.slope).toBeCloseTo(0.075407, 6);
    expect(img.header.scaling.inter).toBeCloseTo(3100.76, 2);
    const s = stats(img.data);
    expect(s.min).toBeCloseTo(629.83, 1);
    expect(s.max).toBeCloseTo(5571.62, 1);
    g.values.indices.forEach((idx, k) => expect(close(img.data[idx]!, g.values.values[k]!, 1e-6, 0)).toBe(true));
  });
});

describe('streaming', () => {
  it('the 12 Haxby runs streamed volume by volume equal bold.nii.gz exactly (all values)', async () => {
    const whole = await readNiftiImage(await fixtureSource('haxby/bold.nii.gz'));
    const vpv = whole.header.voxelsPerVolume;
    expect(whole.header.dims).toEqual([40, 20, 1, 1452]);
    let t = 0;
    const vol = new Float32Array(vpv);
    for (const run of HAXBY_RUNS) {
      const src = await fixtureSource(run);
      const { header, gzip } = await openNifti(src);
      expect(gzip).toBe(true);
      expect(header.dims).toEqual([40, 20, 1, 121]);
      let expectIndex = 0;
      for await (const { index, bytes } of streamVolumeBytes(src, header, gzip)) {
        expect(index).toBe(expectIndex++);
        decodeVolume(bytes, header, vol);
        const ref = whole.data.subarray(t * vpv, (t + 1) * vpv);
        for (let i = 0; i < vpv; i++) {
          if (vol[i] !== ref[i]) throw new Error(`${run} volume ${index} voxel ${i}: ${vol[i]} != ${ref[i]}`);
        }
        t++;
      }
      expect(expectIndex).toBe(121);
    }
    expect(t).toBe(1452);
  });

  it('streamVolumes yields decoded volumes; start/end select a range (gzip and plain)', async () => {
    for (const rel of ['haxby/bold.nii.gz', 'nifti/functional.nii']) {
      const whole = await readNiftiImage(await fixtureSource(rel));
      const vpv = whole.header.voxelsPerVolume;
      const n = whole.header.nVolumes;
      let count = 0;
      for await (const v of streamVolumes(await fixtureSource(rel))) {
        expect(Array.from(v)).toEqual(Array.from(whole.data.subarray(count * vpv, (count + 1) * vpv)));
        count++;
      }
      expect(count).toBe(n);
      const src = await fixtureSource(rel);
      const { header, gzip } = await openNifti(src);
      const got: number[] = [];
      const out = new Float32Array(vpv);
      for await (const { index, bytes } of streamVolumeBytes(src, header, gzip, { startVolume: 5, endVolume: 9, chunkBytes: 3 * header.bytesPerVolume })) {
        got.push(index);
        decodeVolume(bytes, header, out);
        expect(Array.from(out)).toEqual(Array.from(whole.data.subarray(index * vpv, (index + 1) * vpv)));
      }
      expect(got).toEqual([5, 6, 7, 8]);
    }
  });

  it('plain .nii: several volumes per slice read, a caller volume buffer, and an early break', async () => {
    const rel = 'nifti/functional.nii';
    const whole = await readNiftiImage(await fixtureSource(rel));
    const src = await fixtureSource(rel);
    const { header } = await openNifti(src);
    const buf = new Uint8Array(header.bytesPerVolume + 7);
    const out = new Float32Array(header.voxelsPerVolume);
    const vpv = header.voxelsPerVolume;
    let n = 0;
    for await (const { index, bytes } of streamVolumeBytes(src, header, false, { volumeBuffer: buf, chunkBytes: 4 * header.bytesPerVolume })) {
      expect(bytes.buffer).toBe(buf.buffer);
      decodeVolume(bytes, header, out);
      expect(Array.from(out)).toEqual(Array.from(whole.data.subarray(index * vpv, (index + 1) * vpv)));
      if (++n === 7) break;
    }
    expect(n).toBe(7);
  });

  it('reuses one volume buffer for gzip streams', async () => {
    const src = await fixtureSource('haxby/bold.nii.gz');
    const { header, gzip } = await openNifti(src);
    const seen = new Set<ArrayBufferLike>();
    let n = 0;
    for await (const { bytes } of streamVolumeBytes(src, header, gzip)) {
      seen.add(bytes.buffer);
      if (++n === 50) break;
    }
    expect(seen.size).toBe(1);
  });
});
