import { DdError } from './errors.ts';

/**
 * The worker-pool seam. A Pool runs named methods of one worker API (e.g. KernelWorkerApi from
 * src/core/kernels/worker-api.ts) on numbered workers. Hosts implement it: Web Workers + comlink
 * (src/platform/browser/pool.ts), worker_threads + comlink's node adapter
 * (src/platform/node/pool.ts), or in the calling realm (localPool below).
 *
 * isolation:
 * - 'shared': the workers share one WebAssembly.Memory with the caller (cross-origin isolated
 *   page, or Node). Shards of one kernel call may run in parallel on different workers.
 * - 'single': no memory sharing across threads (a browser page without COOP/COEP, where a shared
 *   Memory cannot be posted to a worker). The pool has one "worker": the caller's own realm,
 *   running the same kernels on the same memory, one call at a time.
 */
export type Isolation = 'shared' | 'single';

/** Names of the function-valued members of Api. */
export type MethodName<Api> = { [K in keyof Api]-?: Api[K] extends (...args: never[]) => unknown ? K : never }[keyof Api] & string;
export type MethodArgs<Api, K extends keyof Api> = Api[K] extends (...args: infer A) => unknown ? A : never;
export type MethodResult<Api, K extends keyof Api> = Api[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

export interface Pool<Api> {
  /** Number of workers (>= 1); worker ids are 0..size-1. */
  readonly size: number;
  readonly isolation: Isolation;
  /** Runs `method(...args)` on worker `worker`. Arguments are structured-cloned (pointers, not data). */
  call<K extends MethodName<Api>>(worker: number, method: K, ...args: MethodArgs<Api, K>): Promise<MethodResult<Api, K>>;
  /** Runs the same call on every worker; results in worker order. */
  broadcast<K extends MethodName<Api>>(method: K, ...args: MethodArgs<Api, K>): Promise<MethodResult<Api, K>[]>;
  /** Terminates the workers. Further calls reject. */
  close(): Promise<void>;
}

/** A pool of one "worker" that is the calling realm itself (isolation 'single', or tests). */
export function localPool<Api extends object>(api: Api, isolation: Isolation = 'single'): Pool<Api> {
  let closed = false;
  const invoke = async (method: string, args: unknown[]) => {
    if (closed) throw new DdError('POOL_CLOSED', `Cannot call ${method}: the worker pool is closed.`);
    const f = (api as Record<string, unknown>)[method];
    if (typeof f !== 'function') throw new DdError('POOL_NO_METHOD', `The worker API has no method "${method}".`);
    return await (f as (...a: unknown[]) => unknown).apply(api, args);
  };
  return {
    size: 1,
    isolation,
    async call(worker, method, ...args) {
      checkWorkerId(worker, 1);
      return (await invoke(method, args)) as never;
    },
    async broadcast(method, ...args) {
      return [await invoke(method, args)] as never;
    },
    async close() {
      closed = true;
    },
  };
}

/** Checks a worker id against a pool size (for host pool implementations). */
export function checkWorkerId(worker: number, size: number): void {
  if (!Number.isInteger(worker) || worker < 0 || worker >= size) throw new DdError('POOL_BAD_WORKER', `Worker ${worker} does not exist (pool size ${size}).`);
}
