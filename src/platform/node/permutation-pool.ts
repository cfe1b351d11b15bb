/**
 * worker_threads for the permutation shards of decodeAsync (src/core/mvpa/decode.ts): the kernel
 * worker (which also serves src/workers/permutation-worker.ts), each with the compiled module and
 * its own private wasm memory for the solvers. Idle workers do not keep the process alive.
 */
import type { NullJob, NullShardResult, PermutationWorkers } from '../../core/mvpa/decode.ts';
import type { PermutationWorkerApi } from '../../workers/permutation-worker.ts';
import { startWorkerThreads } from './worker-threads.ts';

export interface NodePermutationWorkers extends PermutationWorkers {
  close(): Promise<void>;
}

/** Starts `size` workers and instantiates the solvers in each (module null: TypeScript solvers). */
export async function startPermutationWorkers(opts: { module: WebAssembly.Module | null; size: number }): Promise<NodePermutationWorkers> {
  const pool = await startWorkerThreads<PermutationWorkerApi>(opts.size, 'permutation', async (r) => { await r.permInit(opts.module); });
  return {
    size: pool.size,
    setup: (w: number, job: NullJob) => pool.call(w, 'permSetup', job) as Promise<unknown> as Promise<void>,
    run: (w: number, labels: Float64Array, count: number) => pool.call(w, 'permRun', labels, count) as Promise<unknown> as Promise<NullShardResult>,
    close: () => pool.close(),
  };
}
