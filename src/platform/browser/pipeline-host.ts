/**
 * The browser's PipelineHost, used by the pipeline worker (one subject at a time) and by the
 * subject workers (src/workers/subject-worker.ts, several subjects at once): dataset files and
 * ROI mask / atlas files from Blobs, the wasm projector, the IndexedDB cache. Work is broken by macrotasks so that a cancel
 * message can get in during long synchronous stretches.
 */
import { Cache } from '../../core/cache/cache.ts';
import { DdError } from '../../core/errors.ts';
import { wasmProjector } from '../../core/extract/wasm-projector.ts';
import { createKernelEngine, wasmSha256, type KernelEngine } from '../../core/kernels/index.ts';
import { useWasmSolvers } from '../../core/mvpa/models/index.ts';
import { filesFromBlobs, type BlobEntry } from '../../core/pipeline/blob-host.ts';
import type { DecodeStageFn } from '../../core/pipeline/decode-stage.ts';
import type { PipelineHost } from '../../core/pipeline/host.ts';
import { mvpaDecodeStage } from '../../core/pipeline/mvpa-decode.ts';
import { idbStore } from './idb-store.ts';
import { loadKernelModule } from './pool.ts';
import { roiFileHost } from './roi-files.ts';
import { macrotask, yieldingProjector } from './event-loop.ts';
import { passInflater } from './worker-inflate.ts';

/** Decodings run synchronously: a macrotask before each lets a cancel in. */
export const browserDecodeStage: DecodeStageFn = async (task, ctx) => {
  await macrotask();
  if (ctx.signal?.aborted) throw new DdError('RUN_CANCELLED', 'The run was cancelled.');
  return mvpaDecodeStage(task, ctx);
};

/** The IndexedDB cache, or null with the reason it cannot be used. */
export async function openBrowserCache(use: boolean): Promise<{ cache: Cache | null; note: string | null }> {
  if (!use) return { cache: null, note: 'the cache was switched off for this run' };
  try {
    return { cache: new Cache(await idbStore()), note: null };
  } catch (e) {
    return { cache: null, note: (e as Error).message };
  }
}

/** `engine` null: a coordinating host that leaves extraction to subject workers. */
export function browserPipelineHost(files: BlobEntry[], engine: KernelEngine | null, cache: Cache | null, roiFiles: BlobEntry[] = []): PipelineHost {
  const rois = roiFileHost(roiFiles);
  return {
    files: filesFromBlobs(files),
    resolveFile: rois.resolveFile,
    loadImage: rois.loadImage,
    makeProjector: (spec) => {
      if (!engine) throw new DdError('INTERNAL', 'This host coordinates subject workers and does not extract; this is a bug.');
      return yieldingProjector(wasmProjector(engine, null, spec), spec.header.bytesPerVolume);
    },
    // Input hashes with the compression function in wasm (~2× the TypeScript one).
    createHash: engine ? () => wasmSha256(engine) : undefined,
    // The stream pass's gzip on a worker of its own for big files, beside the projection (hosts with an engine extract).
    passInflate: engine ? (bytes) => passInflater(bytes, engine.module) : undefined,
    // Searchlights run in this worker, single-threaded, on the kernel module.
    searchlight: engine ? async () => ({ module: engine.module }) : undefined,
    cache,
  };
}

/**
 * A worker's kernel engine (with the wasm solvers switched on), loaded on first use from the
 * URL the page gives at init; a failed load is retried on the next use.
 */
export function lazyEngine(what: string): { setUrl(url: string): void; url(): string | null; get(): Promise<KernelEngine>; ready(): KernelEngine | null } {
  let url: string | null = null;
  let engine: Promise<KernelEngine> | null = null;
  let ready: KernelEngine | null = null;
  return {
    setUrl: (u) => { url = u; },
    url: () => url,
    get() {
      if (!engine) {
        if (!url) throw new DdError('WORKER_NOT_READY', `The ${what} worker was used before init(); this is a bug in the page.`);
        engine = loadKernelModule(url).then((m) => {
          const e = createKernelEngine(m);
          useWasmSolvers(e);
          ready = e;
          return e;
        });
        engine.catch(() => { engine = null; });
      }
      return engine;
    },
    ready: () => ready,
  };
}
