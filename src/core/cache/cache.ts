/**
 * Cache: the one layer between the pipeline and a Store, identical in every host.
 *
 *  - Checksums: every put records the SHA-256 of the bytes; every get recomputes it. An entry
 *    whose bytes changed (a flipped bit on disk, a torn write by another tool) is reported,
 *    deleted, and read as a miss, so the stage is recomputed.
 *  - Size budget: least-recently-used entries are evicted to keep the store under `budgetBytes`.
 *  - Quota: when the host refuses a put (STORE_QUOTA: a full IndexedDB), old entries are evicted
 *    and the put retried once; when that fails too, the cache stops writing, says so (a
 *    'disabled' event and `disabledReason`) and the run goes on without caching.
 *
 * Caching is an optimisation: a store that fails never fails the analysis; every such failure is
 * reported through `onEvent` and counted in `counters`.
 */
import { DdError } from '../errors.ts';
import { sha256Hex } from './sha256.ts';
import type { EntryMeta, Store } from './store.ts';

export type CacheEvent =
  | { type: 'corrupt'; key: string; reason: string }
  | { type: 'evicted'; key: string; bytes: number; reason: 'budget' | 'quota' }
  | { type: 'disabled'; reason: string }
  | { type: 'write-failed'; key: string; reason: string }
  | { type: 'read-failed'; key: string; reason: string };

export interface CacheOptions {
  /** Keep the store under this many bytes (least-recently-used eviction). Default: no budget. */
  budgetBytes?: number;
  /** SHA-256 hex of bytes; default the TypeScript implementation (Node plugs its native one). */
  checksum?: (bytes: Uint8Array) => string;
  now?: () => number;
  onEvent?: (e: CacheEvent) => void;
}

export interface CacheCounters {
  reads: number;
  found: number;
  corrupt: number;
  writes: number;
  writeFailures: number;
  evictions: number;
  bytesWritten: number;
}

export class Cache {
  readonly store: Store;
  readonly counters: CacheCounters = { reads: 0, found: 0, corrupt: 0, writes: 0, writeFailures: 0, evictions: 0, bytesWritten: 0 };
  /** Why the cache stopped writing (quota), or null. */
  disabledReason: string | null = null;
  private readonly opts: CacheOptions;
  private readonly checksum: (bytes: Uint8Array) => string;
  private readonly now: () => number;
  /** Sizes and access times of the entries (loaded on the first budgeted put). */
  private index: Map<string, { size: number; accessed: number }> | null = null;

  constructor(store: Store, opts: CacheOptions = {}) {
    this.store = store;
    this.opts = opts;
    this.checksum = opts.checksum ?? sha256Hex;
    this.now = opts.now ?? (() => Date.now());
  }

  private emit(e: CacheEvent): void {
    this.opts.onEvent?.(e);
  }

  /** The bytes under `key`, or undefined (missing, or corrupt and now deleted). */
  async get(key: string): Promise<Uint8Array | undefined> {
    this.counters.reads++;
    let entry;
    try {
      entry = await this.store.get(key);
    } catch (e) {
      this.emit({ type: 'read-failed', key, reason: (e as Error).message });
      return undefined;
    }
    if (!entry) return undefined;
    const { bytes, meta } = entry;
    let why: string | null = null;
    if (meta.size !== bytes.length) why = `${bytes.length} bytes where ${meta.size} were written`;
    else if (this.checksum(bytes) !== meta.checksum) why = 'checksum mismatch';
    if (why) {
      this.counters.corrupt++;
      this.emit({ type: 'corrupt', key, reason: why });
      await this.invalidate(key);
      return undefined;
    }
    this.counters.found++;
    const t = this.now();
    this.index?.set(key, { size: bytes.length, accessed: t });
    try {
      await this.store.touch(key, t);
    } catch (e) {
      this.emit({ type: 'write-failed', key, reason: `access time: ${(e as Error).message}` });
    }
    return bytes;
  }

  /** Whether an entry exists (not verified, not counted: a cheap check before another process reads it). */
  async has(key: string): Promise<boolean> {
    try {
      return (await this.store.get(key)) !== undefined;
    } catch {
      return false;
    }
  }

  /** Deletes an entry that could not be used (corrupt, unreadable record). */
  async invalidate(key: string): Promise<void> {
    this.index?.delete(key);
    try {
      await this.store.delete(key);
    } catch (e) {
      this.emit({ type: 'write-failed', key, reason: `delete: ${(e as Error).message}` });
    }
  }

  /** Stores bytes; false when they were not stored (disabled, over budget, store failure: all reported). */
  async put(key: string, bytes: Uint8Array, info?: Record<string, unknown>): Promise<boolean> {
    if (this.disabledReason !== null) return false;
    const t = this.now();
    const meta: EntryMeta = { checksum: this.checksum(bytes), size: bytes.length, created: t, accessed: t, info };
    const budget = this.opts.budgetBytes;
    if (budget !== undefined) {
      if (bytes.length > budget) {
        this.counters.writeFailures++;
        this.emit({ type: 'write-failed', key, reason: `entry of ${bytes.length} bytes exceeds the cache budget of ${budget} bytes` });
        return false;
      }
      await this.evictTo(budget - bytes.length, 'budget', key);
    }
    try {
      await this.store.put(key, bytes, meta);
    } catch (e) {
      if (!(e instanceof DdError && e.code === 'STORE_QUOTA')) {
        this.counters.writeFailures++;
        this.emit({ type: 'write-failed', key, reason: (e as Error).message });
        return false;
      }
      // Full: free at least twice this entry (or everything) and retry once.
      const index = await this.loadIndex();
      let used = 0;
      for (const v of index.values()) used += v.size;
      await this.evictTo(Math.max(0, used - 2 * bytes.length), 'quota', key);
      try {
        await this.store.put(key, bytes, meta);
      } catch (e2) {
        this.counters.writeFailures++;
        this.disabledReason = `the storage quota is exhausted even after evicting old entries (${(e2 as Error).message}); running without caching`;
        this.emit({ type: 'disabled', reason: this.disabledReason });
        return false;
      }
    }
    this.counters.writes++;
    this.counters.bytesWritten += bytes.length;
    this.index?.set(key, { size: bytes.length, accessed: t });
    return true;
  }

  private async loadIndex(): Promise<Map<string, { size: number; accessed: number }>> {
    if (!this.index) {
      const list = await this.store.list();
      this.index = new Map(list.map((e) => [e.key, { size: e.meta.size, accessed: e.meta.accessed }]));
    }
    return this.index;
  }

  /** Evicts least-recently-used entries (never `keep`) until at most `target` bytes remain. */
  private async evictTo(target: number, reason: 'budget' | 'quota', keep: string): Promise<void> {
    const index = await this.loadIndex();
    let used = 0;
    for (const [k, v] of index) if (k !== keep) used += v.size;
    if (used <= target) return;
    const order = [...index].filter(([k]) => k !== keep).sort((a, b) => a[1].accessed - b[1].accessed || (a[0] < b[0] ? -1 : 1));
    for (const [k, v] of order) {
      if (used <= target) break;
      await this.invalidate(k);
      used -= v.size;
      this.counters.evictions++;
      this.emit({ type: 'evicted', key: k, bytes: v.size, reason });
    }
  }
}
