import { open, stat, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../../core/io/byte-source.ts';
import { DdError } from '../../core/errors.ts';

/** A ByteSource over a file on disk: positioned reads for slices, a 4 MiB read stream for passes. */
export async function fileSource(path: string): Promise<ByteSource> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new DdError('FILE_NOT_FOUND', `${path}: cannot read this file (${(e as Error).message}). Check the path.`, { file: path, cause: e });
  }
  return {
    name: path,
    size,
    async slice(start, end) {
      const s = Math.max(0, start);
      const n = Math.max(0, Math.min(size, end) - s);
      const buf = new Uint8Array(n);
      if (n === 0) return buf;
      const fh = await open(path, 'r');
      try {
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, s + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === n ? buf : buf.subarray(0, got);
      } finally {
        await fh.close();
      }
    },
    stream() {
      // Pull-based, so a slow consumer holds back reading (Node 20's Readable.toWeb does not:
      // it buffers ahead without limit, up to the whole file).
      const chunk = 4 << 20;
      let pos = 0;
      let fh: FileHandle | null = null;
      return new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          fh ??= await open(path, 'r');
          const buf = new Uint8Array(Math.min(chunk, size - pos));
          const { bytesRead } = buf.length > 0 ? await fh.read(buf, 0, buf.length, pos) : { bytesRead: 0 };
          if (bytesRead === 0) {
            await fh.close();
            fh = null;
            ctrl.close();
            return;
          }
          pos += bytesRead;
          ctrl.enqueue(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
        },
        async cancel() {
          await fh?.close();
          fh = null;
        },
      }, { highWaterMark: 1 });
    },
  };
}
