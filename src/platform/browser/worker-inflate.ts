/**
 * gzip inflated on a worker of its own (src/workers/inflate-worker.ts). A stream pass in one
 * worker inflates and projects in turn on one core (~3 s + ~3 s for a full-size run); Node's
 * zlib inflates on another thread meanwhile. This gives the browser the same overlap.
 *
 * Both ways, bytes cross in 1 MB batches whose buffers are transferred (no copy), each side at
 * most AHEAD batches ahead of the other (acknowledgements one way, credits the other), so memory
 * stays bounded whatever the speeds. (Transferring the ReadableStream itself was tried: one
 * cross-thread round trip per 64 KB Blob chunk made the pass 4× slower.) Where the worker cannot
 * start, the stream is inflated in this thread.
 */
import { defaultInflate, type Inflate } from '../../core/nifti/read.ts';

export const INFLATE_BATCH_BYTES = 1 << 20;
/**
 * The first inflated batch is small: a header read needs only the first few hundred bytes, and
 * must not inflate (and so meet damage) much further than Node's zlib chunks do.
 */
export const INFLATE_FIRST_BYTES = 16 << 10;
/** Batches in flight each way per stream (4 MB). */
export const INFLATE_AHEAD = 4;

/** To the worker, on a stream's port. */
export type ToInflater = { input: ArrayBuffer; length: number } | { end: true } | { credit: number } | { cancel: true } | { sourceError: string };
/** From the worker, on a stream's port. */
export type FromInflater = { chunk: ArrayBuffer; length: number } | { ack: true } | { done: true } | { error: string };
/** The worker's first message: it has loaded. */
export const INFLATE_READY = 'ddmvpa-inflate-ready';

/** Re-chunks a byte stream into batches of `size` bytes (the first of `firstSize`, the last may be shorter), calling `emit` with each. */
export async function forEachBatch(reader: ReadableStreamDefaultReader<Uint8Array>, size: number, emit: (buf: Uint8Array, length: number) => Promise<boolean>, firstSize = size): Promise<boolean> {
  let buf = new Uint8Array(firstSize);
  let fill = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let at = 0; at < value.byteLength;) {
      const n = Math.min(value.byteLength - at, buf.byteLength - fill);
      buf.set(value.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === buf.byteLength) {
        if (!(await emit(buf, fill))) return false;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  return fill === 0 || emit(buf, fill);
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

let inflater: Inflate | null = null;
/** This thread's inflate worker, started on first use and kept for the next runs. */
export function threadInflate(): Inflate {
  return (inflater ??= workerInflate());
}

/** What workerInflate needs of a Worker (tests pass an in-thread stand-in). */
export type InflateWorker = Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror'>;

const startInflateWorker = (): InflateWorker => new Worker(new URL('../../workers/inflate-worker.ts', import.meta.url), { type: 'module', name: 'ddmvpa-inflate' });

/** An Inflate that runs in one lazily started inflate worker (shared by the streams of this thread). */
export function workerInflate(makeWorker: () => InflateWorker = startInflateWorker): Inflate {
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
          if (w) remote = remoteInflate(w, compressed, live);
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
function remoteInflate(w: InflateWorker, compressed: ReadableStream<Uint8Array>, live: Set<(why: string) => void>) {
  const { port1: port, port2 } = new MessageChannel();
  w.postMessage({ port: port2 }, [port2]);
  const q = portQueue<FromInflater>(port);
  const send = (m: ToInflater, transfer: Transferable[] = []) => port.postMessage(m, transfer);
  let stopped = false;
  const fail = (why: string) => q.push({ error: why });
  live.add(fail);
  const stop = () => {
    stopped = true;
    live.delete(fail);
    port.close();
  };

  // Input: at most INFLATE_AHEAD batches not yet acknowledged.
  const source = compressed.getReader();
  let unacked = 0;
  let acked: (() => void) | null = null;
  void forEachBatch(source, INFLATE_BATCH_BYTES, async (buf, length) => {
    while (unacked >= INFLATE_AHEAD && !stopped) await new Promise<void>((r) => { acked = r; });
    if (stopped) return false;
    unacked++;
    send({ input: buf.buffer as ArrayBuffer, length }, [buf.buffer as ArrayBuffer]);
    return true;
  }).then(
    (whole) => { if (whole && !stopped) send({ end: true }); },
    (e) => { if (!stopped) send({ sourceError: (e as Error)?.message ?? String(e) }); },
  );

  send({ credit: INFLATE_AHEAD });
  return {
    async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
      for (;;) {
        const m = await q.next();
        if ('ack' in m) {
          unacked--;
          acked?.();
          continue;
        }
        if ('chunk' in m) {
          send({ credit: 1 });
          return { done: false, value: new Uint8Array(m.chunk, 0, m.length) };
        }
        stop();
        if ('done' in m) return { done: true, value: undefined };
        // The same kind of error as DecompressionStream's own (read.ts names the file and the fix).
        throw new TypeError(m.error);
      }
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
