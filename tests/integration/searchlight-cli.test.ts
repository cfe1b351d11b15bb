/**
 * `ddmvpa searchlight` end to end on the golden grid (tests/fixtures/golden/searchlight.json):
 * patterns .npy + mask .nii.gz + trials.tsv on disk, two worker threads, the map read back equals
 * scikit-learn's cross_val_score per sphere (within float32 storage), the p map is written.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { encodeNpy } from '../../src/core/io/npy.ts';
import { encodeNifti1, readNiftiImage } from '../../src/core/nifti/index.ts';
import { fileSource } from '../../src/platform/node/file-source.ts';

const g = JSON.parse(readFileSync(new URL('../fixtures/golden/searchlight.json', import.meta.url), 'utf8')) as {
  dims: [number, number, number]; affine: number[][]; mask_indices: number[]; n: number; X: number[];
  cases: { name: string; groups: number[]; target: number[]; scores: number[] }[];
};

describe('ddmvpa searchlight (CLI, worker threads)', () => {
  it('writes the score map = scikit-learn per sphere, and a p map', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddmvpa-sl-'));
    const c = g.cases[0]!; // loro svc balanced_accuracy r 6
    const size = g.dims[0] * g.dims[1] * g.dims[2];
    const mask = new Uint8Array(size);
    for (const v of g.mask_indices) mask[v] = 1;
    writeFileSync(join(dir, 'mask.nii'), encodeNifti1({ dims: g.dims, affine: g.affine, datatype: 'uint8', data: mask }));
    writeFileSync(join(dir, 'x.npy'), encodeNpy({ dtype: 'float32', shape: [g.n, g.mask_indices.length], data: Float32Array.from(g.X) }));
    const lines = ['trial\tonset\trun\tchoice', ...c.target.map((y, i) => `${i}\t${(i % 20) * 10}\t${c.groups[i]}\t${y}`)];
    writeFileSync(join(dir, 'trials.tsv'), lines.join('\n') + '\n');
    const out = join(dir, 'map.nii.gz');
    const code = await main(['searchlight', '--x', join(dir, 'x.npy'), '--mask', join(dir, 'mask.nii'), '--y', join(dir, 'trials.tsv'),
      '--target', 'choice', '--radius', '6', '--jobs', '2', '--permutations', '4', '--out', out, '--json']);
    expect(code).toBe(0);
    const img = await readNiftiImage(await fileSource(out));
    expect(img.header.dims.slice(0, 3)).toEqual(g.dims);
    g.mask_indices.forEach((v, q) => expect(Math.abs(img.data[v]! - c.scores[q]!)).toBeLessThanOrEqual(1e-7));
    expect(Number.isNaN(img.data[0]!) || g.mask_indices.includes(0)).toBe(true);
    expect(existsSync(join(dir, 'map_p.nii.gz'))).toBe(true);
  });
  it('a mask that does not match the patterns is a bad-input error (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddmvpa-sl-'));
    const mask = new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]).fill(1);
    writeFileSync(join(dir, 'mask.nii'), encodeNifti1({ dims: g.dims, affine: g.affine, datatype: 'uint8', data: mask }));
    writeFileSync(join(dir, 'x.npy'), encodeNpy({ dtype: 'float32', shape: [g.n, g.mask_indices.length], data: Float32Array.from(g.X) }));
    writeFileSync(join(dir, 'trials.tsv'), 'trial\tchoice\n' + Array.from({ length: g.n }, (_, i) => `${i}\t${i % 2}`).join('\n') + '\n');
    const code = await main(['searchlight', '--x', join(dir, 'x.npy'), '--mask', join(dir, 'mask.nii'), '--y', join(dir, 'trials.tsv'), '--target', 'choice', '--jobs', '0', '--out', join(dir, 'm.nii')]);
    expect(code).toBe(2);
  });
  it('--group writes the one-sample t map across subject maps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddmvpa-sl-'));
    const dims: [number, number, number] = [2, 2, 1];
    const affine = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];
    const subj = [[0.6, 0.5, NaN, 0.7], [0.7, 0.52, NaN, 0.8], [0.65, 0.48, 0.9, 0.75]];
    const paths = subj.map((d, i) => {
      const f = join(dir, `s${i}.nii`);
      writeFileSync(f, encodeNifti1({ dims, affine, datatype: 'float32', data: Float32Array.from(d) }));
      return f;
    });
    const out = join(dir, 'group_t.nii.gz');
    expect(await main(['searchlight', '--group', ...paths, '--out', out])).toBe(0);
    const t = (await readNiftiImage(await fileSource(out))).data;
    expect(t[0]!).toBeCloseTo(5.196152422706632, 4); // scipy.stats.ttest_1samp([.6, .7, .65], .5).statistic
    expect(Number.isNaN(t[2]!)).toBe(true);
    expect(existsSync(join(dir, 'group_t_p.nii.gz'))).toBe(true);
  });
});
