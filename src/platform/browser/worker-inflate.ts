/**
 * gzip inflated on a worker of its own (src/workers/inflate-worker.ts), with the wasm gunzip
 * (assembly/inflate.ts) when the kernel module is passed, else DecompressionStream. A stream pass
 * in one worker would inflate and project in turn on one core; Node's zlib inflates on another
 * thread meanwhile. This gives the browser the same overlap.
 *
 * Chunks cross as they are, their buffers transferred: compressed chunks one per message, at
 * most INFLATE_AHEAD not yet acknowledged; inflated chunks in groups of ~1 MB (the first group
 * small, for header reads), at most INFLATE_AHEAD groups ahead of the reader (credits), their
 * buffers lent to the reader and sent back on its next read for reuse. So memory stays bounded
 * whatever the speeds, and no fresh memory is touched per chunk: on this VM, writing into freshly
 * allocated buffers (page faults) cost more than the copy itself — 1.5 s per GB.
 * Where the worker cannot start, the stream is inflated in this thread.
 */
import { defaultInflate, type Inflate } from '../../core/nifti/read.ts';

/** Inflated bytes per message (a group of the inflater's chunks). */
export const INFLATE_GROUP_BYTES = 1 << 20;
/** The first group is small: a header read needs only the first few hundred bytes. */
export const INFLATE_FIRST_BYTES = 16 << 10;
/** Messages in flight each way per stream (~4 MB). */
export const INFLATE_AHEAD = 4;

/** To the worker, on a stream's port. */
export type ToInflater = { input: ArrayBuffer } | { end: true } | { credit: number; recycle: ArrayBuffer[] } | { cancel: true } | { sourceError: string };
/** From the worker, on a stream's port. */
export type FromInflater = { parts: ArrayBuffer[]; lengths: number[] } | { ack: true } | { done: true } | { error: string };
/** The worker's first message: it has loaded. */
export const INFLATE_READY = 'ddmvpa-inflate-ready';

/** A chunk's buffer to transfer: its own when the chunk spans all of it, else a copy. */
export function ownBuffer(c: Uint8Array): ArrayBuffer {
  return c.byteOffset === 0 && c.byteLength === c.buffer.byteLength && c.buffer instanceof ArrayBuffer ? c.buffer : new Uint8Array(c).buffer; // (a copy even for Node's Buffer, whose slice is a view)
}

/** Messages of one port as an awaitable queue. */
export function portQueue<T>(port: MessagePort): { next(): Promise<T>; push(m: T): void } {
  const arrived: T[] = [];
  let waiting: (() => void) | null = null;
  const push = (m: T) => {
    arrived.push(m);
    waiting?.();
  };
  port.onmessage = (e: MessageEvent<T>) => push(e.data);
  return {
    push,
    async next() {
      while (arrived.length === 0) await new Promise<void>((r) => { waiting = r; });
      waiting = null;
      return arrived.shift()!;
    },
  };
}

/**
 * Files smaller than this inflate in the reading thread: the overlap gains little there, and on
 * a 2-core machine one more busy thread starves the page's main thread (long tasks).
 */
export const OFF_THREAD_INFLATE_MIN_BYTES = 64 << 20;

let inflater: { module: WebAssembly.Module | undefined; inflate: Inflate } | null = null;
/**
 * For a stream pass over `compressedBytes`: this thread's inflate worker (started on first use,
 * kept) for big files, inflating with the wasm gunzip of `module` when given (faster than this
 * browser's DecompressionStream here); else undefined (inflate here). Its chunks are LENT: valid
 * until the next read, when their buffer goes back to the worker (the stream pass copies each
 * chunk into its volume buffer before reading on; other readers must copy too).
 */
export function passInflater(compressedBytes: number, module?: WebAssembly.Module): Inflate | undefined {
  if (compressedBytes < OFF_THREAD_INFLATE_MIN_BYTES) return undefined;
  if (!inflater || inflater.module !== module) inflater = { module, inflate: workerInflate(undefined, module) };
  return inflater.inflate;
}

/** What workerInflate needs of a Worker (tests pass an in-thread stand-in). */
export type InflateWorker = Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror'>;

const startInflateWorker = (): InflateWorker => new Worker(new URL('../../workers/inflate-worker.ts', import.meta.url), { type: 'module', name: 'ddmvpa-inflate' });

/** An Inflate that runs in one lazily started inflate worker (shared by the streams of this thread). */
export function workerInflate(makeWorker: () => InflateWorker = startInflateWorker, module?: WebAssembly.Module): Inflate {
  let started: Promise<InflateWorker | null> | null = null;
  /** Streams in flight: told when the worker dies, so that no reader waits forever. */
  const live = new Set<(why: string) => void>();
  const worker = (): Promise<InflateWorker | null> => {
    started ??= new Promise((resolve) => {
      let w: InflateWorker;
      try {
        w = makeWorker();
      } catch {
        resolve(null);
        return;
      }
      w.onmessage = (e) => { if (e.data === INFLATE_READY) resolve(w); };
      w.onerror = (e) => {
        e.preventDefault();
        resolve(null); // not started: inflate here (no effect once resolved)
        started = Promise.resolve(null);
        for (const fail of live) fail(`the inflate worker stopped (${e.message || 'no reason given'})`);
        w.terminate();
      };
    });
    return started;
  };

  return (compressed) => {
    let local: ReadableStreamDefaultReader<Uint8Array> | null = null;
    let remote: ReturnType<typeof remoteInflate> | null = null;
    return new ReadableStream<Uint8Array>(
      {
        async start() {
          const w = await worker();
          if (w) remote = remoteInflate(w, compressed, live, module);
          else local = defaultInflate(compressed).getReader();
        },
        async pull(ctrl) {
          const r = local ? await local.read() : await remote!.read();
          if (r.done) ctrl.close();
          else ctrl.enqueue(r.value);
        },
        cancel(reason) {
          return local ? local.cancel(reason) : remote?.cancel();
        },
      },
      { highWaterMark: 0 },
    );
  };
}

/** One stream through the worker: pumps `compressed` in, reads inflated batches out. */
function remoteInflate(w: InflateWorker, compressed: ReadableStream<Uint8Array>, live: Set<(why: string) => void>, module?: WebAssembly.Module) {
  const { port1: port, port2 } = new MessageChannel();
  w.postMessage({ port: port2, module }, [port2]);
  const q = portQueue<FromInflater>(port);
  // Input batches sent and not yet acknowledged (at most INFLATE_AHEAD), and the pump waiting for one.
  let unacked = 0;
  let acked: (() => void) | null = null;
  // Acknowledgements move the input pump at once, not when the reader next reads: otherwise the
  // worker would run dry whenever the reader is busy, and inflating would not overlap at all.
  const queued = port.onmessage!;
  port.onmessage = (e: MessageEvent<FromInflater>) => {
    if ('ack' in e.data) {
      unacked--;
      acked?.();
    } else queued.call(port, e);
  };
  const send = (m: ToInflater, transfer: Transferable[] = []) => port.postMessage(m, transfer);
  let stopped = false;
  const fail = (why: string) => q.push({ error: why });
  live.add(fail);
  const stop = () => {
    stopped = true;
    live.delete(fail);
    port.close();
  };

  // Input: each source chunk as it is, at most INFLATE_AHEAD not yet acknowledged.
  const source = compressed.getReader();
  void (async () => {
    for (;;) {
      const { done, value } = await source.read();
      if (stopped) return;
      if (done) return send({ end: true });
      while (unacked >= INFLATE_AHEAD && !stopped) await new Promise<void>((r) => { acked = r; });
      if (stopped) return;
      unacked++;
      const input = ownBuffer(value);
      send({ input }, [input]);
    }
  })().catch((e) => { if (!stopped) send({ sourceError: (e as Error)?.message ?? String(e) }); });

  send({ credit: INFLATE_AHEAD, recycle: [] });
  const parts: Uint8Array[] = []; // of the group being read
  const pendingRecycle: ArrayBuffer[] = [];
  // The chunk handed out last: the stream pass is done with it when it reads again, so its
  // buffer goes back to the worker for reuse (fresh memory costs page faults: see the top).
  let lent: ArrayBuffer | null = null;
  return {
    async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
      if (lent) pendingRecycle.push(lent);
      lent = null;
      while (parts.length === 0) {
        const m = await q.next();
        if ('ack' in m) continue; // (handled on arrival)
        if ('parts' in m) {
          const back = pendingRecycle.splice(0);
          send({ credit: 1, recycle: back }, back);
          m.parts.forEach((b, i) => parts.push(new Uint8Array(b, 0, m.lengths[i])));
          continue;
        }
        stop();
        if ('done' in m) return { done: true, value: undefined };
        // The same kind of error as DecompressionStream's own (read.ts names the file and the fix).
        throw new TypeError(m.error);
      }
      const value = parts.shift()!;
      lent = value.buffer as ArrayBuffer;
      return { done: false, value };
    },
    async cancel() {
      if (stopped) return;
      send({ cancel: true });
      stop();
      acked?.();
      await source.cancel().catch(() => {});
    },
  };
}
