/**
 * The page's handle on the pipeline worker (src/workers/pipeline-worker.ts): one module Web
 * Worker over comlink; a crashed worker rejects with WORKER_DIED and the next call starts anew.
 */
import { proxy } from 'comlink';
import type { DemoEffects } from '../../core/demo/spec.ts';
import type { BlobEntry } from '../../core/pipeline/blob-host.ts';
import type { PipelineRunOptions, PipelineRunResult, PipelineStats, PipelineWorkerApi, RunEvent, TeachingDemo } from '../../workers/pipeline-worker.ts';
import { lazyWorker } from './lazy-worker.ts';

export type { PipelineRunOptions, PipelineRunResult, PipelineStats, RunEvent, TeachingDemo } from '../../workers/pipeline-worker.ts';

export interface RunningPipeline {
  result: Promise<PipelineRunResult>;
  cancel(): Promise<void>;
}

export interface PipelineClient {
  demo(opts: { subjects: number; seed: number; effects: Partial<DemoEffects> }, onProgress?: (p: { subject: string; done: number; total: number }) => void): Promise<TeachingDemo>;
  run(files: BlobEntry[], config: unknown, opts: PipelineRunOptions, onProgress: (e: RunEvent) => void): RunningPipeline;
  /** Live memory and cache facts of the worker (null when it is not running). */
  stats(): Promise<PipelineStats | null>;
  close(): void;
}

let counter = 0;

export function createPipelineClient(): PipelineClient {
  const w = lazyWorker<PipelineWorkerApi>(
    () => new Worker(new URL('../../workers/pipeline-worker.ts', import.meta.url), { type: 'module', name: 'ddmvpa-pipeline' }),
    'analysis',
  );
  const call = w.call;
  return {
    demo: (o, onProgress) => call((r) => r.demo(o, onProgress ? proxy(onProgress) : undefined)),
    run(files, config, opts, onProgress) {
      const runId = `pipeline-${Date.now().toString(36)}-${++counter}`;
      const result = call((r) => r.run(runId, files, config, opts, proxy(onProgress))) as Promise<PipelineRunResult>;
      return {
        result,
        async cancel() {
          await w.current()?.cancel(runId);
        },
      };
    },
    async stats() {
      if (!w.current()) return null;
      return w.call((r) => r.stats()).catch(() => null);
    },
    close: () => w.close(),
  };
}
