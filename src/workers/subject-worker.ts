/**
 * A subject worker (browser): runs pipeline tasks for the pipeline worker, one at a time — a
 * subject up to its decodings (prepareSubject) or one ROI × target decoding (decodeCell) — on
 * its own kernel instance and the shared IndexedDB cache. Several of these run side by side
 * (src/platform/browser/subject-executor.ts), as `ddmvpa run --worker` processes do in Node.
 */
import { expose } from 'comlink';
import { installDdErrorTransfer } from './comlink-errors.ts';
import { DdError } from '../core/errors.ts';
import type { Cache } from '../core/cache/cache.ts';
import type { BlobEntry } from '../core/pipeline/blob-host.ts';
import type { Task, TaskResult } from '../core/pipeline/executor.ts';
import { decodeCell, prepareSubject } from '../core/pipeline/runner.ts';
import type { ProgressEvent } from '../core/pipeline/stages.ts';
import { browserDecodeStage, browserPipelineHost, lazyEngine, openBrowserCache } from '../platform/browser/pipeline-host.ts';

installDdErrorTransfer();

const engine = lazyEngine('subject');
let cache: { use: boolean; open: Promise<Cache | null> } | null = null;
const running = new Map<number, AbortController>();


function getCache(use: boolean): Promise<Cache | null> {
  if (!cache || cache.use !== use) cache = { use, open: openBrowserCache(use).then((c) => c.cache) };
  return cache.open;
}

/** Bytes this worker holds: its kernel memory and, where Chromium says, its JS heap. */
function heldBytes(): number {
  const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
  return (engine.ready()?.memory.buffer.byteLength ?? 0) + heap;
}

export interface SubjectWorkerStats {
  wasmBytes: number;
  heapBytes: number | null;
  cacheFound: number;
  cacheReads: number;
  cacheWrites: number;
}

const api = {
  init(opts: { wasmUrl: string }) {
    engine.setUrl(opts.wasmUrl);
    return { isolated: globalThis.crossOriginIsolated === true };
  },

  async run(id: number, task: Task, files: BlobEntry[], roiFiles: BlobEntry[], useCache: boolean, onProgress: (e: ProgressEvent) => void): Promise<TaskResult> {
    const ac = new AbortController();
    running.set(id, ac);
    try {
      const [eng, c] = await Promise.all([engine.get(), getCache(useCache)]);
      const report = (e: ProgressEvent) => {
        try {
          const r = onProgress(e) as unknown;
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => {});
        } catch { /* the caller went away */ }
      };
      const env = { host: browserPipelineHost(files, eng, c, roiFiles), decodeStage: browserDecodeStage, signal: ac.signal, onProgress: report };
      if (task.kind === 'prepare') {
        const p = await prepareSubject(task.job, env, { decode: task.decode });
        p.outcome.peakBytes = heldBytes();
        return p;
      }
      const r = await decodeCell(task.cell, env);
      r.peakBytes = heldBytes();
      return r;
    } finally {
      running.delete(id);
    }
  },

  cancel(id: number): void {
    running.get(id)?.abort(new DdError('RUN_CANCELLED', 'Cancelled by the user.'));
  },

  async stats(): Promise<SubjectWorkerStats> {
    const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null;
    const counters = cache ? (await cache.open)?.counters : undefined;
    return {
      wasmBytes: engine.ready()?.memory.buffer.byteLength ?? 0, heapBytes: heap,
      cacheFound: counters?.found ?? 0, cacheReads: counters?.reads ?? 0, cacheWrites: counters?.writes ?? 0,
    };
  },
};

export type SubjectWorkerApi = typeof api;

expose(api);
