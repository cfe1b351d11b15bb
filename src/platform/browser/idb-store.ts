/**
 * The browser Store: IndexedDB through idb. Two object stores, `meta` (EntryMeta per key, read
 * alone for eviction) and `blobs` (the bytes), written in one transaction, so a reader never sees
 * one without the other. A QuotaExceededError becomes DdError STORE_QUOTA: Cache (core) then
 * evicts least-recently-used entries and retries, or runs without caching and says so.
 *
 * `storageBudget()` asks the browser how much the origin may use (navigator.storage.estimate)
 * and for persistent storage (navigator.storage.persist: otherwise the browser may clear the
 * cache under storage pressure); the Cache budget comes from it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { DdError } from '../../core/errors.ts';
import { checkKey, type EntryMeta, type Store } from '../../core/cache/store.ts';

interface CacheDb extends DBSchema {
  meta: { key: string; value: EntryMeta };
  blobs: { key: string; value: Uint8Array };
}

const DB_VERSION = 1;

function isQuota(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

export async function idbStore(name = 'ddmvpa-cache'): Promise<Store> {
  let db: IDBPDatabase<CacheDb>;
  try {
    db = await openDB<CacheDb>(name, DB_VERSION, {
      upgrade(d) {
        if (!d.objectStoreNames.contains('meta')) d.createObjectStore('meta');
        if (!d.objectStoreNames.contains('blobs')) d.createObjectStore('blobs');
      },
    });
  } catch (e) {
    throw new DdError('CACHE_UNAVAILABLE', `The browser's IndexedDB cannot be opened (${(e as Error).message}); the analysis runs without a cache (private windows often block storage).`, { cause: e });
  }
  return {
    kind: 'indexeddb',
    async get(key) {
      const tx = db.transaction(['meta', 'blobs'], 'readonly');
      const [meta, bytes] = await Promise.all([tx.objectStore('meta').get(key), tx.objectStore('blobs').get(key)]);
      await tx.done;
      if (!meta || !bytes) return undefined;
      return { bytes: bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes as ArrayBuffer), meta };
    },
    async put(key, bytes, meta) {
      checkKey(key);
      try {
        const tx = db.transaction(['meta', 'blobs'], 'readwrite');
        await Promise.all([tx.objectStore('blobs').put(bytes, key), tx.objectStore('meta').put(meta, key), tx.done]);
      } catch (e) {
        if (isQuota(e)) throw new DdError('STORE_QUOTA', `The browser's storage quota for this site is exhausted (${(e as Error).message}).`, { cause: e });
        throw e;
      }
    },
    async delete(key) {
      const tx = db.transaction(['meta', 'blobs'], 'readwrite');
      await Promise.all([tx.objectStore('meta').delete(key), tx.objectStore('blobs').delete(key), tx.done]);
    },
    async keys() {
      return (await db.getAllKeys('meta')).map(String);
    },
    async size() {
      let s = 0;
      for (const m of await db.getAll('meta')) s += m.size;
      return s;
    },
    async list() {
      const tx = db.transaction('meta', 'readonly');
      const out: { key: string; meta: EntryMeta }[] = [];
      for (let c = await tx.store.openCursor(); c; c = await c.continue()) out.push({ key: String(c.key), meta: c.value });
      await tx.done;
      return out;
    },
    async touch(key, time) {
      const tx = db.transaction('meta', 'readwrite');
      const m = await tx.store.get(key);
      if (m) await tx.store.put({ ...m, accessed: time }, key);
      await tx.done;
    },
  };
}

export interface StorageBudget {
  /** Bytes the Cache may use: half of what the origin may still use, at most `maxBytes`. */
  budgetBytes: number;
  quotaBytes: number | null;
  usageBytes: number | null;
  /** Whether the browser granted persistent storage. */
  persisted: boolean;
}

/** Asks for persistent storage and sizes the cache from navigator.storage.estimate(). */
export async function storageBudget(maxBytes = 4 * 1024 ** 3): Promise<StorageBudget> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  let persisted = false;
  try {
    persisted = (await storage?.persisted?.()) || (await storage?.persist?.()) || false;
  } catch { persisted = false; }
  let quotaBytes: number | null = null, usageBytes: number | null = null;
  try {
    const est = await storage?.estimate?.();
    quotaBytes = est?.quota ?? null;
    usageBytes = est?.usage ?? null;
  } catch { /* estimate unavailable */ }
  const free = quotaBytes !== null ? Math.max(0, quotaBytes - (usageBytes ?? 0)) : 512 * 1024 ** 2;
  return { budgetBytes: Math.min(maxBytes, Math.floor(free / 2) + (usageBytes ?? 0)), quotaBytes, usageBytes, persisted };
}
