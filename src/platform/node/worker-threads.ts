/**
 * The one way the Node host starts worker_threads: `size` kernel workers (src/workers/
 * kernel-worker.ts, which serves the kernel, searchlight and permutation APIs) behind the Pool
 * seam, with comlink over the node adapter. A worker that dies fails its pending and future calls
 * instead of leaving them unsettled; idle workers do not keep the process alive (a CLI that forgets
 * close() still exits), a worker with a call in flight does.
 */
import { Worker } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { DdError } from '../../core/errors.ts';
import { checkWorkerId, type Pool } from '../../core/pool.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';

/** Bundled: build/workers/; from the sources: src/workers/ through tsx. */
const BOOT = new URL('../../workers/kernel-worker.node.mjs', import.meta.url);

/**
 * Starts the workers and runs `init(remote, index)` on each (e.g. posting the wasm module and the
 * shared memory); `label` names them in errors ("kernel", "searchlight", …).
 */
export async function startWorkerThreads<Api extends object, Init = void>(
  size: number,
  label: string,
  init?: (remote: Remote<Api>, index: number) => Promise<Init>,
): Promise<Pool<Api> & { readonly inits: Init[] }> {
  installDdErrorTransfer();
  if (!Number.isInteger(size) || size < 1) throw new DdError('POOL_BAD_SIZE', `Pool size must be a positive integer, got ${size}.`);
  const threads: Worker[] = [];
  const remotes: Remote<Api>[] = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const r of remotes) r[releaseProxy]();
    await Promise.all(threads.map((t) => t.terminate()));
  };
  let inits: Init[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const t = new Worker(BOOT);
      threads.push(t);
      remotes.push(wrap<Api>(nodeEndpoint(t)));
    }
    if (init) {
      inits = await Promise.all(remotes.map((r, i) => Promise.race([init(r, i), new Promise<never>((_, reject) => threads[i]!.once('error', reject))])));
    }
  } catch (e) {
    await close();
    throw new DdError('POOL_START_FAILED', `Could not start the ${label} workers (${(e as Error).message}).`, { cause: e });
  }
  const dead = threads.map((t, i) => {
    const p = new Promise<never>((_, reject) => {
      t.once('error', (e) => reject(new DdError('POOL_WORKER_DIED', `${label} worker ${i} failed: ${(e as Error).message}`, { cause: e })));
      t.once('exit', (code) => { if (!closed) reject(new DdError('POOL_WORKER_DIED', `${label} worker ${i} exited (code ${code}).`)); });
    });
    p.catch(() => {});
    return p;
  });
  const pending = threads.map(() => 0);
  for (const t of threads) t.unref();
  const invoke = async (worker: number, method: string, args: unknown[]) => {
    if (closed) throw new DdError('POOL_CLOSED', `Cannot call ${method}: the ${label} workers are closed.`);
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
    inits,
    call: async (worker, method, ...args) => (await invoke(worker, method, args)) as never,
    broadcast: async (method, ...args) => (await Promise.all(remotes.map((_, i) => invoke(i, method, args)))) as never,
    close,
  };
}
