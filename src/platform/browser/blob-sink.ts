/**
 * A FileSink whose files are Blobs (the browser's exports: `<roi>.npy`, `trials.tsv`, the demo
 * dataset). Blob bytes live in the browser's blob store, not on the JS heap, and a Blob crosses
 * to another thread as a handle (structured clone, no copy).
 *
 * Stream data is copied in pieces of at most `pieceBytes` into fresh (non-shared) buffers, each
 * becoming a Blob part at once: a large pattern matrix that is a view into shared wasm memory
 * (Blob() refuses SharedArrayBuffer views) never needs a second whole copy on the JS heap.
 */
import type { FileSink } from '../../core/io/file-sink.ts';

const DEFAULT_PIECE = 4 << 20;

export interface BlobSink extends FileSink {
  /** Files written so far, in write order (path → Blob). */
  readonly files: Map<string, Blob>;
}

/** Copies `bytes` into Blobs of at most `piece` bytes each (fresh buffers: works for shared views). */
function toBlobParts(bytes: Uint8Array, piece: number, out: Blob[]): void {
  for (let o = 0; o < bytes.byteLength; o += piece) {
    out.push(new Blob([bytes.slice(o, Math.min(bytes.byteLength, o + piece))]));
  }
}

export function blobSink(opts: { pieceBytes?: number; type?: (path: string) => string } = {}): BlobSink {
  const piece = opts.pieceBytes ?? DEFAULT_PIECE;
  const typeOf = opts.type ?? defaultType;
  const files = new Map<string, Blob>();
  return {
    files,
    async write(path, data) {
      const type = typeOf(path);
      if (typeof data === 'string') {
        files.set(path, new Blob([data], { type }));
        return;
      }
      const parts: Blob[] = [];
      if (data instanceof Uint8Array) toBlobParts(data, piece, parts);
      else {
        const reader = data.getReader();
        // Small chunks (e.g. gzip output) are gathered up to `piece` bytes before becoming a part.
        let pending: Uint8Array[] = [];
        let pendingBytes = 0;
        const flush = () => {
          if (pendingBytes === 0) return;
          parts.push(new Blob(pending as BlobPart[]));
          pending = [];
          pendingBytes = 0;
        };
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value.byteLength >= piece || isShared(value)) {
            flush();
            toBlobParts(value, piece, parts);
          } else {
            pending.push(value.slice());
            pendingBytes += value.byteLength;
            if (pendingBytes >= piece) flush();
          }
        }
        flush();
      }
      files.set(path, new Blob(parts, { type }));
    },
    async exists(path) {
      return files.has(path);
    },
  };
}

function isShared(v: Uint8Array): boolean {
  return typeof SharedArrayBuffer === 'function' && v.buffer instanceof SharedArrayBuffer;
}

function defaultType(path: string): string {
  if (path.endsWith('.tsv')) return 'text/tab-separated-values';
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.gz')) return 'application/gzip';
  return 'application/octet-stream';
}
