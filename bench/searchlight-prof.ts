// Profiling helper: searchlight on a box of the demo brain (jobs 0), timing per sphere.
import { readFileSync } from 'node:fs';
import { decodeNpy } from '../src/core/io/npy.ts';
import { buildDataset, readTrialTable } from '../src/core/mvpa/dataset.ts';
import { maskIndicesOf, searchlight } from '../src/core/searchlight/index.ts';
import { loadVolume3D } from '../src/platform/node/load-image.ts';
import { loadKernelModule } from '../src/platform/node/pool.ts';

const E = process.argv[2] ?? 'bench/out/sl/extract';
const count = Number(process.argv[3] ?? 3000);
const model = (process.argv[4] ?? 'svc') as 'svc';
const mask = await loadVolume3D(`${E}/brain_mask.nii.gz`);
const idx = maskIndicesOf(mask);
const npy = decodeNpy(readFileSync(`${E}/brain.npy`), 'brain.npy');
const table = readTrialTable(readFileSync(`${E}/trials.tsv`, 'utf8'), 'trials.tsv');
const ds = buildDataset({ data: new Float32Array(npy.shape[0]!), shape: [npy.shape[0]!, 1], file: 'x' }, table, { target: 'choice' });
// a contiguous run of mask voxels from the middle (whole rows), as a sub-mask
const V = idx.length, start = Math.floor(V / 2), end = Math.min(V, start + count);
const sub = idx.slice(start, end);
const n = npy.shape[0]!;
const X = new Float32Array(n * sub.length);
for (let i = 0; i < n; i++) for (let q = 0; q < sub.length; q++) X[i * sub.length + q] = npy.data[i * V + start + q]!;
const module = await loadKernelModule();
const t0 = performance.now();
const r = await searchlight({ X, nRows: n, maskIndices: sub, grid: { dims: mask.dims, affine: mask.affine }, rows: ds.rows, y: ds.y, groups: ds.groups, onsets: ds.onsets }, { model, refreshEvery: Number(process.env.REFRESH ?? 64) }, { module });
const ms = performance.now() - t0;
console.log(JSON.stringify({ spheres: sub.length, ms, perSphereMs: ms / sub.length, spheresS: r.seconds.spheres, scale: r.seconds.scale, slides: r.nSlides, full: r.nFull, meanSize: r.sphereSizes.reduce((a, b) => a + b, 0) / sub.length, folds: r.folds.map((f) => f.train.length) }));
