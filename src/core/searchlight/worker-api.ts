/**
 * What a searchlight worker exposes (src/workers/searchlight-worker.ts serves it over comlink;
 * localPool runs it in the calling realm). init() instantiates the kernels on the shared memory
 * and routes this realm's dual fits through the wasm solvers, whose scratch comes from the
 * worker's own region of the shared memory (the main thread reserved it; nobody else touches it).
 */
import { DdError } from '../errors.ts';
import { loadKernels, loadSearchlightKernels, type SearchlightKernels } from '../kernels/kernels.ts';
import { SharedArena } from '../kernels/memory.ts';
import { useWasmSolvers } from '../mvpa/models/index.ts';
import { runShard, scratchBytes, type SearchlightTask, type ShardScratch, type ShardStats } from './shard.ts';

export interface SearchlightRegion {
  base: number;
  bytes: number;
}

export interface SearchlightWorkerApi {
  init(module: WebAssembly.Module, memory: WebAssembly.Memory, index: number, region: SearchlightRegion, n: number, maxM: number): number;
  setTask(task: SearchlightTask): void;
  run(start: number, end: number): ShardStats;
}

/** Bytes of one worker region for n trials and spheres of up to maxM voxels. */
export function regionBytes(n: number, maxM: number): number {
  const sphere = 2 * (Math.ceil((maxM + 4) / 4) * 4) * n * 4 + n * n * 8 + maxM * 4 + 1024;
  const solvers = 10 * n * n * 8 + 64 * n + (4 << 20);
  return Math.ceil((sphere + solvers) / 65536) * 65536;
}

export function createSearchlightWorkerApi(): SearchlightWorkerApi {
  let sl: SearchlightKernels | null = null;
  let memory: WebAssembly.Memory | null = null;
  let scratch: ShardScratch | null = null;
  let arena: SharedArena | null = null;
  let regionEnd = 0;
  let task: SearchlightTask | null = null;
  let index = -1;
  return {
    init(module, mem, i, region, n, maxM) {
      memory = mem;
      index = i;
      sl = loadSearchlightKernels({ module, memory: mem });
      const kernels = loadKernels({ module, memory: mem });
      const s = scratchBytes(n, maxM, sl);
      const b = Math.ceil(region.base / 64) * 64;
      scratch = { idx: b, idxCap: Math.floor((s.idx - 64) / 4), work: b + s.idx, K: b + s.idx + s.work };
      regionEnd = region.base + region.bytes;
      if (b + s.total > regionEnd) throw new DdError('SEARCHLIGHT_INTERNAL', `searchlight worker ${i}: region of ${region.bytes} bytes is too small.`);
      arena = new SharedArena(mem, { base: b + s.total });
      useWasmSolvers({ kernels, arena });
      return index;
    },
    setTask(t) {
      task = t;
    },
    run(start, end) {
      if (!sl || !memory || !scratch || !task || !arena) throw new DdError('POOL_NOT_INITIALIZED', 'Searchlight worker used before init() and setTask().');
      const stats = runShard(sl, memory, scratch, task, start, end);
      if (arena.end > regionEnd) {
        throw new DdError('SEARCHLIGHT_INTERNAL', `searchlight worker ${index}: the solver scratch (${arena.end - regionEnd} bytes over) overran its region.`);
      }
      return stats;
    },
  };
}
