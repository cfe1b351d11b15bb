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

function time(f: () => void, minMs = quick ? 300 : 1500): number {
  f(); // warm-up (tier-up to the optimizing compiler)
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs || reps < 2) {
    f();
    reps++;
    t = performance.now();
  }
  return (t - t0) / reps;
}
async function timeAsync(f: () => Promise<unknown>, minMs = quick ? 300 : 1500): Promise<number> {
  await f();
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs || reps < 2) {
    await f();
    reps++;
    t = performance.now();
  }
  return (t - t0) / reps;
}

const gflops = (flops: number, ms: number) => flops / ms / 1e6;
const fmt = (x: number, d = 2) => x.toFixed(d);
const lines: string[] = [];
const log = (s: string) => {
  lines.push(s);
  console.log(s);
};

log(`# project_accumulate n=${n} trials, V=${V} voxels (node ${process.version}, ${defaultPoolSize()} cores)`);
log('');
log('| B (volumes per call) | variant | ms / call | GFLOP/s | est. s per run of ' + T + ' volumes |');
log('|---|---|---|---|---|');

const Bmax = 64;
const yP = arena.alloc(Bmax * V * 4), wP = arena.alloc(n * Bmax * 4), oP = arena.alloc(n * V * 4, 64, true);
fill(yP, Bmax * V);
fill(wP, n * Bmax);

const Y = arena.f32(yP, Bmax * V), W = arena.f32(wP, n * Bmax), out = arena.f32(oP, n * V);
for (const B of quick ? [16, 32] : [8, 16, 32, 64]) {
  const flops = 2 * n * B * V;
  const ms = time(() => kernels.projectAccumulate({ y: yP, B, V, w: wP, n, out: oP }));
  log(`| ${B} | wasm SIMD, 1 thread | ${fmt(ms, 1)} | ${fmt(gflops(flops, ms))} | ${fmt((2 * n * T * V) / (gflops(flops, ms) * 1e9), 1)} |`);
}

// Tile sweep (B = 32) so the defaults can be checked on other machines.
if (!quick) {
  const B = 32, flops = 2 * n * B * V;
  for (const [vTile, bTile] of [[64, 64], [128, 64], [256, 64], [512, 64], [1024, 64], [2048, 64], [512, 16], [V, 64]]) {
    const ms = time(() => kernels.projectAccumulate({ y: yP, B, V, w: wP, n, out: oP, vTile, bTile }), 800);
    log(`| ${B} | wasm SIMD, vTile ${vTile} bTile ${bTile} | ${fmt(ms, 1)} | ${fmt(gflops(flops, ms))} | |`);
  }
}

// Plain JS loop (same data, f32 storage) on a voxel slice: same GFLOP/s measure.
{
  const B = 32;
  const Vjs = Math.min(V, 20_000);
  const flops = 2 * n * B * Vjs;
  // JS loop on a copy with the same V stride (out rows of length V, only the first Vjs voxels).
  const ms = time(() => projectAccumulateJs(Y, B, V, W, n, out, 0, Vjs), quick ? 300 : 1500);
  log(`| ${B} | plain JS loop (i, b, v order; Float32Array) | ${fmt((ms * V) / Vjs, 1)} (scaled) | ${fmt(gflops(flops, ms))} | ${fmt((2 * n * T * V) / (gflops(flops, ms) * 1e9), 1)} |`);
}

// Worker pool: one call split by voxel range over the workers.
const sizes = [...new Set([2, defaultPoolSize()])];
for (const size of sizes) {
  const pool = await createNodeKernelPool({ module: engine.module, memory: engine.memory, size });
  for (const B of [32]) {
    const flops = 2 * n * B * V;
    const ms = await timeAsync(() => projectAccumulateParallel(pool, { y: yP, B, V, w: wP, n, out: oP }));
    log(`| ${B} | wasm SIMD, ${size} worker_threads | ${fmt(ms, 1)} | ${fmt(gflops(flops, ms))} | ${fmt((2 * n * T * V) / (gflops(flops, ms) * 1e9), 1)} |`);
  }
  await pool.close();
}

// Gather: one int16 volume (100 x 100 x 64) to a V-voxel mask (sorted indices), with and without swap.
{
  log('');
  log('| gather | ms / volume | Mvoxel/s |');
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
    const ms = time(() => kernels.gather({ dtype, raw: rawP, idx: idxP, nIdx, slope: 1.5, inter: 2, swap, out: gP }), 500);
    log(`| ${dtype}${swap ? ' swapped' : ''}, ${nIdx} of ${nVox} voxels | ${fmt(ms, 3)} | ${fmt(nIdx / ms / 1e3, 0)} |`);
  }
  // Plain JS gather for comparison (DataView int16).
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const outJs = new Float32Array(nIdx);
  const ms = time(() => {
    for (let q = 0; q < nIdx; q++) outJs[q] = 1.5 * dv.getInt16(idx[q]! * 2, true) + 2;
  }, 500);
  log(`| int16, plain JS DataView loop | ${fmt(ms, 3)} | ${fmt(nIdx / ms / 1e3, 0)} |`);
}

// Gram: n x p f32 -> n x n f64.
{
  log('');
  log('| gram_f32 | ms | GFLOP/s (n(n+1)/2 * p * 2) |');
  log('|---|---|---|');
  const p = V;
  const xP = arena.alloc(n * p * 4), kP = arena.alloc(n * n * 8);
  fill(xP, n * p);
  const ms = time(() => kernels.gram({ x: xP, n, p, out: kP }), quick ? 300 : 1500);
  log(`| n=${n}, p=${p} | ${fmt(ms, 1)} | ${fmt(gflops(n * (n + 1) * p, ms))} |`);
}
