import { Rng } from '../random.ts';
import type { Pool } from '../pool.ts';
import type { SharedArena } from './memory.ts';
import { projectAccumulateParallel } from './parallel.ts';
import { projectAccumulateF32, projectAccumulateF64 } from './reference.ts';
import type { KernelWorkerApi, ShardReport } from './worker-api.ts';

export interface SelfTestOptions { n?: number; B?: number; V?: number; seed?: number; workers?: number }

export interface SelfTestResult {
  n: number;
  B: number;
  V: number;
  isolation: 'shared' | 'single';
  /** Shards as run, with the worker and realm that ran each. */
  shards: ShardReport[];
  /** Distinct realms (threads) that ran a shard. */
  realms: number;
  /** Result equals the JS emulation of the kernel's f32 arithmetic bit for bit. */
  exact: boolean;
  /** Largest |wasm - f64 reference| and the largest |reference| (for scale). */
  maxAbsDiff: number;
  maxAbs: number;
  /** Checksum (sum of all outputs, f64) of the wasm result and of the f32 reference. */
  sum: number;
  refSum: number;
  ms: number;
  pass: boolean;
}

/**
 * Runs one project_accumulate split over the pool's workers on seeded random data in the shared
 * arena and compares it with the plain-JS references. Used by the page's self-test button and
 * by the pool tests in both hosts.
 */
export async function runKernelSelfTest(arena: SharedArena, pool: Pool<KernelWorkerApi>, opts: SelfTestOptions = {}): Promise<SelfTestResult> {
  const n = opts.n ?? 24, B = opts.B ?? 16, V = opts.V ?? 10_003, seed = opts.seed ?? 1;
  const rng = new Rng(seed);
  const yP = arena.alloc(B * V * 4), wP = arena.alloc(n * B * 4), oP = arena.alloc(n * V * 4);
  try {
    const Y = arena.f32(yP, B * V), W = arena.f32(wP, n * B), out = arena.f32(oP, n * V);
    for (let k = 0; k < Y.length; k++) Y[k] = rng.normal();
    for (let k = 0; k < W.length; k++) W[k] = rng.normal();
    for (let k = 0; k < out.length; k++) out[k] = rng.normal();
    const ref32 = out.slice();
    const ref64 = Float64Array.from(out);
    const t0 = performance.now();
    const shards = await projectAccumulateParallel(pool, { y: yP, B, V, w: wP, n, out: oP }, { workers: opts.workers });
    const ms = performance.now() - t0;
    projectAccumulateF32(Y, B, V, W, n, ref32);
    projectAccumulateF64(Y, B, V, W, n, ref64);
    const res = arena.f32(oP, n * V);
    let exact = true, maxAbsDiff = 0, maxAbs = 0, sum = 0, refSum = 0;
    for (let k = 0; k < res.length; k++) {
      if (!Object.is(res[k], ref32[k])) exact = false;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(res[k]! - ref64[k]!));
      maxAbs = Math.max(maxAbs, Math.abs(ref64[k]!));
      sum += res[k]!;
      refSum += ref32[k]!;
    }
    const realms = new Set(shards.map((s) => s.realm)).size;
    const covered = shards.reduce((a, s) => a + (s.vEnd - s.vStart), 0) === V;
    return {
      n, B, V, isolation: pool.isolation, shards, realms, exact, maxAbsDiff, maxAbs, sum, refSum, ms,
      pass: exact && covered && maxAbsDiff <= 1e-4 * Math.max(1, maxAbs),
    };
  } finally {
    arena.free(oP);
    arena.free(wP);
    arena.free(yP);
  }
}
