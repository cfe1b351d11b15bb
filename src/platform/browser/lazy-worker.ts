/**
 * One module Web Worker behind comlink, started on first use: every call is raced against the
 * worker's death, so a crashed worker (e.g. out of memory) rejects with WORKER_DIED instead of
 * leaving the page waiting, and the next call starts a fresh worker. The caller passes the
 * factory (`() => new Worker(new URL('…', import.meta.url), …)`) so that Vite bundles the worker.
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import { DdError } from '../../core/errors.ts';
import { installDdErrorTransfer } from '../../workers/comlink-errors.ts';
import { kernelWasmUrl } from './pool.ts';

export interface LazyWorker<Api> {
  /** Runs f on the (started) worker, rejecting if the worker dies meanwhile. */
  call<T>(f: (r: Remote<Api>) => Promise<T>): Promise<T>;
  /** The running worker's remote, or null (no worker started, or it died). */
  current(): Remote<Api> | null;
  close(): void;
}

export function lazyWorker<Api extends { init(o: { wasmUrl: string }): unknown }>(
  create: () => Worker,
  what: string,
  opts: { wasmUrl?: string } = {},
): LazyWorker<Api> {
  installDdErrorTransfer();
  const wasmUrl = opts.wasmUrl ?? kernelWasmUrl();
  let live: { worker: Worker; remote: Remote<Api>; dead: Promise<never> } | null = null;
  const start = () => {
    if (live) return live;
    const worker = create();
    const remote = wrap<Api>(worker);
    const dead = new Promise<never>((_, reject) => {
      const fail = (why: string) => {
        if (live?.worker === worker) {
          live = null;
          remote[releaseProxy]();
          worker.terminate();
        }
        reject(new DdError('WORKER_DIED', `The ${what} worker stopped (${why}). If the data were large, close other tabs to free memory and try again.`));
      };
      worker.addEventListener('error', (ev) => fail(ev.message || 'it could not load or threw an uncaught error'));
      worker.addEventListener('messageerror', () => fail('a message could not be read'));
    });
    dead.catch(() => {});
    live = { worker, remote, dead };
    void (remote.init as (o: { wasmUrl: string }) => Promise<unknown>)({ wasmUrl }).catch(() => {});
    return live;
  };
  return {
    async call(f) {
      const l = start();
      return Promise.race([f(l.remote), l.dead]);
    },
    current: () => live?.remote ?? null,
    close() {
      if (!live) return;
      live.remote[releaseProxy]();
      live.worker.terminate();
      live = null;
    },
  };
}
