/**
 * The Store seam (ARCHITECTURE.md "Seams"): byte blobs with metadata under string keys.
 * Hosts: a folder on disk (src/platform/node/disk-store.ts), IndexedDB in the browser
 * (src/platform/browser/idb-store.ts), memory here (tests). Checksums, least-recently-used
 * eviction and quota recovery live one level up, in Cache (./cache.ts), the same for every host.
 */
import { DdError } from '../errors.ts';

export interface EntryMeta {
  /** SHA-256 hex of the bytes, written by Cache.put and checked by Cache.get. */
  checksum: string;
  /** Byte length of the bytes. */
  size: number;
  /** Time of the put (ms since the epoch). */
  created: number;
  /** Time of the last read (ms since the epoch): least-recently-used eviction. */
  accessed: number;
  /** Free-form JSON (stage name, what the entry holds). */
  info?: Record<string, unknown>;
}

export interface StoreEntry {
  bytes: Uint8Array;
  meta: EntryMeta;
}

export interface Store {
  /** 'memory' | 'disk' | 'indexeddb' (reports). */
  readonly kind: string;
  /** The entry, or undefined when there is none (a miss is not a failure). */
  get(key: string): Promise<StoreEntry | undefined>;
  /**
   * Writes an entry, replacing any under that key. A reader sees the old entry or the new one,
   * never a mix. Throws DdError STORE_QUOTA when the host has no room (Cache evicts and retries).
   */
  put(key: string, bytes: Uint8Array, meta: EntryMeta): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /** Total bytes held (entry bytes, as the host counts them). */
  size(): Promise<number>;
  /** Metadata of every entry, without the bytes (eviction). */
  list(): Promise<{ key: string; meta: EntryMeta }[]>;
  /** Records a read at `time` (least-recently-used order); cheap, may be approximate. */
  touch(key: string, time: number): Promise<void>;
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Keys are file-name safe on every host: letters, digits, `.`, `_`, `-`, at most 200 characters. */
export function checkKey(key: string): void {
  if (!KEY_RE.test(key)) throw new DdError('STORE_BAD_KEY', `Cache key "${key}" is not allowed: use letters, digits, '.', '_' and '-' (at most 200 characters).`);
}

export interface MemoryStoreOptions {
  /** Simulated host quota in bytes: a put that would exceed it throws STORE_QUOTA (tests). */
  quotaBytes?: number;
}

/** A Store in memory (tests; a host without persistent storage). */
export function memoryStore(opts: MemoryStoreOptions = {}): Store & { entries: Map<string, StoreEntry> } {
  const entries = new Map<string, StoreEntry>();
  const total = () => { let s = 0; for (const e of entries.values()) s += e.bytes.length; return s; };
  return {
    kind: 'memory',
    entries,
    async get(key) {
      const e = entries.get(key);
      return e ? { bytes: e.bytes.slice(), meta: { ...e.meta } } : undefined;
    },
    async put(key, bytes, meta) {
      checkKey(key);
      if (opts.quotaBytes !== undefined) {
        const after = total() - (entries.get(key)?.bytes.length ?? 0) + bytes.length;
        if (after > opts.quotaBytes) throw new DdError('STORE_QUOTA', `The memory store is full (${after} > ${opts.quotaBytes} bytes).`);
      }
      entries.set(key, { bytes: bytes.slice(), meta: { ...meta } });
    },
    async delete(key) { entries.delete(key); },
    async keys() { return [...entries.keys()]; },
    async size() { return total(); },
    async list() { return [...entries].map(([key, e]) => ({ key, meta: { ...e.meta } })); },
    async touch(key, time) { const e = entries.get(key); if (e) e.meta.accessed = time; },
  };
}
