/**
 * Kernel benchmarks: project_accumulate (the stream pass's hot loop) wasm SIMD vs a plain JS
 * loop, one thread and a worker_threads pool; gather; gram.
 *   npx tsx bench/kernels.bench.ts [--quick] [--v 230000] [--n 120]
 * Recorded results: bench/kernels.results.md.
 */
import { createNodeEngine, createNodeKernelPool, defaultPoolSize } from '../src/platform/node/pool.ts';
import { projectAccumulateParallel } from '../src/core/kernels/index.ts';
import { projectAccumulateJs } from '../src/core/kernels/reference.ts';
import { Rng } from '../src/core/random.ts';
import { loadavg } from 'node:os';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const quick = argv.includes('--quick');
const n = opt('n', 120);
const V = opt('v', quick ? 50_000 : 230_000);
const T = opt('t', 950); // volumes per run (for the per-run estimate)

const engine = await createNodeEngine();
const { arena, kernels } = engine;
const rng = new Rng(1);
const fill = (p: number, len: number) => {
  const a = arena.f32(p, len);
  for (let k = 0; k < len; k++) a[k] = rng.normal();
};

// Best-of-rounds timing: other processes share these machines, so the fastest round (each round
// several calls) estimates the kernel's own speed; the median is printed alongside.
function stats(samples: number[]): { best: number; median: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { best: s[0]!, median: s[Math.floor(s.length / 2)]! };
}
function time(f: () => void, minMs = quick ? 300 : 1500): { best: number; median: number } {
  f(); // warm-up (tier-up to the optimizing compiler)
  const samples: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || samples.length < 3) {
    const t = performance.now();
    f();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}
async function timeAsync(f: () => Promise<unknown>, minMs = quick ? 300 : 1500): Promise<{ best: number; median: number }> {
  await f();
  const samples: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || samples.length < 3) {
    const t = performance.now();
    await f();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

const gflops = (flops: number, ms: number) => flops / ms / 1e6;
const fmt = (x: number, d = 2) => x.toFixed(d);
const lines: string[] = [];
const log = (s: string) => {
  lines.push(s);
  console.log(s);
};

const perRun = (gf: number) => fmt((2 * n * T * V) / (gf * 1e9), 2);
log(`# project_accumulate n=${n} trials, V=${V} voxels (node ${process.version}, ${defaultPoolSize()} cores, load ${loadavg()[0]!.toFixed(1)})`);
log('');
log('GFLOP/s = 2·n·B·V / time, best round (median round in brackets); "s/run" = 2·n·T·V flops of a');
log(`run of T=${T} volumes at that speed.`);
log('');
log('| B | variant | ms / call | GFLOP/s | s / run |');
log('|---|---|---|---|---|');

const Bmax = 64;
const yP = arena.alloc(Bmax * V * 4), wP = arena.alloc(n * Bmax * 4), oP = arena.alloc(n * V * 4, 64, true);
fill(yP, Bmax * V);
fill(wP, n * Bmax);
const row = (B: number, variant: string, t: { best: number; median: number }, flops: number, scale = 1) => {
  const gf = gflops(flops, t.best), gm = gflops(flops, t.median);
  log(`| ${B} | ${variant} | ${fmt(t.best * scale, 1)} | ${fmt(gf, 1)} (${fmt(gm, 1)}) | ${perRun(gf)} |`);
};

const Y = arena.f32(yP, Bmax * V), W = arena.f32(wP, n * Bmax), out = arena.f32(oP, n * V);
for (const B of quick ? [16, 32] : [8, 16, 32, 64]) {
  row(B, 'wasm SIMD, 1 thread', time(() => kernels.projectAccumulate({ y: yP, B, V, w: wP, n, out: oP })), 2 * n * B * V);
}

// Tile sweep (B = 32) so the defaults can be checked on other machines.
if (!quick) {
  const B = 32;
  for (const [vTile, bTile] of [[128, 64], [256, 64], [512, 64], [1024, 64], [2048, 64], [512, 8], [V, 64]]) {
    row(B, `wasm SIMD, 1 thread, vTile ${vTile} bTile ${bTile}`, time(() => kernels.projectAccumulate({ y: yP, B, V, w: wP, n, out: oP, vTile, bTile }), 800), 2 * n * B * V);
  }
}

// Plain JS loop (same buffers, f32 storage) on a voxel slice; ms scaled to the whole V.
{
  const B = 32;
  const Vjs = Math.min(V, 20_000);
  const t = time(() => projectAccumulateJs(Y, B, V, W, n, out, 0, Vjs), quick ? 300 : 1500);
  row(B, 'plain JS loop (i, b, v order, Float32Array), 1 thread', t, 2 * n * B * Vjs, V / Vjs);
}

// Worker pool: one call split by voxel range over the workers.
for (const size of [...new Set([2, defaultPoolSize()])]) {
  const pool = await createNodeKernelPool({ module: engine.module, memory: engine.memory, size });
  for (const B of quick ? [32] : [16, 32, 64]) {
    row(B, `wasm SIMD, ${size} worker_threads`, await timeAsync(() => projectAccumulateParallel(pool, { y: yP, B, V, w: wP, n, out: oP })), 2 * n * B * V);
  }
  await pool.close();
}

// Gather: one int16 volume (100 x 100 x 64) to a V-voxel mask (sorted indices), with and without swap.
{
  log('');
  log('| gather (one volume) | ms | Mvoxel/s |');
  log('|---|---|---|');
  const nVox = 100 * 100 * 64;
  const nIdx = Math.min(V, nVox);
  const rawP = arena.alloc(nVox * 8), idxP = arena.alloc(nIdx * 4), gP = arena.alloc(nIdx * 4);
  const raw = arena.u8(rawP, nVox * 8);
  for (let k = 0; k < raw.length; k++) raw[k] = rng.int(256);
  const idx = arena.i32(idxP, nIdx);
  // A mask: every voxel with probability nIdx / nVox, in order.
  let j = 0;
  for (let k = 0; k < nVox && j < nIdx; k++) if (rng.next() < nIdx / nVox || nVox - k <= nIdx - j) idx[j++] = k;
  for (const [dtype, swap] of [['int16', false], ['int16', true], ['float32', false], ['float64', true]] as const) {
    const t = time(() => kernels.gather({ dtype, raw: rawP, idx: idxP, nIdx, slope: 1.5, inter: 2, swap, out: gP }), 500);
    log(`| wasm ${dtype}${swap ? ' byte-swapped' : ''}, ${nIdx} of ${nVox} voxels | ${fmt(t.best, 3)} | ${fmt(nIdx / t.best / 1e3, 0)} |`);
  }
  // Plain JS gather for comparison (DataView int16).
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const outJs = new Float32Array(nIdx);
  const t = time(() => {
    for (let q = 0; q < nIdx; q++) outJs[q] = 1.5 * dv.getInt16(idx[q]! * 2, true) + 2;
  }, 500);
  log(`| plain JS DataView loop, int16 | ${fmt(t.best, 3)} | ${fmt(nIdx / t.best / 1e3, 0)} |`);
}

// Gram: n x p f32 -> n x n f64.
{
  log('');
  log('| gram_f32 (f64 sums) | ms | GFLOP/s (n(n+1)/2 · p · 2) |');
  log('|---|---|---|');
  const p = V;
  const xP = arena.alloc(n * p * 4), kP = arena.alloc(n * n * 8);
  fill(xP, n * p);
  const t = time(() => kernels.gram({ x: xP, n, p, out: kP }), quick ? 300 : 1500);
  log(`| n=${n}, p=${p} | ${fmt(t.best, 1)} | ${fmt(gflops(n * (n + 1) * p, t.best), 2)} |`);
}
