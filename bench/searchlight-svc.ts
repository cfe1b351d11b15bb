// SMO micro-benchmark and exactness check on real searchlight problems: the C-SVC fits of
// `count` interior spheres of the demo brain (5 blocked folds each), timed through the wasm
// fit path alone (fitSvc with the wasm solvers), with every fit's output (coef, intercept,
// iterations) digested so that a solver change can be checked bit for bit against a saved run.
//
//   node --import tsx bench/searchlight-svc.ts /work/data/sl/extract 500 save /tmp/svc-base.json
//   node --import tsx bench/searchlight-svc.ts /work/data/sl/extract 500 check /tmp/svc-base.json
//
// Prints per-fit CPU µs (min over REPEAT runs), mean SMO iterations, and the number of fits whose
// output differs from the saved one (any bit). WASM=path times another build of the kernels.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeNpy } from '../src/core/io/npy.ts';
import { buildDataset, readTrialTable } from '../src/core/mvpa/dataset.ts';
import { createKernelEngine } from '../src/core/kernels/index.ts';
import { fitSvc, useWasmSolvers } from '../src/core/mvpa/models/index.ts';
import { defaultCv, makeFolds } from '../src/core/mvpa/splitters.ts';
import { fitScaler } from '../src/core/mvpa/scaling.ts';
import { collectColumns, maskIndicesOf, maskLookup, sphereOffsets } from '../src/core/searchlight/index.ts';
import { loadVolume3D } from '../src/platform/node/load-image.ts';
import { loadKernelModule } from '../src/platform/node/pool.ts';

const E = process.argv[2] ?? '/work/data/sl/extract';
const count = Number(process.argv[3] ?? 500);
const mode = process.argv[4] ?? 'none';
const file = process.argv[5] ?? '/tmp/svc-base.json';
const repeat = Number(process.env.REPEAT ?? 3);
const stride = Number(process.env.STRIDE ?? 1);

// FITS=file: the problems are read from that file if it exists (else built and saved there), so
// that a run under callgrind (instruction counts do not depend on the machine's load) starts fast.
const fitsFile = process.env.FITS;
const problems: { K: Float64Array; y: Float64Array }[] = [];
if (fitsFile && existsSync(fitsFile)) {
  const buf = readFileSync(fitsFile);
  const f64 = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  for (let o = 0; o < f64.length;) {
    const l = f64[o++]!;
    problems.push({ y: f64.slice(o, o + l), K: f64.slice(o + l, o + l + l * l) });
    o += l + l * l;
  }
} else {
  await buildProblems();
  if (fitsFile) writeFileSync(fitsFile, Buffer.concat(problems.map((p) => Buffer.from(Float64Array.from([p.y.length, ...p.y, ...p.K]).buffer))));
}

async function buildProblems(): Promise<void> {
  const mask = await loadVolume3D(`${E}/brain_mask.nii.gz`);
  const idx = maskIndicesOf(mask);
  const npy = decodeNpy(readFileSync(`${E}/brain.npy`), 'brain.npy');
  const table = readTrialTable(readFileSync(`${E}/trials.tsv`, 'utf8'), 'trials.tsv');
  const N = npy.shape[0]!, V = idx.length;
  const ds = buildDataset({ data: new Float32Array(N), shape: [N, 1], file: 'x' }, table, { target: 'choice' });
  const n = ds.rows.length;
  const groups = ds.groups ?? null;
  const cv = defaultCv(groups ? new Set(groups).size : 1);
  const folds = makeFolds(cv, { n, groups, onsets: ds.onsets, y: ds.y, classification: true, seed: 0 });

  // Spheres: `count` mask voxels from the middle (every `stride`-th), scaled columns (z-scored over
  // the sample rows, f32 as the searchlight stores them), K in f64.
  const offs = sphereOffsets(mask.affine, 6);
  const lut = maskLookup({ dims: mask.dims, affine: mask.affine }, idx);
  const cols = new Int32Array(offs.all.length / 3);
  const nx = mask.dims[0], ny = mask.dims[1];
  const col = new Float64Array(n);
  const x = new Float32Array(n * cols.length);
  const start = Math.floor(V / 2);
  for (let s = 0; s < count; s++) {
    const lin = idx[start + s * stride]!;
    const m = collectColumns(mask.dims, lut, lin % nx, Math.floor(lin / nx) % ny, Math.floor(lin / (nx * ny)), offs.all, cols, 0);
    for (let q = 0; q < m; q++) {
      for (let a = 0; a < n; a++) col[a] = npy.data[ds.rows[a]! * V + cols[q]!]!;
      const sc = fitScaler(col, 1, Int32Array.from({ length: n }, (_, a) => a));
      for (let a = 0; a < n; a++) x[a * m + q] = (col[a]! - sc.mean[0]!) / sc.scale[0]!;
    }
    const K = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b <= a; b++) {
      let t = 0;
      for (let q = 0; q < m; q++) t += x[a * m + q]! * x[b * m + q]!;
      K[a * n + b] = t; K[b * n + a] = t;
    }
    problems.push(...folds.map((f) => {
      const ntr = f.train.length, Kt = new Float64Array(ntr * ntr), y = new Float64Array(ntr);
      for (let a = 0; a < ntr; a++) {
        y[a] = ds.y[f.train[a]!]!;
        for (let b = 0; b < ntr; b++) Kt[a * ntr + b] = K[f.train[a]! * n + f.train[b]!]!;
      }
      return { K: Kt, y };
    }));
  }
}

const module = await loadKernelModule(process.env.WASM || undefined);
useWasmSolvers(createKernelEngine(module));
const fits = problems;
let best = Infinity, iters = 0, nc = 0;
let digest: string[] = [];
for (let r = 0; r < repeat; r++) {
  const out: string[] = [];
  const c0 = process.cpuUsage();
  iters = 0;
  for (const p of fits) {
    const f = fitSvc(p.K, p.y.length, p.y);
    iters += f.iterations;
    if (!f.converged) nc++;
    if (r === 0) out.push(Buffer.from(Float64Array.from([...f.coef, f.intercept, f.iterations]).buffer).toString('base64'));
  }
  const c1 = process.cpuUsage(c0);
  best = Math.min(best, (c1.user + c1.system) / fits.length);
  if (r === 0) digest = out;
}
let diff = -1;
if (mode === 'save') writeFileSync(file, JSON.stringify(digest));
if (mode === 'check') {
  const base = JSON.parse(readFileSync(file, 'utf8')) as string[];
  diff = base.length >= digest.length ? digest.filter((d, k) => d !== base[k]).length : Infinity;
}
console.log(JSON.stringify({ fits: fits.length, usPerFit: +best.toFixed(1), msPerSphere: +(best * 5 / 1000).toFixed(3), meanIter: +(iters / fits.length).toFixed(1), usPerIter: +(best / (iters / fits.length)).toFixed(3), notConverged: nc, differing: diff, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') }));
