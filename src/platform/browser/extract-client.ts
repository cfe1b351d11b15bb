/**
 * The page's handle on the extract worker (src/workers/extract-worker.ts): one module Web Worker,
 * wrapped with comlink. Every call is raced against the worker's death, so a crashed worker (e.g.
 * out of memory) rejects with WORKER_DIED instead of leaving the page waiting; the next call
 * starts a fresh worker.
 */
import { proxy } from 'comlink';
import type {
  DemoFiles, ExtractOptions, ExtractResult, ExtractWorkerApi, Progress, RunFacts, RunFiles,
} from '../../workers/extract-worker.ts';
import type { DemoSize } from '../../core/demo/spec.ts';
import { lazyWorker } from './lazy-worker.ts';

export type { DemoFiles, ExtractOptions, ExtractResult, Progress, RunFacts, RunFiles } from '../../workers/extract-worker.ts';
export type { NamedBlob, Problem, NiftiFacts, RoiSummary, Cell } from '../../workers/extract-worker.ts';

export interface RunningExtract {
  runId: string;
  result: Promise<ExtractResult>;
  cancel(): Promise<void>;
}

export interface ExtractClient {
  inspect(files: Partial<RunFiles>): Promise<RunFacts>;
  demo(opts: { size: DemoSize; seed: number; subjects: number }): Promise<DemoFiles>;
  extract(files: RunFiles, options: ExtractOptions, onProgress: (p: Progress) => void): RunningExtract;
  memory(): Promise<{ wasmBytes: number; peakWasmBytes: number }>;
  close(): void;
}

let counter = 0;

export function createExtractClient(opts: { wasmUrl?: string } = {}): ExtractClient {
  const w = lazyWorker<ExtractWorkerApi>(
    () => new Worker(new URL('../../workers/extract-worker.ts', import.meta.url), { type: 'module', name: 'ddmvpa-extract' }),
    'extract', opts,
  );
  const call = w.call;

  return {
    inspect: (files) => call((r) => r.inspect(files)),
    demo: (o) => call((r) => r.demo(o)),
    memory: () => call((r) => r.memory()),
    extract(files, options, onProgress) {
      const runId = `run-${Date.now().toString(36)}-${++counter}`;
      const result = call((r) => r.extract(runId, files, options, proxy(onProgress))) as Promise<ExtractResult>;
      return {
        runId,
        result,
        async cancel() {
          await w.current()?.cancel(runId);
        },
      };
    },
    close: () => w.close(),
  };
}
