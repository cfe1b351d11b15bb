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
 *   paths results.json names; their buffers transferred). Subjects run on subject workers (one per
 *   core, src/platform/browser/subject-executor.ts) or here; a searchlight runs single-threaded
 *   in the worker that prepares its subject.
 * - `cancel(runId)`.
 */
import { expose, transfer } from 'comlink';
import { installDdErrorTransfer } from './comlink-errors.ts';
import { DdError } from '../core/errors.ts';
import type { Cache } from '../core/cache/cache.ts';
import { writeDemoDataset, type DemoTruth } from '../core/demo/dataset.ts';
import type { DemoEffects } from '../core/demo/spec.ts';
import type { BlobEntry } from '../core/pipeline/blob-host.ts';
import { parseConfig, type Config } from '../core/pipeline/config.ts';
import { resultTables, type Results } from '../core/pipeline/results.ts';
import { resultsJsonText } from '../ui/results/load.ts';
import { runPipeline } from '../core/pipeline/runner.ts';
import type { ProgressEvent } from '../core/pipeline/stages.ts';
import { blobSink } from '../platform/browser/blob-sink.ts';
import { planWorkers, readCapacity, type WorkerPlan } from '../platform/browser/memory.ts';
import { browserDecodeStage, browserPipelineHost, lazyEngine, openBrowserCache } from '../platform/browser/pipeline-host.ts';
import { subjectWorkerExecutor, type WorkerExecutor } from '../platform/browser/subject-executor.ts';

installDdErrorTransfer();

/** What the page hears during a run: stage progress, and each subject as it finishes. */
export type RunEvent = ProgressEvent | { stage: 'subject-done'; subject: string; failed: boolean };

export interface PipelineRunOptions {
  /** Use the IndexedDB cache (default true). */
  cache?: boolean;
  /** Subject workers (default: planWorkers from the device; 1 = everything in this worker). */
  workers?: number;
  /** Memory budget of the run in MB (default: half of the device memory). */
  budgetMb?: number;
  /** ROI mask / atlas files named by the config's ROI specs, by the path the spec gives. */
  roiFiles?: BlobEntry[];
}

export interface PipelineRunResult {
  results: Results;
  tables: Record<string, string>;
  /** results.json as a file (made here: stringifying and encoding a full run's results took ~60 ms of the page's main thread). */
  json: Blob;
  /** The run's other files by path relative to results.json (runPipeline onFile: 'searchlight/…nii.gz'). */
  files: Record<string, Uint8Array>;
  /** Why the cache was not used, when it was not. */
  cacheNote: string | null;
  seconds: number;
  /** Workers and memory budget the run used, and why. */
  workers: WorkerPlan;
}

export interface TeachingDemo {
  files: BlobEntry[];
  truth: DemoTruth;
  seconds: number;
}

const engine = lazyEngine('pipeline');
const runs = new Map<string, AbortController>();
let currentCache: Cache | null = null;

/** Live facts of a run for the page: memory of the kernels and JS heaps of the workers, cache use. */
export interface PipelineStats {
  wasmBytes: number;
  heapBytes: number | null;
  cacheFound: number;
  cacheReads: number;
  cacheWrites: number;
  /** Workers analysing (this one, or the subject workers of the run). */
  workers: number;
}

let currentExecutor: WorkerExecutor | null = null;
/** The subject workers' last facts, kept for the page after they are closed. */
let lastExecutorStats: Awaited<ReturnType<WorkerExecutor['stats']>> = [];


const api = {
  init(opts: { wasmUrl: string }) {
    engine.setUrl(opts.wasmUrl);
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

  async stats(): Promise<PipelineStats> {
    const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null;
    const c = currentCache?.counters;
    const own: PipelineStats = { wasmBytes: engine.ready()?.memory.buffer.byteLength ?? 0, heapBytes: heap, cacheFound: c?.found ?? 0, cacheReads: c?.reads ?? 0, cacheWrites: c?.writes ?? 0, workers: 1 };
    const subs = currentExecutor ? await currentExecutor.stats() : lastExecutorStats;
    if (subs.length === 0) return own;
    const sum = (f: (s: PipelineStats | (typeof subs)[number]) => number) => f(own) + subs.reduce((a, x) => a + f(x), 0);
    return {
      wasmBytes: sum((x) => x.wasmBytes), heapBytes: heap === null ? null : sum((x) => x.heapBytes ?? 0),
      cacheFound: sum((x) => x.cacheFound), cacheReads: sum((x) => x.cacheReads), cacheWrites: sum((x) => x.cacheWrites),
      workers: subs.length,
    };
  },

  cancel(runId: string): boolean {
    const c = runs.get(runId);
    if (!c) return false;
    c.abort(new DdError('RUN_CANCELLED', 'Cancelled by the user.'));
    return true;
  },

  async run(runId: string, files: BlobEntry[], rawConfig: unknown, opts: PipelineRunOptions, onProgress?: (e: RunEvent) => void): Promise<PipelineRunResult> {
    if (runs.size > 0) throw new DdError('RUN_BUSY', 'Another analysis is still running in this tab. Wait for it or cancel it first.');
    const controller = new AbortController();
    runs.set(runId, controller);
    const t0 = performance.now();
    currentCache = null;
    lastExecutorStats = [];
    try {
      const config: Config = parseConfig(rawConfig);
      const { cache, note: cacheNote } = await openBrowserCache(opts.cache !== false);
      currentCache = cache;
      const plan = planWorkers(readCapacity(), { workers: opts.workers, budgetMb: opts.budgetMb });
      // Several subject workers when the device has the cores; the engine here only for one.
      const executor = plan.slots > 1
        ? subjectWorkerExecutor({ slots: plan.slots, budgetBytes: plan.budgetBytes, files, roiFiles: opts.roiFiles ?? [], cache: cache !== null, wasmUrl: engine.url()! })
        : null;
      currentExecutor = executor;
      const eng = executor ? null : await engine.get();
      const host = browserPipelineHost(files, eng, cache, opts.roiFiles);
      const report = (e: RunEvent) => {
        try {
          const r = onProgress?.(e) as unknown;
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => {});
        } catch { /* the page went away */ }
      };
      const out: Record<string, Uint8Array> = {};
      let results: Results;
      try {
        results = await runPipeline({
          config, host, decodeStage: browserDecodeStage, executor: executor ?? undefined, version: `${import.meta.env.VITE_APP_VERSION ?? '0.1.0'} (browser)`,
          signal: controller.signal, onProgress: report, provenance: { host: 'browser' },
          onSubjectDone: (o) => report({ stage: 'subject-done', subject: o.id, failed: o.failed }),
          onFile: (path, bytes) => { out[path] = bytes; },
        });
      } finally {
        if (executor) lastExecutorStats = await executor.stats();
        currentExecutor = null;
        await executor?.close();
      }
      const json = new Blob([resultsJsonText(results)], { type: 'application/json' });
      const result: PipelineRunResult = { results, tables: resultTables(results), json, files: out, cacheNote, seconds: (performance.now() - t0) / 1000, workers: plan };
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
