/**
 * Permutation shards on a worker thread (decodeAsync in src/core/mvpa/decode.ts): the worker
 * gets the compiled kernel module once and solves in its own private wasm memory (the models'
 * scratch is per thread, backend.ts), then per decode the fold Gram slices (permSetup) and chunks
 * of permuted label vectors drawn on the main thread (permRun). Served by the kernel worker
 * (kernel-worker.ts) next to the kernel API, so hosts start one kind of worker.
 */
import { DdError } from '../core/errors.ts';
import { createKernelEngine } from '../core/kernels/index.ts';
import { createNullShardRunner, type NullJob, type NullShardResult } from '../core/mvpa/decode.ts';
import { getModel, useWasmSolvers } from '../core/mvpa/models/index.ts';
import type { ModelName } from '../core/mvpa/model.ts';

export interface PermutationWorkerApi {
  /** Instantiates the kernels in a private memory for the models (null module: TypeScript solvers). */
  permInit(module: WebAssembly.Module | null): { wasm: boolean };
  /** Builds the fold predictors of a decode job. */
  permSetup(job: NullJob): void;
  /** Null scores of `count` label vectors (row-major count × n). */
  permRun(labels: Float64Array, count: number): NullShardResult;
}

export function createPermutationWorkerApi(): PermutationWorkerApi {
  const runner = createNullShardRunner((name: ModelName) => getModel(name));
  let ready = false;
  return {
    permInit(module) {
      useWasmSolvers(module ? createKernelEngine(module) : null);
      ready = true;
      return { wasm: module !== null };
    },
    permSetup(job) {
      if (!ready) throw new DdError('POOL_NOT_INITIALIZED', 'Permutation worker used before permInit().');
      runner.setup(job);
    },
    permRun: (labels, count) => runner.run(labels, count),
  };
}
