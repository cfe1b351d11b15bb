/**
 * Node host of the kernels: read the wasm from disk, and a worker_threads pool whose workers
 * share one compiled Module and one shared Memory (comlink over the node adapter).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DdError } from '../../core/errors.ts';
import type { Pool } from '../../core/pool.ts';
import { startWorkerThreads } from './worker-threads.ts';
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

/**
 * Starts `size` worker_threads (default: availableParallelism()), posts the module and the
 * shared memory to each and waits until every worker has instantiated the kernels.
 * Node always has shared memory across threads, so isolation is 'shared'.
 */
export async function createNodeKernelPool(opts: { module: WebAssembly.Module; memory: WebAssembly.Memory; size?: number }): Promise<NodeKernelPool> {
  const pool = await startWorkerThreads<KernelWorkerApi, WorkerInfo>(opts.size ?? defaultPoolSize(), 'kernel', (r, i) => r.init(opts.module, opts.memory, i) as Promise<WorkerInfo>);
  return { ...pool, workers: pool.inits };
}
