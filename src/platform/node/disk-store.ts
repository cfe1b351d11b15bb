/**
 * The Node Store: one file per entry in a folder.
 *
 *   ROOT/<key>.dde     "DDE1" · u32 LE meta length · meta JSON (space-padded to 8) · bytes
 *   ROOT/.tmp/         writes in progress
 *
 * A put writes a temp file with a name no other writer uses (pid + random id) and renames it over
 * the entry: rename is atomic on one filesystem, so a reader sees the old entry or the new one,
 * and concurrent writers (worker processes, SLURM tasks on a shared folder) never interleave
 * bytes; the last rename wins, and for content-addressed keys every writer writes the same
 * bytes. A process killed mid-write leaves only a temp file, removed after an hour by the next
 * open. The entry's mtime is its last access (least-recently-used eviction).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DdError } from '../../core/errors.ts';
import { checkKey, type EntryMeta, type Store } from '../../core/cache/store.ts';

const MAGIC = [0x44, 0x44, 0x45, 0x31]; // DDE1
const EXT = '.dde';
const STALE_TMP_MS = 60 * 60 * 1000;

function encode(bytes: Uint8Array, meta: EntryMeta): Uint8Array {
  // Meta padded with spaces so the bytes start 8-aligned (typed-array views without a copy).
  let json = JSON.stringify(meta);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const m = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + m.length + bytes.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, m.length, true);
  out.set(m, 8);
  out.set(bytes, 8 + m.length);
  return out;
}

/** Opens (creating) a disk store at `root`. */
export async function diskStore(root: string): Promise<Store & { root: string }> {
  const tmpDir = join(root, '.tmp');
  try {
    await mkdir(tmpDir, { recursive: true });
  } catch (e) {
    throw new DdError('CACHE_DIR_UNUSABLE', `${root}: cannot create the cache folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Choose another with --cache-dir, or run with --no-cache.`, { file: root, cause: e });
  }
  // Temp files of killed writers.
  try {
    const now = Date.now();
    for (const f of await readdir(tmpDir)) {
      const p = join(tmpDir, f);
      const s = await stat(p).catch(() => null);
      if (s && now - s.mtimeMs > STALE_TMP_MS) await rm(p, { force: true });
    }
  } catch { /* another process cleaned up first */ }
  const path = (key: string) => join(root, key + EXT);

  return {
    kind: 'disk',
    root,
    async get(key) {
      checkKey(key);
      let raw: Uint8Array;
      try {
        const buf = await readFile(path(key));
        raw = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      // A header that does not parse is a corrupt entry: hand back bytes that fail the checksum.
      if (raw.length < 8 || MAGIC.some((b, i) => raw[i] !== b)) return { bytes: raw, meta: { checksum: '', size: -1, created: 0, accessed: 0 } };
      const mLen = new DataView(raw.buffer, raw.byteOffset, 8).getUint32(4, true);
      let meta: EntryMeta;
      try {
        meta = JSON.parse(new TextDecoder().decode(raw.subarray(8, 8 + mLen)));
      } catch {
        return { bytes: raw, meta: { checksum: '', size: -1, created: 0, accessed: 0 } };
      }
      return { bytes: raw.subarray(8 + mLen), meta };
    },
    async put(key, bytes, meta) {
      checkKey(key);
      const tmp = join(tmpDir, `${key}.${process.pid}.${randomUUID()}`);
      try {
        await writeFile(tmp, encode(bytes, meta));
        await rename(tmp, path(key));
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => {});
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new DdError('STORE_QUOTA', `${root}: no space left for the cache (${code}).`, { file: root, cause: e });
        throw e;
      }
    },
    async delete(key) {
      checkKey(key);
      await unlink(path(key)).catch((e) => { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; });
    },
    async keys() {
      return (await readdir(root)).filter((f) => f.endsWith(EXT)).map((f) => f.slice(0, -EXT.length));
    },
    async size() {
      let total = 0;
      for (const f of await readdir(root)) {
        if (!f.endsWith(EXT)) continue;
        const s = await stat(join(root, f)).catch(() => null);
        if (s) total += s.size;
      }
      return total;
    },
    /** Sizes are file sizes (header included) and access times are mtimes; checksums are not read. */
    async list() {
      const out: { key: string; meta: EntryMeta }[] = [];
      for (const f of await readdir(root)) {
        if (!f.endsWith(EXT)) continue;
        const s = await stat(join(root, f)).catch(() => null);
        if (s) out.push({ key: f.slice(0, -EXT.length), meta: { checksum: '', size: s.size, created: s.birthtimeMs, accessed: s.mtimeMs } });
      }
      return out;
    },
    async touch(key, time) {
      const t = new Date(time);
      await utimes(path(key), t, t).catch((e) => { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; });
    },
  };
}

/** The file of an entry (tests flip its bytes). */
export function entryFile(root: string, key: string): string {
  return join(root, key + EXT);
}
