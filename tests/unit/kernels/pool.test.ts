import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeKernelPool, createNodeEngine, type NodeKernelPool } from '../../../src/platform/node/pool.ts';
import { projectAccumulateParallel, type KernelEngine } from '../../../src/core/kernels/index.ts';
import { runKernelSelfTest } from '../../../src/core/kernels/selftest.ts';
import { localPool } from '../../../src/core/pool.ts';
import { createKernelWorkerApi } from '../../../src/core/kernels/worker-api.ts';
import { Rng } from '../../../src/core/random.ts';
import { DdError } from '../../../src/core/errors.ts';
import { firstDiff, randomF32 } from './helpers.ts';

describe('Node worker_threads pool (one Module, one shared Memory)', () => {
  let engine: KernelEngine;
  let pool: NodeKernelPool;

  beforeAll(async () => {
    engine = await createNodeEngine();
    pool = await createNodeKernelPool({ module: engine.module, memory: engine.memory, size: 2 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('starts two distinct workers on the same memory', async () => {
    expect(pool.size).toBe(2);
    expect(pool.isolation).toBe('shared');
    expect(pool.workers.map((w) => w.index)).toEqual([0, 1]);
    expect(new Set(pool.workers.map((w) => w.realm)).size).toBe(2);
    const infos = await pool.broadcast('info');
    expect(infos.map((i) => i.heapBase)).toEqual([engine.kernels.heapBase, engine.kernels.heapBase]);
  });

  it('two workers each doing half of project_accumulate equal one thread bit for bit', async () => {
    const { arena, kernels } = engine;
    const rng = new Rng(11);
    const n = 37, B = 19, V = 40_009;
    const Y = randomF32(rng, B * V), W = randomF32(rng, n * B), out0 = randomF32(rng, n * V);
    const yP = arena.put(Y), wP = arena.put(W), oP = arena.put(out0), o2P = arena.put(out0);
    const shards = await projectAccumulateParallel(pool, { y: yP, B, V, w: wP, n, out: oP });
    expect(shards.map((s) => s.worker)).toEqual([0, 1]);
    expect(new Set(shards.map((s) => s.realm)).size).toBe(2);
    expect(shards[0]!.vEnd).toBe(shards[1]!.vStart);
    kernels.projectAccumulate({ y: yP, B, V, w: wP, n, out: o2P });
    expect(firstDiff(arena.f32(oP, n * V), arena.f32(o2P, n * V))).toBe(-1);
    for (const p of [o2P, oP, wP, yP]) arena.free(p);
  });

  it('workers see buffers allocated after the memory grew', async () => {
    const { arena } = engine;
    const n = 3 << 20; // 12 MiB each: grows the memory after the workers started
    const a = arena.alloc(n * 4), b = arena.alloc(n * 4);
    arena.f32(a, n).fill(0.5);
    arena.f32(b, n).fill(4);
    const dots = await Promise.all([pool.call(0, 'dot', a, b, n), pool.call(1, 'dot', a, b, n)]);
    expect(dots).toEqual([2 * n, 2 * n]);
    arena.free(b); arena.free(a);
  });

  it('the self-test passes with two realms; the local (single) pool gives the same numbers', async () => {
    const r = await runKernelSelfTest(engine.arena, pool, { n: 20, B: 12, V: 5003, seed: 2 });
    expect(r.pass).toBe(true);
    expect(r.exact).toBe(true);
    expect(r.realms).toBe(2);
    const api = createKernelWorkerApi();
    api.init(engine.module, engine.memory, 0);
    const single = await runKernelSelfTest(engine.arena, localPool(api), { n: 20, B: 12, V: 5003, seed: 2 });
    expect(single.isolation).toBe('single');
    expect(single.realms).toBe(1);
    expect(single.sum).toBe(r.sum);
  });

  it('a DdError thrown in a worker arrives as a DdError with its code', async () => {
    const err = await pool.call(1, 'projectAccumulate', { y: 1024, B: 1, V: 4, w: 1024, n: 1, out: 1024, vStart: 3, vEnd: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DdError);
    expect((err as DdError).code).toBe('KERNEL_BAD_ARGS');
    expect((err as DdError).message).toMatch(/shard/);
  });

  it('rejects calls to a worker that does not exist', async () => {
    await expect(pool.call(2, 'info')).rejects.toThrow(/does not exist/);
  });

  it('closed pools reject calls', async () => {
    const p = await createNodeKernelPool({ module: engine.module, memory: engine.memory, size: 1 });
    expect(p.size).toBe(1);
    await p.close();
    await expect(p.call(0, 'info')).rejects.toMatchObject({ code: 'POOL_CLOSED' });
  });
});
