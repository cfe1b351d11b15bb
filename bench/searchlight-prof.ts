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
// `count` spheres from the middle of the mask (interior spheres), whole mask as neighbourhood.
const V = idx.length, start = Math.floor(V / 2), end = Math.min(V, start + count);
const n = npy.shape[0]!;
const module = await loadKernelModule();
const r = await searchlight({ X: npy.data, nRows: n, maskIndices: idx, grid: { dims: mask.dims, affine: mask.affine }, rows: ds.rows, y: ds.y, groups: ds.groups, onsets: ds.onsets },
  { model, refreshEvery: Number(process.env.REFRESH ?? 64), range: { start, end } }, { module });
const ms = r.seconds.spheres * 1000;
let size = 0;
for (let c = start; c < end; c++) size += r.sphereSizes[c]!;
console.log(JSON.stringify({ spheres: end - start, ms, perSphereMs: ms / (end - start), scale: r.seconds.scale, slides: r.nSlides, full: r.nFull, meanSize: size / (end - start), folds: r.folds.map((f) => f.train.length) }));
