/**
 * The page's handle on the pipeline worker (src/workers/pipeline-worker.ts): one module Web
 * Worker over comlink; a crashed worker rejects with WORKER_DIED and the next call starts anew.
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { DdError } from '../../core/errors.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';
import type { DemoEffects } from '../../core/demo/spec.ts';
import type { BlobEntry } from '../../core/pipeline/blob-host.ts';
import type { ProgressEvent } from '../../core/pipeline/stages.ts';
import type { PipelineRunOptions, PipelineRunResult, PipelineStats, PipelineWorkerApi, TeachingDemo } from '../../workers/pipeline-worker.ts';
import { kernelWasmUrl } from './pool.ts';

export type { PipelineRunResult, PipelineStats, TeachingDemo } from '../../workers/pipeline-worker.ts';

export interface RunningPipeline {
  result: Promise<PipelineRunResult>;
  cancel(): Promise<void>;
}

export interface PipelineClient {
  demo(opts: { subjects: number; seed: number; effects: Partial<DemoEffects> }, onProgress?: (p: { subject: string; done: number; total: number }) => void): Promise<TeachingDemo>;
  run(files: BlobEntry[], config: unknown, opts: PipelineRunOptions, onProgress: (e: ProgressEvent) => void): RunningPipeline;
  /** Live memory and cache facts of the worker (null when it is not running). */
  stats(): Promise<PipelineStats | null>;
  close(): void;
}

let counter = 0;

export function createPipelineClient(): PipelineClient {
  installDdErrorTransfer();
  const wasmUrl = kernelWasmUrl();
  let live: { worker: Worker; remote: Remote<PipelineWorkerApi>; dead: Promise<never> } | null = null;
  const start = () => {
    if (live) return live;
    const worker = new Worker(new URL('../../workers/pipeline-worker.ts', import.meta.url), { type: 'module', name: 'ddmvpa-pipeline' });
    const remote = wrap<PipelineWorkerApi>(worker);
    const dead = new Promise<never>((_, reject) => {
      const fail = (why: string) => {
        if (live?.worker === worker) {
          live = null;
          remote[releaseProxy]();
          worker.terminate();
        }
        reject(new DdError('WORKER_DIED', `The analysis worker stopped (${why}). Close other tabs to free memory and try again.`));
      };
      worker.addEventListener('error', (ev) => fail(ev.message || 'it could not load or threw an uncaught error'));
      worker.addEventListener('messageerror', () => fail('a message could not be read'));
    });
    dead.catch(() => {});
    live = { worker, remote, dead };
    void remote.init({ wasmUrl }).catch(() => {});
    return live;
  };
  const call = async <T>(f: (r: Remote<PipelineWorkerApi>) => Promise<T>): Promise<T> => {
    const l = start();
    return Promise.race([f(l.remote), l.dead]);
  };
  return {
    demo: (o, onProgress) => call((r) => r.demo(o, onProgress ? proxy(onProgress) : undefined)),
    run(files, config, opts, onProgress) {
      const runId = `pipeline-${Date.now().toString(36)}-${++counter}`;
      const result = call((r) => r.run(runId, files, config, opts, proxy(onProgress))) as Promise<PipelineRunResult>;
      return {
        result,
        async cancel() {
          if (live) await live.remote.cancel(runId);
        },
      };
    },
    async stats() {
      if (!live) return null;
      return Promise.race([live.remote.stats(), live.dead]).catch(() => null);
    },
    close() {
      if (!live) return;
      live.remote[releaseProxy]();
      live.worker.terminate();
      live = null;
    },
  };
}
