import { describe, expect, it } from 'vitest';
import { createKernelMemory, SharedArena, WASM_PAGE_BYTES, loadKernels } from '../../../src/core/kernels/index.ts';
import { loadKernelModule } from '../../../src/platform/node/pool.ts';
import { DdError } from '../../../src/core/errors.ts';

describe('SharedArena', () => {
  it('aligns, reuses and coalesces freed blocks', () => {
    const a = new SharedArena(createKernelMemory(), { base: 1000 });
    expect(a.base).toBe(1024);
    const p1 = a.alloc(10), p2 = a.alloc(100, 64), p3 = a.alloc(40);
    expect(p1).toBe(1024);
    expect(p2 % 64).toBe(0);
    expect(p3).toBe(p1 + 16); // first fit into the alignment gap below p2
    const p4 = a.alloc(16);
    expect(p4).toBe(p2 + 112);
    a.free(p2);
    expect(a.alloc(96)).toBe(p2); // first fit into the freed block
    const top = a.end;
    a.free(p4);
    expect(a.end).toBeLessThan(top); // highest block returned to the top
    a.free(p1);
    a.free(p3);
    a.free(p2);
    expect(a.end).toBe(a.base); // everything coalesced back
    expect(a.used).toBe(0);
    expect(() => a.free(p2)).toThrow(DdError);
  });

  it('grows the shared memory and keeps old data and views valid', () => {
    const memory = createKernelMemory();
    const a = new SharedArena(memory, { base: 1024 });
    const p = a.alloc(16);
    const v = a.f32(p, 4);
    v.set([1, 2, 3, 4]);
    const before = memory.buffer.byteLength;
    const big = a.alloc(8 * 2 ** 20, 16, true); // 8 MiB > the initial 2 MiB
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    expect(memory.buffer.byteLength % WASM_PAGE_BYTES).toBe(0);
    expect(Array.from(v)).toEqual([1, 2, 3, 4]); // old view still valid
    const w = a.f32(big, 2 * 2 ** 20); // fresh view reaches the new bytes
    w[w.length - 1] = 5;
    expect(a.f32(big, 2 * 2 ** 20)[w.length - 1]).toBe(5);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reports KERNEL_OUT_OF_MEMORY past the 1 GiB limit', () => {
    const a = new SharedArena(createKernelMemory(), { base: 1024 });
    try {
      a.alloc(2 ** 30 + 16);
      expect.unreachable();
    } catch (e) {
      expect((e as DdError).code).toBe('KERNEL_OUT_OF_MEMORY');
    }
    a.reset();
    expect(a.end).toBe(1024);
  });

  it('kernels see memory grown after instantiation', async () => {
    const module = await loadKernelModule();
    const memory = createKernelMemory();
    const k = loadKernels({ module, memory });
    const a = new SharedArena(memory, { base: k.heapBase });
    const n = 1 << 20; // 4 MiB per array: forces growth after instantiation
    const x = a.alloc(n * 4), y = a.alloc(n * 4);
    a.f32(x, n).fill(2);
    a.f32(y, n).fill(3);
    expect(k.dot(x, y, n)).toBe(6 * n);
  });
});
