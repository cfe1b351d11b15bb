/**
 * Where generated or exported files go, whatever the host: a folder on disk (Node), an in-memory
 * file set (the browser's teaching demo, tests). Paths are relative, '/'-separated.
 */
export interface FileSink {
  write(path: string, data: Uint8Array | string | ReadableStream<Uint8Array>): Promise<void>;
  exists?(path: string): Promise<boolean>;
}

/** An in-memory FileSink (tests, and the browser demo, which wraps the bytes in Files). */
export function memorySink(): FileSink & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async write(path, data) {
      if (typeof data === 'string') files.set(path, new TextEncoder().encode(data));
      else if (data instanceof Uint8Array) files.set(path, data.slice());
      else files.set(path, new Uint8Array(await new Response(data).arrayBuffer()));
    },
    async exists(path) {
      return files.has(path);
    },
  };
}
