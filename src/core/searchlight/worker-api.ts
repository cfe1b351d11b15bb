/**
 * What a searchlight worker exposes (src/workers/searchlight-worker.ts serves it over comlink;
 * localPool runs it in the calling realm). init() instantiates the kernels on the shared memory
 * (sphere scratch in the worker's own region of it, reserved by the main thread) and routes this
 * realm's dual fits through the wasm solvers on a private memory (the models copy their n × n
 * inputs there, backend.ts).
 */
import { DdError } from '../errors.ts';
import { createKernelEngine } from '../kernels/index.ts';
import { loadSearchlightKernels, type SearchlightKernels } from '../kernels/kernels.ts';
import { useWasmSolvers } from '../mvpa/models/index.ts';
import { runShard, scratchBytes, type SearchlightTask, type ShardScratch, type ShardStats } from './shard.ts';
import { createSvcFolds, svcFoldsBytes, type SvcFolds } from './svc-folds.ts';

export interface SearchlightRegion {
  base: number;
  bytes: number;
}

export interface SearchlightWorkerApi {
  /** Searchlight kernels on the shared memory (scratch in `region`); dual solvers in a private wasm memory of this realm. */
  slInit(module: WebAssembly.Module, memory: WebAssembly.Memory, index: number, region: SearchlightRegion, n: number, maxM: number): number;
  slSetTask(task: SearchlightTask): void;
  slRun(start: number, end: number): ShardStats;
}

/** Bytes of one worker region for n trials and spheres of up to maxM voxels. */
export function regionBytes(n: number, maxM: number): number {
  const sphere = 2 * (Math.ceil((maxM + 4) / 4) * 4) * n * 4 + n * n * 8 + maxM * 4 + svcFoldsBytes(n) + 4096;
  return Math.ceil(sphere / 4096) * 4096;
}

export function createSearchlightWorkerApi(): SearchlightWorkerApi {
  let sl: SearchlightKernels | null = null;
  let memory: WebAssembly.Memory | null = null;
  let scratch: ShardScratch | null = null;
  let task: SearchlightTask | null = null;
  let index = -1;
  let kernelModule: WebAssembly.Module | null = null;
  let svcFolds: SvcFolds | null = null;
  return {
    slInit(module, mem, i, region, n, maxM) {
      memory = mem;
      index = i;
      kernelModule = module;
      sl = loadSearchlightKernels({ module, memory: mem });
      const s = scratchBytes(n, maxM, sl);
      const b = Math.ceil(region.base / 64) * 64;
      scratch = { idx: b, idxCap: Math.floor((s.idx - 64) / 4), work: b + s.idx, K: b + s.idx + s.work, svc: b + s.idx + s.work + s.K };
      if (b + s.total > region.base + region.bytes) throw new DdError('SEARCHLIGHT_INTERNAL', `searchlight worker ${i}: region of ${region.bytes} bytes is too small.`);
      // The models copy their n × n inputs into their own scratch: a private memory per realm.
      useWasmSolvers(createKernelEngine(module));
      return index;
    },
    slSetTask(t) {
      task = t;
      // svc fits in place on the sphere K (the other models: the generic fold path).
      svcFolds = t.model === 'svc' && kernelModule && memory && scratch
        ? createSvcFolds(kernelModule, memory, scratch.K, t.layout.n, scratch.svc, t.folds, t.modelOptions)
        : null;
    },
    slRun(start, end) {
      if (!sl || !memory || !scratch || !task) throw new DdError('POOL_NOT_INITIALIZED', 'Searchlight worker used before init() and setTask().');
      return runShard(sl, memory, scratch, task, start, end, svcFolds);
    },
  };
}
