/**
 * The pipeline worker (browser): the whole analysis of src/core/pipeline (discovery, hashing,
 * behaviour, extraction, decoding, group) on Blob files, off the page's main thread, with the
 * IndexedDB cache (src/platform/browser/idb-store.ts): a cancelled run resumes from the stages
 * already stored, and a run with the same inputs and settings is served from the cache.
 *
 * - `demo(opts)`: the teaching demo dataset (writeDemoDataset with effect sizes and noise, the
 *   same generator as `ddmvpa demo`) as Blobs.
 * - `run(runId, files, config, opts, onProgress)`: runPipeline → results.json (schema of
 *   src/core/pipeline/results.ts), its TSV tables and its files (searchlight NIfTI maps, by the
 *   paths results.json names; their buffers transferred). Searchlights run here, single-threaded.
 * - `cancel(runId)`.
 */
import { expose, transfer } from 'comlink';
import { installDdErrorTransfer } from './comlink-errors.ts';
import { DdError } from '../core/errors.ts';
import { Cache } from '../core/cache/cache.ts';
import { writeDemoDataset, type DemoTruth } from '../core/demo/dataset.ts';
import type { DemoEffects } from '../core/demo/spec.ts';
import { wasmProjector } from '../core/extract/wasm-projector.ts';
import type { Projector } from '../core/extract/projector.ts';
import { createKernelEngine, type KernelEngine } from '../core/kernels/index.ts';
import { useWasmSolvers } from '../core/mvpa/models/index.ts';
import { filesFromBlobs, type BlobEntry } from '../core/pipeline/blob-host.ts';
import { parseConfig, type Config } from '../core/pipeline/config.ts';
import type { DecodeStageFn } from '../core/pipeline/decode-stage.ts';
import type { PipelineHost } from '../core/pipeline/host.ts';
import { mvpaDecodeStage } from '../core/pipeline/mvpa-decode.ts';
import { resultTables, type Results } from '../core/pipeline/results.ts';
import { runPipeline } from '../core/pipeline/runner.ts';
import type { ProgressEvent } from '../core/pipeline/stages.ts';
import { blobSink } from '../platform/browser/blob-sink.ts';
import { idbStore } from '../platform/browser/idb-store.ts';
import { loadKernelModule } from '../platform/browser/pool.ts';

installDdErrorTransfer();

export interface PipelineRunOptions {
  /** Use the IndexedDB cache (default true). */
  cache?: boolean;
}

export interface PipelineRunResult {
  results: Results;
  tables: Record<string, string>;
  /** The run's other files by path relative to results.json (runPipeline onFile: 'searchlight/…nii.gz'). */
  files: Record<string, Uint8Array>;
  /** Why the cache was not used, when it was not. */
  cacheNote: string | null;
  seconds: number;
}

export interface TeachingDemo {
  files: BlobEntry[];
  truth: DemoTruth;
  seconds: number;
}

let wasmUrl: string | null = null;
let engine: Promise<KernelEngine> | null = null;
const runs = new Map<string, AbortController>();
let engineReady: KernelEngine | null = null;
let currentCache: Cache | null = null;

/** Live facts of a run for the page: memory of the kernels and of this worker's JS heap, cache use. */
export interface PipelineStats {
  wasmBytes: number;
  heapBytes: number | null;
  cacheFound: number;
  cacheReads: number;
  cacheWrites: number;
}

function getEngine(): Promise<KernelEngine> {
  if (!engine) {
    if (!wasmUrl) throw new DdError('WORKER_NOT_READY', 'The pipeline worker was used before init(); this is a bug in the page.');
    engine = loadKernelModule(wasmUrl).then((m) => {
      const e = createKernelEngine(m);
      useWasmSolvers(e);
      engineReady = e;
      return e;
    });
    engine.catch(() => { engine = null; });
  }
  return engine;
}

const yieldChannel = new MessageChannel();
function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    yieldChannel.port1.onmessage = () => resolve();
    yieldChannel.port2.postMessage(0);
  });
}

/** Lets cancel messages in during the stream pass (one macrotask at most every 50 ms). */
function yielding(p: Projector): Projector {
  let last = performance.now();
  return {
    gather: (raw, slot) => p.gather(raw, slot),
    async project(w, b) {
      await p.project(w, b);
      if (performance.now() - last >= 50) {
        await macrotask();
        last = performance.now();
      }
    },
    result: () => p.result(),
    dispose: () => p.dispose(),
  };
}

/** Decodings run synchronously: a macrotask before each lets a cancel in. */
const decodeStage: DecodeStageFn = async (task, ctx) => {
  await macrotask();
  if (ctx.signal?.aborted) throw new DdError('RUN_CANCELLED', 'The run was cancelled.');
  return mvpaDecodeStage(task, ctx);
};

const api = {
  init(opts: { wasmUrl: string }) {
    wasmUrl = opts.wasmUrl;
    return { isolated: globalThis.crossOriginIsolated === true };
  },

  async demo(
    opts: { subjects: number; seed: number; effects: Partial<DemoEffects> },
    onProgress?: (p: { subject: string; done: number; total: number }) => void,
  ): Promise<TeachingDemo> {
    const t0 = performance.now();
    const sink = blobSink();
    let last = -Infinity;
    const truth = await writeDemoDataset(sink, {
      subjects: opts.subjects, size: 'small', seed: opts.seed, effects: opts.effects,
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < 150 && p.done < p.total) return;
        last = now;
        try {
          const r = onProgress?.({ subject: p.subject, done: p.done, total: p.total }) as unknown;
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => {});
        } catch { /* the page went away */ }
      },
    });
    return { files: [...sink.files].map(([path, blob]) => ({ path, blob, lastModified: 0 })), truth, seconds: (performance.now() - t0) / 1000 };
  },

  stats(): PipelineStats {
    const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null;
    const c = currentCache?.counters;
    return { wasmBytes: engineReady ? engineReady.memory.buffer.byteLength : 0, heapBytes: heap, cacheFound: c?.found ?? 0, cacheReads: c?.reads ?? 0, cacheWrites: c?.writes ?? 0 };
  },

  cancel(runId: string): boolean {
    const c = runs.get(runId);
    if (!c) return false;
    c.abort(new DdError('RUN_CANCELLED', 'Cancelled by the user.'));
    return true;
  },

  async run(runId: string, files: BlobEntry[], rawConfig: unknown, opts: PipelineRunOptions, onProgress?: (e: ProgressEvent) => void): Promise<PipelineRunResult> {
    if (runs.size > 0) throw new DdError('RUN_BUSY', 'Another analysis is still running in this tab. Wait for it or cancel it first.');
    const controller = new AbortController();
    runs.set(runId, controller);
    const t0 = performance.now();
    currentCache = null;
    try {
      const config: Config = parseConfig(rawConfig);
      const eng = await getEngine();
      let cache: Cache | null = null;
      let cacheNote: string | null = null;
      if (opts.cache !== false) {
        try {
          cache = new Cache(await idbStore());
          currentCache = cache;
        } catch (e) {
          cacheNote = (e as Error).message;
        }
      } else cacheNote = 'the cache was switched off for this run';
      const host: PipelineHost = {
        files: filesFromBlobs(files),
        resolveFile: async (path) => {
          throw new DdError('ROI_FILE_UNSUPPORTED', `${path}: ROI image files are not supported in the browser yet; use the built-in ROIs or ddmvpa run --roi NAME=${path}.`, { file: path });
        },
        loadImage: async (path) => {
          throw new DdError('ROI_FILE_UNSUPPORTED', `${path}: ROI image files are not supported in the browser yet.`, { file: path });
        },
        makeProjector: (spec) => yielding(wasmProjector(eng, null, spec)),
        searchlight: async () => ({ module: eng.module }),
        cache,
      };
      const report = (e: ProgressEvent) => {
        try {
          const r = onProgress?.(e) as unknown;
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => {});
        } catch { /* the page went away */ }
      };
      const out: Record<string, Uint8Array> = {};
      const results = await runPipeline({
        config, host, decodeStage, version: `${import.meta.env.VITE_APP_VERSION ?? '0.1.0'} (browser)`,
        signal: controller.signal, onProgress: report, provenance: { host: 'browser' }, onFile: (path, bytes) => { out[path] = bytes; },
      });
      const result: PipelineRunResult = { results, tables: resultTables(results), files: out, cacheNote, seconds: (performance.now() - t0) / 1000 };
      return transfer(result, [...new Set(Object.values(out).map((b) => b.buffer as ArrayBuffer))]);
    } catch (err) {
      if (controller.signal.aborted) throw new DdError('RUN_CANCELLED', 'Cancelled. Stages already finished are kept in this browser\'s cache: run again to resume.');
      if (err instanceof DdError) throw err;
      throw new DdError('UNEXPECTED', `The analysis stopped: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      runs.delete(runId);
    }
  },
};

export type PipelineWorkerApi = typeof api;

expose(api);
