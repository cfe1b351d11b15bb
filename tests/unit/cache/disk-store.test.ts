/**
 * The Node disk store: the Store contract, atomic writes under concurrent writer processes
 * (readers only ever see a whole entry), a flipped byte on disk detected and recomputed.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, utimesSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cache } from '../../../src/core/cache/cache.ts';
import { diskStore, entryFile } from '../../../src/platform/node/disk-store.ts';
import { nodeSha256Hex } from '../../../src/platform/node/hash.ts';
import { readCgroupLimit, hostMemory } from '../../../src/platform/node/memory-budget.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'ddmvpa-store-'));

describe('disk store', () => {
  it('implements get/put/delete/keys/size/list/touch', async () => {
    const root = tmp();
    const s = await diskStore(root);
    const meta = { checksum: 'c', size: 3, created: 1, accessed: 1, info: { stage: 'x' } };
    expect(await s.get('nothing')).toBeUndefined();
    await s.put('k1', Uint8Array.of(1, 2, 3), meta);
    await s.put('k2', new Uint8Array(100), { ...meta, size: 100 });
    const got = await s.get('k1');
    expect(Array.from(got!.bytes)).toEqual([1, 2, 3]);
    expect(got!.meta).toEqual(meta);
    expect((await s.keys()).sort()).toEqual(['k1', 'k2']);
    expect(await s.size()).toBeGreaterThanOrEqual(103);
    await s.touch('k1', 5_000_000);
    expect((await s.list()).find((e) => e.key === 'k1')!.meta.accessed).toBe(5_000_000);
    await s.delete('k2');
    await s.delete('k2');
    expect(await s.keys()).toEqual(['k1']);
    await expect(s.put('bad/key', new Uint8Array(1), meta)).rejects.toMatchObject({ code: 'STORE_BAD_KEY' });
  });

  it('removes temp files of killed writers after an hour', async () => {
    const root = tmp();
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const stale = join(root, '.tmp', 'k.123.abc');
    writeFileSync(stale, 'half');
    utimesSync(stale, new Date(Date.now() - 2 * 3600e3), new Date(Date.now() - 2 * 3600e3));
    writeFileSync(join(root, '.tmp', 'k.124.fresh'), 'half');
    await diskStore(root);
    expect(readdirSync(join(root, '.tmp'))).toEqual(['k.124.fresh']);
  });

  it('a flipped byte in an entry file is detected, deleted and read as a miss', async () => {
    const root = tmp();
    const cache = new Cache(await diskStore(root), { checksum: nodeSha256Hex });
    const data = Uint8Array.from({ length: 10000 }, (_, i) => i % 251);
    await cache.put('entry', data);
    const f = entryFile(root, 'entry');
    const raw = readFileSync(f);
    raw[raw.length - 17]! ^= 0x40;
    writeFileSync(f, raw);
    expect(await cache.get('entry')).toBeUndefined();
    expect(cache.counters.corrupt).toBe(1);
    expect(readdirSync(root).filter((x) => x.endsWith('.dde'))).toEqual([]);
    // A header that is garbage too.
    await cache.put('entry', data);
    writeFileSync(f, 'garbage');
    expect(await cache.get('entry')).toBeUndefined();
    await cache.put('entry', data);
    expect(await cache.get('entry')).toEqual(data);
  });

  it('concurrent writer processes never leave a torn entry', async () => {
    const root = tmp();
    const script = join(root, 'writer.mjs');
    // Each writer puts its own 2 MB payload under the same key, 40 times.
    writeFileSync(script, `
      const { register } = await import(${JSON.stringify(new URL('../../../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url).href)});
      register();
      const { diskStore } = await import(${JSON.stringify(new URL('../../../src/platform/node/disk-store.ts', import.meta.url).href)});
      const { Cache } = await import(${JSON.stringify(new URL('../../../src/core/cache/cache.ts', import.meta.url).href)});
      const { nodeSha256Hex } = await import(${JSON.stringify(new URL('../../../src/platform/node/hash.ts', import.meta.url).href)});
      const id = Number(process.argv[2]);
      const cache = new Cache(await diskStore(process.argv[3]), { checksum: nodeSha256Hex });
      const payload = new Uint8Array(2 << 20).fill(id);
      for (let i = 0; i < 40; i++) await cache.put('shared', payload);
      process.exit(0);
    `);
    const cache = new Cache(await diskStore(root), { checksum: nodeSha256Hex });
    const writers = [1, 2, 3].map((id) => new Promise<number>((res) => fork(script, [String(id), root], { stdio: 'ignore' }).on('exit', (c) => res(c ?? -1))));
    let done = false;
    const all = Promise.all(writers).then((codes) => { done = true; return codes; });
    let reads = 0;
    while (!done) {
      const b = await cache.get('shared');
      if (b) {
        reads++;
        expect(b.length).toBe(2 << 20);
        expect(b.every((x) => x === b[0])).toBe(true);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await all).toEqual([0, 0, 0]);
    expect(cache.counters.corrupt).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  }, 60_000);
});

describe('memory budget', () => {
  it('reads cgroup v2 and v1 limits, "max" as none', () => {
    const root = tmp();
    writeFileSync(join(root, 'memory.max'), '2147483648\n');
    expect(readCgroupLimit(root)).toBe(2147483648);
    writeFileSync(join(root, 'memory.max'), 'max\n');
    expect(readCgroupLimit(root)).toBeNull();
    const v1 = tmp();
    mkdirSync(join(v1, 'memory'));
    writeFileSync(join(v1, 'memory', 'memory.limit_in_bytes'), '9223372036854771712\n');
    expect(readCgroupLimit(v1)).toBeNull();
    writeFileSync(join(v1, 'memory', 'memory.limit_in_bytes'), '1073741824\n');
    expect(readCgroupLimit(v1)).toBe(1073741824);
    expect(hostMemory({ budgetMb: 300 })).toMatchObject({ budgetBytes: 300 * 1024 * 1024, source: 'flag' });
    const cg = hostMemory({ cgroupRoot: v1 });
    expect(cg.source).toBe('cgroup');
    expect(cg.budgetBytes).toBe(Math.floor(1073741824 * 0.8));
  });
});
