import { describe, expect, it } from 'vitest';
import { projectAccumulateF32, projectAccumulateF64 } from '../../../src/core/kernels/reference.ts';
import { voxelShards } from '../../../src/core/kernels/index.ts';
import { DdError } from '../../../src/core/errors.ts';
import { Rng } from '../../../src/core/random.ts';
import { firstDiff, getEngine, randomF32 } from './helpers.ts';

interface Case { n: number; B: number; V: number; vStart: number; vEnd: number; vTile?: number; bTile?: number }

async function check(c: Case, seed: number) {
  const { kernels, arena } = await getEngine();
  const rng = new Rng(seed);
  const { n, B, V, vStart, vEnd } = c;
  const Y = randomF32(rng, B * V), W = randomF32(rng, n * B), out0 = randomF32(rng, n * V);
  const yP = arena.put(Y), wP = arena.put(W), oP = arena.put(out0);
  try {
    kernels.projectAccumulate({ y: yP, B, V, w: wP, n, out: oP, vStart, vEnd, vTile: c.vTile, bTile: c.bTile });
    const got = arena.f32(oP, n * V).slice();
    const ref32 = out0.slice();
    projectAccumulateF32(Y, B, V, W, n, ref32, vStart, vEnd);
    const k = firstDiff(got, ref32);
    expect(k, `${JSON.stringify(c)}: first difference at out[${Math.floor(k / V)}, ${k % V}]: ${got[k]} vs ${ref32[k]}`).toBe(-1);
    // Accuracy against f64 (f32 accumulation of B terms of size ~1: error ~ B * 2^-24 * scale).
    const ref64 = Float64Array.from(out0);
    projectAccumulateF64(Y, B, V, W, n, ref64, vStart, vEnd);
    let maxErr = 0;
    for (let q = 0; q < got.length; q++) maxErr = Math.max(maxErr, Math.abs(got[q]! - ref64[q]!));
    expect(maxErr).toBeLessThan(1e-5 * (B + 1) * Math.sqrt(B + 1) + 1e-6);
    return got;
  } finally {
    arena.free(oP); arena.free(wP); arena.free(yP);
  }
}

describe('project_accumulate', () => {
  it('matches the JS references for many shapes (V not a multiple of 4/16, n not of 4, B over a tile)', async () => {
    const rng = new Rng(7);
    let seed = 100;
    for (const n of [1, 3, 4, 5, 7, 13]) {
      for (const B of [1, 2, 5, 17, 70]) {
        for (const V of [1, 3, 4, 7, 8, 15, 16, 17, 33, 530, 1031]) {
          await check({ n, B, V, vStart: 0, vEnd: V }, seed++);
          const a = rng.int(V + 1), b = rng.int(V + 1);
          await check({ n, B, V, vStart: Math.min(a, b), vEnd: Math.max(a, b) }, seed++);
        }
      }
    }
  });

  it('gives bit-identical results for any tiling and any sharding', async () => {
    const c = { n: 11, B: 37, V: 2503, vStart: 0, vEnd: 2503 };
    const whole = await check(c, 1);
    for (const [vTile, bTile] of [[8, 1], [16, 5], [64, 64], [1000, 7], [4096, 128]]) {
      expect(firstDiff(await check({ ...c, vTile, bTile }, 1), whole)).toBe(-1);
    }
    // Shards applied one after another on the same buffers equal one call.
    const { kernels, arena } = await getEngine();
    const rng = new Rng(1);
    const Y = randomF32(rng, c.B * c.V), W = randomF32(rng, c.n * c.B), out0 = randomF32(rng, c.n * c.V);
    const yP = arena.put(Y), wP = arena.put(W), oP = arena.put(out0);
    for (const parts of [2, 3, 7]) {
      arena.f32(oP, c.n * c.V).set(out0);
      for (const s of voxelShards(0, c.V, parts)) kernels.projectAccumulate({ y: yP, B: c.B, V: c.V, w: wP, n: c.n, out: oP, ...s });
      expect(firstDiff(arena.f32(oP, c.n * c.V), whole)).toBe(-1);
    }
    arena.free(oP); arena.free(wP); arena.free(yP);
  });

  it('voxelShards covers the range with aligned inner boundaries', () => {
    expect(voxelShards(0, 100, 2)).toEqual([{ vStart: 0, vEnd: 64 }, { vStart: 64, vEnd: 100 }]);
    expect(voxelShards(0, 10, 4)).toEqual([{ vStart: 0, vEnd: 10 }]);
    expect(voxelShards(5, 5, 3)).toEqual([]);
    const s = voxelShards(3, 100_003, 3);
    expect(s.length).toBe(3);
    expect(s[0]!.vStart).toBe(3);
    expect(s[2]!.vEnd).toBe(100_003);
    for (let k = 1; k < s.length; k++) expect(s[k]!.vStart).toBe(s[k - 1]!.vEnd);
  });

  it('rejects shards outside [0, V) and buffers outside memory', async () => {
    const { kernels, arena } = await getEngine();
    const p = arena.alloc(64);
    expect(() => kernels.projectAccumulate({ y: p, B: 1, V: 4, w: p, n: 1, out: p, vStart: 2, vEnd: 5 })).toThrow(DdError);
    expect(() => kernels.projectAccumulate({ y: p, B: 1, V: 4, w: p, n: 1, out: p, vStart: 3, vEnd: 2 })).toThrow(/shard/);
    expect(() => kernels.projectAccumulate({ y: p, B: 1_000_000, V: 1000, w: p, n: 1, out: p })).toThrow(/outside the kernel memory/);
    arena.free(p);
  });
});
