/**
 * The page's handle on the extract worker (src/workers/extract-worker.ts): one module Web Worker,
 * wrapped with comlink. Every call is raced against the worker's death, so a crashed worker (e.g.
 * out of memory) rejects with WORKER_DIED instead of leaving the page waiting; the next call
 * starts a fresh worker.
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { DdError } from '../../core/errors.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';
import type {
  DemoFiles, ExtractOptions, ExtractResult, ExtractWorkerApi, Progress, RunFacts, RunFiles,
} from '../../workers/extract-worker.ts';
import type { DemoSize } from '../../core/demo/spec.ts';
import { kernelWasmUrl } from './pool.ts';

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

interface Live {
  worker: Worker;
  remote: Remote<ExtractWorkerApi>;
  dead: Promise<never>;
}

let counter = 0;

export function createExtractClient(opts: { wasmUrl?: string } = {}): ExtractClient {
  installDdErrorTransfer();
  const wasmUrl = opts.wasmUrl ?? kernelWasmUrl();
  let live: Live | null = null;

  const start = (): Live => {
    if (live) return live;
    const worker = new Worker(new URL('../../workers/extract-worker.ts', import.meta.url), { type: 'module', name: 'ddmvpa-extract' });
    const remote = wrap<ExtractWorkerApi>(worker);
    const dead = new Promise<never>((_, reject) => {
      const fail = (why: string) => {
        if (live?.worker === worker) {
          live = null;
          remote[releaseProxy]();
          worker.terminate();
        }
        reject(new DdError('WORKER_DIED', `The extract worker stopped (${why}). If the run was large, close other tabs to free memory and try again.`));
      };
      worker.addEventListener('error', (ev) => fail(ev.message || 'it could not load or threw an uncaught error'));
      worker.addEventListener('messageerror', () => fail('a message could not be read'));
    });
    dead.catch(() => {});
    live = { worker, remote, dead };
    void remote.init({ wasmUrl }).catch(() => {});
    return live;
  };
  const call = async <T>(f: (r: Remote<ExtractWorkerApi>) => Promise<T>): Promise<T> => {
    const l = start();
    return Promise.race([f(l.remote), l.dead]);
  };

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
          if (live) await live.remote.cancel(runId);
        },
      };
    },
    close() {
      if (!live) return;
      live.remote[releaseProxy]();
      live.worker.terminate();
      live = null;
    },
  };
}
