/**
 * The kernel worker: the same code in both hosts. It serves createKernelWorkerApi() (and the
 * permutation shards of permutation-worker.ts) over comlink
 * on whatever endpoint the host gives it:
 * - browser: this file is the Web Worker's module entry and serves on the worker global;
 * - Node: kernel-worker.node.mjs (registers tsx, then calls serve() with comlink's node adapter
 *   around worker_threads' parentPort).
 */
import { expose, type Endpoint } from 'comlink';
import { createKernelWorkerApi } from '../core/kernels/worker-api.ts';
import { installDdErrorTransfer } from './comlink-errors.ts';
import { createPermutationWorkerApi } from './permutation-worker.ts';
import { createSearchlightWorkerApi } from '../core/searchlight/worker-api.ts';

installDdErrorTransfer();

export function serve(endpoint: Endpoint): void {
  // The kernel API and the permutation shards (permInit / permSetup / permRun) of decodeAsync.
  // ... and the searchlight shards (slInit / slSetTask / slRun, src/core/searchlight).
  expose({ ...createKernelWorkerApi(), ...createPermutationWorkerApi(), ...createSearchlightWorkerApi() }, endpoint);
}

// A dedicated Web Worker (module type): serve on the worker global at once.
const g = globalThis as unknown as { WorkerGlobalScope?: abstract new () => unknown };
if (typeof g.WorkerGlobalScope === 'function' && globalThis instanceof g.WorkerGlobalScope) {
  serve(globalThis as unknown as Endpoint);
}
