/**
 * Browser host of the kernels: fetch + compile the wasm, and a Web Worker pool whose workers
 * share one compiled Module and one shared Memory (comlink).
 *
 * Isolation: posting a shared Memory to a worker needs a cross-origin isolated page (COOP
 * same-origin + COEP require-corp; vite.config.ts sets both). Without it Chromium still creates
 * shared memories but cannot post them, so the pool falls back to isolation 'single': one
 * "worker" that is the page itself, running the same kernels on the same memory.
 */
import { wrap, releaseProxy, type Remote } from 'comlink';
import { DdError } from '../../core/errors.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';
import { checkWorkerId, localPool, type Isolation, type Pool } from '../../core/pool.ts';
import {
  compileKernelModule, createKernelEngine, createKernelWorkerApi,
  type KernelEngine, type KernelWorkerApi, type WorkerInfo,
} from '../../core/kernels/index.ts';

/** URL of the kernel module (public/wasm/ddmvpa.wasm, copied as is into the build). */
export function kernelWasmUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}wasm/ddmvpa.wasm`, globalThis.location.href).href;
}

/** Fetches and compiles the kernel module. */
export async function loadKernelModule(url = kernelWasmUrl()): Promise<WebAssembly.Module> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new DdError('WASM_MISSING', `${url}: cannot fetch the kernel module (${(e as Error).message}).`, { file: url, cause: e });
  }
  if (!res.ok) throw new DdError('WASM_MISSING', `${url}: HTTP ${res.status}. Build the module with \`npm run build:wasm\`.`, { file: url });
  return compileKernelModule(await res.arrayBuffer(), url);
}

/** Can a shared Memory be posted to a worker from this page? */
export function detectIsolation(): Isolation {
  return globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function' ? 'shared' : 'single';
}

export async function createBrowserEngine(opts: { url?: string; initialPages?: number } = {}): Promise<KernelEngine> {
  return createKernelEngine(await loadKernelModule(opts.url), { initialPages: opts.initialPages });
}

/** Default pool size: the logical cores the browser reports (at least 1). */
export function defaultPoolSize(): number {
  return Math.max(1, globalThis.navigator?.hardwareConcurrency || 1);
}

export interface BrowserKernelPool extends Pool<KernelWorkerApi> {
  /** init() answers of the workers (index, realm id). */
  readonly workers: readonly WorkerInfo[];
}

/**
 * Starts `size` module Web Workers (default: hardwareConcurrency), posts the module and the
 * shared memory to each and waits until every worker has instantiated the kernels. On a page
 * that is not cross-origin isolated it returns a one-worker pool in this realm (isolation 'single').
 */
export async function createBrowserKernelPool(opts: { module: WebAssembly.Module; memory: WebAssembly.Memory; size?: number }): Promise<BrowserKernelPool> {
  if (detectIsolation() === 'single') {
    const api = createKernelWorkerApi();
    const info = api.init(opts.module, opts.memory, 0);
    return Object.assign(localPool(api, 'single'), { workers: [info] });
  }
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
    for (const t of threads) t.terminate();
  };
  let workers: WorkerInfo[];
  try {
    for (let i = 0; i < size; i++) {
      const t = new Worker(new URL('../../workers/kernel-worker.ts', import.meta.url), { type: 'module', name: `ddmvpa-kernel-${i}` });
      threads.push(t);
      remotes.push(wrap<KernelWorkerApi>(t));
    }
    workers = await Promise.all(
      remotes.map((r, i) =>
        Promise.race([
          r.init(opts.module, opts.memory, i),
          new Promise<never>((_, reject) => threads[i]!.addEventListener('error', (ev) => reject(new Error(ev.message || 'worker failed to load')), { once: true })),
        ]),
      ),
    );
  } catch (e) {
    await close();
    throw new DdError('POOL_START_FAILED', `Could not start the kernel workers (${(e as Error).message}).`, { cause: e });
  }
  // A worker that fails (uncaught error) fails its pending and future calls instead of leaving
  // them unsettled.
  const dead = threads.map((t, i) => {
    const p = new Promise<never>((_, reject) => {
      t.addEventListener('error', (ev) => reject(new DdError('POOL_WORKER_DIED', `Kernel worker ${i} failed: ${ev.message || 'uncaught error'}`)), { once: true });
    });
    p.catch(() => {});
    return p;
  });
  const invoke = (worker: number, method: string, args: unknown[]) => {
    if (closed) throw new DdError('POOL_CLOSED', `Cannot call ${method}: the worker pool is closed.`);
    checkWorkerId(worker, size);
    const call = (remotes[worker] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
    return Promise.race([call, dead[worker]!]);
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
