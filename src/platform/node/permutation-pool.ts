/**
 * worker_threads for the permutation shards of decodeAsync (src/core/mvpa/decode.ts): the kernel
 * worker (which also serves src/workers/permutation-worker.ts), each with the compiled module and
 * its own private wasm memory for the solvers. Idle workers do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { DdError } from '../../core/errors.ts';
import type { NullJob, NullShardResult, PermutationWorkers } from '../../core/mvpa/decode.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';
import type { PermutationWorkerApi } from '../../workers/permutation-worker.ts';

/** The same boot file as the kernel pool (bundled: build/workers/, sources: src/workers/ via tsx). */
const BOOT = new URL('../../workers/kernel-worker.node.mjs', import.meta.url);

export interface NodePermutationWorkers extends PermutationWorkers {
  close(): Promise<void>;
}

/** Starts `size` workers and instantiates the solvers in each (module null: TypeScript solvers). */
export async function startPermutationWorkers(opts: { module: WebAssembly.Module | null; size: number }): Promise<NodePermutationWorkers> {
  installDdErrorTransfer();
  const { size } = opts;
  if (!Number.isInteger(size) || size < 1) throw new DdError('POOL_BAD_SIZE', `Pool size must be a positive integer, got ${size}.`);
  const threads: Worker[] = [];
  const remotes: Remote<PermutationWorkerApi>[] = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const r of remotes) r[releaseProxy]();
    await Promise.all(threads.map((t) => t.terminate()));
  };
  try {
    for (let i = 0; i < size; i++) {
      const t = new Worker(BOOT);
      threads.push(t);
      remotes.push(wrap<PermutationWorkerApi>(nodeEndpoint(t)));
    }
    await Promise.all(remotes.map((r, i) => Promise.race([r.permInit(opts.module), new Promise<never>((_, reject) => threads[i]!.once('error', reject))])));
  } catch (e) {
    await close();
    throw new DdError('POOL_START_FAILED', `Could not start the permutation workers (${(e as Error).message}).`, { cause: e });
  }
  const dead = threads.map((t, i) => {
    const p = new Promise<never>((_, reject) => {
      t.once('error', (e) => reject(new DdError('POOL_WORKER_DIED', `Permutation worker ${i} failed: ${(e as Error).message}`, { cause: e })));
      t.once('exit', (code) => { if (!closed) reject(new DdError('POOL_WORKER_DIED', `Permutation worker ${i} exited (code ${code}).`)); });
    });
    p.catch(() => {});
    return p;
  });
  const pending = threads.map(() => 0);
  for (const t of threads) t.unref();
  const call = async <T>(worker: number, f: (r: Remote<PermutationWorkerApi>) => Promise<T>): Promise<T> => {
    if (closed) throw new DdError('POOL_CLOSED', 'The permutation workers are closed.');
    if (pending[worker]!++ === 0) threads[worker]!.ref();
    try {
      return await Promise.race([f(remotes[worker]!), dead[worker]!]);
    } finally {
      if (--pending[worker]! === 0 && !closed) threads[worker]!.unref();
    }
  };
  return {
    size,
    setup: (w: number, job: NullJob) => call(w, (r) => r.permSetup(job)),
    run: (w: number, labels: Float64Array, count: number) => call(w, (r) => r.permRun(labels, count) as Promise<NullShardResult>),
    close,
  };
}
