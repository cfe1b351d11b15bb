/**
 * worker_threads for the searchlight (src/core/searchlight): the kernel worker (which also serves
 * src/core/searchlight/worker-api.ts), posted the compiled module and the shared memory holding
 * the patterns. Implements the Pool seam; idle workers do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { DdError } from '../../core/errors.ts';
import { checkWorkerId, type Pool } from '../../core/pool.ts';
import type { SearchlightWorkerApi } from '../../core/searchlight/worker-api.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';

/** The same boot file as the kernel pool (bundled: build/workers/, sources: src/workers/ via tsx). */
const BOOT = new URL('../../workers/kernel-worker.node.mjs', import.meta.url);

export async function startSearchlightWorkers(size: number): Promise<Pool<SearchlightWorkerApi>> {
  installDdErrorTransfer();
  if (!Number.isInteger(size) || size < 1) throw new DdError('POOL_BAD_SIZE', `Pool size must be a positive integer, got ${size}.`);
  const threads: Worker[] = [];
  const remotes: Remote<SearchlightWorkerApi>[] = [];
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
      remotes.push(wrap<SearchlightWorkerApi>(nodeEndpoint(t)));
    }
  } catch (e) {
    await close();
    throw new DdError('POOL_START_FAILED', `Could not start the searchlight workers (${(e as Error).message}).`, { cause: e });
  }
  const dead = threads.map((t, i) => {
    const p = new Promise<never>((_, reject) => {
      t.once('error', (e) => reject(new DdError('POOL_WORKER_DIED', `Searchlight worker ${i} failed: ${(e as Error).message}`, { cause: e })));
      t.once('exit', (code) => { if (!closed) reject(new DdError('POOL_WORKER_DIED', `Searchlight worker ${i} exited (code ${code}).`)); });
    });
    p.catch(() => {});
    return p;
  });
  const pending = threads.map(() => 0);
  for (const t of threads) t.unref();
  const invoke = async (worker: number, method: string, args: unknown[]) => {
    if (closed) throw new DdError('POOL_CLOSED', `Cannot call ${method}: the searchlight workers are closed.`);
    checkWorkerId(worker, size);
    if (pending[worker]!++ === 0) threads[worker]!.ref();
    try {
      const f = (remotes[worker] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
      return await Promise.race([f(...args), dead[worker]!]);
    } finally {
      if (--pending[worker]! === 0 && !closed) threads[worker]!.unref();
    }
  };
  return {
    size,
    isolation: 'shared',
    call: async (worker, method, ...args) => (await invoke(worker, method, args)) as never,
    broadcast: async (method, ...args) => (await Promise.all(remotes.map((_, i) => invoke(i, method, args)))) as never,
    close,
  };
}
