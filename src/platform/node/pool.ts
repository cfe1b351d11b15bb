/**
 * Node host of the kernels: read the wasm from disk, and a worker_threads pool whose workers
 * share one compiled Module and one shared Memory (comlink over the node adapter).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { DdError } from '../../core/errors.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';
import { checkWorkerId, type Pool } from '../../core/pool.ts';
import { compileKernelModule, createKernelEngine, type KernelEngine, type KernelWorkerApi, type WorkerInfo } from '../../core/kernels/index.ts';

/** Where `npm run build:wasm` writes the module. */
export const KERNEL_WASM_PATH = fileURLToPath(new URL('../../../public/wasm/ddmvpa.wasm', import.meta.url));

/** Reads and compiles public/wasm/ddmvpa.wasm (or `path`). */
export async function loadKernelModule(path = KERNEL_WASM_PATH): Promise<WebAssembly.Module> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DdError('WASM_MISSING', `${path}: the kernel module is missing. Build it with \`npm run build:wasm\`.`, { file: path, cause: e });
  }
  return compileKernelModule(bytes, path);
}

/** Compiled module + shared memory + kernels + arena on this thread. */
export async function createNodeEngine(opts: { path?: string; initialPages?: number } = {}): Promise<KernelEngine> {
  return createKernelEngine(await loadKernelModule(opts.path), { initialPages: opts.initialPages });
}

/** Default pool size: the cores Node may use. */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

export interface NodeKernelPool extends Pool<KernelWorkerApi> {
  /** init() answers of the workers (index, realm id). */
  readonly workers: readonly WorkerInfo[];
}

const BOOT = new URL('../../workers/kernel-worker.node.mjs', import.meta.url);

/**
 * Starts `size` worker_threads (default: availableParallelism()), posts the module and the
 * shared memory to each and waits until every worker has instantiated the kernels.
 * Node always has shared memory across threads, so isolation is 'shared'.
 */
export async function createNodeKernelPool(opts: { module: WebAssembly.Module; memory: WebAssembly.Memory; size?: number }): Promise<NodeKernelPool> {
  installDdErrorTransfer();
  const size = opts.size ?? defaultPoolSize();
  if (!Number.isInteger(size) || size < 1) throw new DdError('POOL_BAD_SIZE', `Pool size must be a positive integer, got ${size}.`);
  const threads: Worker[] = [];
  const remotes: Remote<KernelWorkerApi>[] = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const r of remotes) r[releaseProxy]();
    await Promise.all(threads.map((t) => t.terminate()));
  };
  let workers: WorkerInfo[];
  try {
    for (let i = 0; i < size; i++) {
      const t = new Worker(BOOT);
      threads.push(t);
      remotes.push(wrap<KernelWorkerApi>(nodeEndpoint(t)));
    }
    workers = await Promise.all(
      remotes.map((r, i) =>
        Promise.race([
          r.init(opts.module, opts.memory, i),
          new Promise<never>((_, reject) => threads[i]!.once('error', reject)),
        ]),
      ),
    );
  } catch (e) {
    await close();
    throw new DdError('POOL_START_FAILED', `Could not start the kernel workers (${(e as Error).message}).`, { cause: e });
  }
  // A worker that dies (uncaught error, exit) fails its pending and future calls instead of
  // leaving them unsettled.
  const dead = threads.map((t, i) => {
    const p = new Promise<never>((_, reject) => {
      t.once('error', (e) => reject(new DdError('POOL_WORKER_DIED', `Kernel worker ${i} failed: ${(e as Error).message}`, { cause: e })));
      t.once('exit', (code) => reject(new DdError('POOL_WORKER_DIED', `Kernel worker ${i} exited (code ${code}).`)));
    });
    p.catch(() => {});
    return p;
  });
  // Idle workers do not keep the process alive (a CLI that forgets close() still exits); a worker
  // with a call in flight does.
  const pending = threads.map(() => 0);
  for (const t of threads) t.unref();
  const invoke = async (worker: number, method: string, args: unknown[]) => {
    if (closed) throw new DdError('POOL_CLOSED', `Cannot call ${method}: the worker pool is closed.`);
    checkWorkerId(worker, size);
    if (pending[worker]!++ === 0) threads[worker]!.ref();
    try {
      const call = (remotes[worker] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
      return await Promise.race([call, dead[worker]!]);
    } finally {
      if (--pending[worker]! === 0 && !closed) threads[worker]!.unref();
    }
  };
  return {
    size,
    isolation: 'shared',
    workers,
    call: async (worker, method, ...args) => (await invoke(worker, method, args)) as never,
    broadcast: async (method, ...args) => (await Promise.all(remotes.map((_, i) => invoke(i, method, args)))) as never,
    close,
  };
}
