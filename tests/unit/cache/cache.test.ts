/**
 * The cache layer: SHA-256 against Node's, canonical keys, the record format, and Cache over a
 * memory store: checksums (a flipped byte is detected, deleted, read as a miss), least-recently-
 * used eviction to a budget, quota recovery (evict and retry, else run without caching).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from '../../../src/core/cache/sha256.ts';
import { canonicalJson, contentKey } from '../../../src/core/cache/canonical.ts';
import { decodeRecord, encodeRecord } from '../../../src/core/cache/record.ts';
import { Cache, type CacheEvent } from '../../../src/core/cache/cache.ts';
import { checkKey, memoryStore } from '../../../src/core/cache/store.ts';
import { Rng } from '../../../src/core/random.ts';

function bytes(n: number, seed = 1): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.nextU32() & 0xff);
}

describe('sha256', () => {
  it('equals node:crypto for every length around the block boundaries, fed in any pieces', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 65537]) {
      const b = bytes(n, n);
      const ref = createHash('sha256').update(b).digest('hex');
      expect(sha256Hex(b)).toBe(ref);
      const h = new Sha256();
      for (let o = 0; o < n; o += 7 + (o % 13)) h.update(b.subarray(o, Math.min(n, o + 7 + (o % 13))));
      expect(h.digest()).toBe(ref);
    }
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('content keys', () => {
  it('do not depend on member order, and refuse non-finite numbers', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: null, c: 'x' }], u: undefined })).toBe('{"a":[1,{"c":"x","d":null}],"b":1}');
    expect(contentKey('s', 1, { a: 1, b: 2 })).toBe(contentKey('s', 1, { b: 2, a: 1 }));
    expect(contentKey('s', 1, { a: 1 })).not.toBe(contentKey('s', 2, { a: 1 }));
    expect(contentKey('s', 1, { a: 1 })).toMatch(/^s-[0-9a-f]{64}$/);
    expect(() => canonicalJson({ a: NaN })).toThrow(/CACHE_BAD_KEY_INPUT|finite/);
    expect(() => checkKey('../etc/passwd')).toThrow();
  });
});

describe('record format', () => {
  it('round-trips JSON and typed arrays, views when aligned, copies when not', () => {
    const arrays = { a: Float32Array.of(1.5, -2, 3), b: Int32Array.of(7, 8), c: Float64Array.of(Math.PI), d: Uint8Array.of(1, 2, 3) };
    const enc = encodeRecord({ data: { x: 1, s: 'é' }, arrays });
    const dec = decodeRecord<{ x: number; s: string }>(enc);
    expect(dec.data).toEqual({ x: 1, s: 'é' });
    for (const [k, v] of Object.entries(arrays)) expect(Array.from(dec.arrays[k]!)).toEqual(Array.from(v));
    expect(dec.arrays.a!.buffer).toBe(enc.buffer);
    const shifted = new Uint8Array(enc.length + 1);
    shifted.set(enc, 1);
    expect(Array.from(decodeRecord(shifted.subarray(1)).arrays.c!)).toEqual([Math.PI]);
    expect(() => decodeRecord(enc.subarray(0, enc.length - 8))).toThrow(/CACHE_BAD_RECORD|unreadable/);
    expect(() => decodeRecord(new Uint8Array(20))).toThrow(/unreadable/);
  });
});

describe('Cache', () => {
  it('detects a flipped byte, deletes the entry and reads it as a miss', async () => {
    const store = memoryStore();
    const events: CacheEvent[] = [];
    const cache = new Cache(store, { onEvent: (e) => events.push(e) });
    const b = bytes(5000);
    expect(await cache.put('k1', b)).toBe(true);
    expect(await cache.get('k1')).toEqual(b);
    store.entries.get('k1')!.bytes[1234]! ^= 0x01;
    expect(await cache.get('k1')).toBeUndefined();
    expect(events).toEqual([{ type: 'corrupt', key: 'k1', reason: 'checksum mismatch' }]);
    expect(await store.keys()).toEqual([]);
    expect(cache.counters.corrupt).toBe(1);
    // A truncated entry, too.
    await cache.put('k2', b);
    store.entries.get('k2')!.bytes = b.subarray(0, 10);
    expect(await cache.get('k2')).toBeUndefined();
    expect(events[1]).toMatchObject({ type: 'corrupt', key: 'k2' });
  });

  it('evicts least-recently-used entries to stay within its budget', async () => {
    let t = 0;
    const store = memoryStore();
    const evicted: string[] = [];
    const cache = new Cache(store, { budgetBytes: 3000, now: () => ++t, onEvent: (e) => { if (e.type === 'evicted') evicted.push(e.key); } });
    await cache.put('a', bytes(1000));
    await cache.put('b', bytes(1000));
    await cache.put('c', bytes(1000));
    await cache.get('a'); // a is now more recent than b
    await cache.put('d', bytes(1000));
    expect(evicted).toEqual(['b']);
    expect((await store.keys()).sort()).toEqual(['a', 'c', 'd']);
    expect(await store.size()).toBeLessThanOrEqual(3000);
    expect(await cache.put('huge', bytes(4000))).toBe(false);
    expect((await store.keys()).sort()).toEqual(['a', 'c', 'd']);
  });

  it('on a full store evicts old entries and retries; if that fails, runs on without caching and says so', async () => {
    let t = 0;
    const store = memoryStore({ quotaBytes: 2500 });
    const events: CacheEvent[] = [];
    const cache = new Cache(store, { now: () => ++t, onEvent: (e) => events.push(e) });
    await cache.put('a', bytes(1000));
    await cache.put('b', bytes(1000));
    expect(await cache.put('c', bytes(1000))).toBe(true);
    expect(events.filter((e) => e.type === 'evicted').map((e) => (e as { key: string }).key)).toEqual(['a', 'b']);
    expect(await cache.get('c')).toBeDefined();
    expect(await cache.put('big', bytes(3000))).toBe(false);
    expect(cache.disabledReason).toMatch(/quota/);
    expect(events.at(-1)).toMatchObject({ type: 'disabled' });
    expect(await cache.put('small', bytes(10))).toBe(false);
  });

  it('reports store failures without failing', async () => {
    const store = memoryStore();
    const events: CacheEvent[] = [];
    const cache = new Cache({ ...store, put: async () => { throw new Error('disk on fire'); }, get: async () => { throw new Error('unreadable'); } }, { onEvent: (e) => events.push(e) });
    expect(await cache.put('x', bytes(10))).toBe(false);
    expect(await cache.get('x')).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['write-failed', 'read-failed']);
  });
});
