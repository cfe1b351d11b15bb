/**
 * Subjects on several Web Workers (src/workers/subject-worker.ts), started by the pipeline
 * worker for one run: the browser's counterpart of `ddmvpa run --jobs N`. Each worker has its
 * own kernel instance; all of them share the IndexedDB cache, so with the cache on a subject's
 * decodings spread over every worker. A worker that dies (e.g. out of memory) fails its task
 * and is restarted for the next one (pooledExecutor, lazyWorker).
 */
import { proxy } from 'comlink';
import type { BlobEntry } from '../../core/pipeline/blob-host.ts';
import { pooledExecutor, type TaskResult, type TaskRunner } from '../../core/pipeline/executor.ts';
import type { SubjectExecutor } from '../../core/pipeline/runner.ts';
import type { SubjectWorkerApi, SubjectWorkerStats } from '../../workers/subject-worker.ts';
import { lazyWorker } from './lazy-worker.ts';

export interface WorkerExecutor extends SubjectExecutor {
  close(): Promise<void>;
  /** Live facts of every started worker. */
  stats(): Promise<SubjectWorkerStats[]>;
}

export function subjectWorkerExecutor(opts: {
  slots: number; budgetBytes: number | null; files: BlobEntry[]; roiFiles: BlobEntry[]; cache: boolean; wasmUrl: string;
}): WorkerExecutor {
  let nextId = 0;
  const workers = Array.from({ length: opts.slots }, (_, i) => lazyWorker<SubjectWorkerApi>(
    () => new Worker(new URL('../../workers/subject-worker.ts', import.meta.url), { type: 'module', name: `ddmvpa-subject-${i + 1}` }),
    'subject',
    { wasmUrl: opts.wasmUrl },
  ));
  const runners: TaskRunner[] = workers.map((w) => ({
    async run(task, onProgress, signal) {
      const id = nextId++;
      const onAbort = () => void w.current()?.cancel(id).catch(() => {});
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await w.call((r) => r.run(id, task, opts.files, opts.roiFiles, opts.cache, proxy(onProgress)) as Promise<TaskResult>);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  }));
  const executor = pooledExecutor({
    runners,
    budgetBytes: opts.budgetBytes,
    sharedCache: opts.cache,
    diedHint: 'The browser may have run out of memory: close other tabs, or analyse fewer subjects at once.',
    close: async () => { for (const w of workers) w.close(); },
  });
  return {
    ...executor,
    async stats() {
      const live = workers.map((w) => w.current()).filter((r) => r !== null);
      return (await Promise.all(live.map((r) => r.stats().catch(() => null)))).filter((s) => s !== null);
    },
  };
}
