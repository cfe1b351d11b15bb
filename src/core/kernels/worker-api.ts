import { DdError } from '../errors.ts';
import { loadKernels, type ColumnStatsArgs, type GatherArgs, type GramArgs, type Kernels, type ProjectArgs, type ScaleColumnsArgs } from './kernels.ts';

/** Who ran a call: the worker's pool index and an id unique to its JS realm (thread). */
export interface WorkerInfo {
  index: number;
  realm: string;
  abiVersion: number;
  heapBase: number;
}

export interface ShardReport {
  worker: number;
  realm: string;
  vStart: number;
  vEnd: number;
  ms: number;
}

/**
 * What every kernel worker exposes (src/workers/kernel-worker.ts serves it over comlink in both
 * hosts; localPool runs it in the calling realm). Each worker instantiates the one compiled
 * Module on the one shared Memory it is given in init(); calls pass pointers, never data.
 */
export interface KernelWorkerApi {
  init(module: WebAssembly.Module, memory: WebAssembly.Memory, index: number): WorkerInfo;
  info(): WorkerInfo;
  dot(a: number, b: number, n: number): number;
  gather(args: GatherArgs): void;
  projectAccumulate(args: ProjectArgs): ShardReport;
  gram(args: GramArgs): void;
  columnStats(args: ColumnStatsArgs): void;
  scaleColumns(args: ScaleColumnsArgs): void;
}

let realmCounter = 0;
function realmId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID ? c.randomUUID() : `realm-${Date.now().toString(36)}-${++realmCounter}`;
}

/** One API object per realm (thread); the kernel instance is created by init(). */
export function createKernelWorkerApi(): KernelWorkerApi {
  const realm = realmId();
  let kernels: Kernels | null = null;
  let index = -1;
  const k = (): Kernels => {
    if (!kernels) throw new DdError('POOL_NOT_INITIALIZED', 'Kernel worker used before init(module, memory).');
    return kernels;
  };
  const info = (): WorkerInfo => ({ index, realm, abiVersion: k().abiVersion, heapBase: k().heapBase });
  return {
    init(module, memory, i) {
      kernels = loadKernels({ module, memory });
      index = i;
      return info();
    },
    info,
    dot: (a, b, n) => k().dot(a, b, n),
    gather: (args) => k().gather(args),
    projectAccumulate(args) {
      const t0 = performance.now();
      k().projectAccumulate(args);
      return { worker: index, realm, vStart: args.vStart ?? 0, vEnd: args.vEnd ?? args.V, ms: performance.now() - t0 };
    },
    gram: (args) => k().gram(args),
    columnStats: (args) => k().columnStats(args),
    scaleColumns: (args) => k().scaleColumns(args),
  };
}
