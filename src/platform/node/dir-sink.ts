import { mkdir, rename, writeFile, access } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { FileSink } from '../../core/io/file-sink.ts';

/** A FileSink over a folder: each file is written to a temp name and renamed (atomic). */
export function dirSink(root: string): FileSink {
  return {
    async write(path, data) {
      const full = join(root, path);
      await mkdir(dirname(full), { recursive: true });
      const tmp = `${full}.tmp-${process.pid}-${Date.now()}`;
      if (data instanceof ReadableStream) {
        await data.pipeTo(Writable.toWeb(createWriteStream(tmp, { highWaterMark: 4 << 20 })) as WritableStream<Uint8Array>);
      } else {
        await writeFile(tmp, data);
      }
      await rename(tmp, full);
    },
    async exists(path) {
      try { await access(join(root, path)); return true; } catch { return false; }
    },
  };
}
