import { open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { basename } from 'node:path';
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
    name: basename(path),
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
      return Readable.toWeb(createReadStream(path, { highWaterMark: 4 << 20 })) as unknown as ReadableStream<Uint8Array>;
    },
  };
}
