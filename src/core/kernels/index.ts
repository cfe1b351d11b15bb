/**
 * src/core/kernels: the one place that knows the wasm ABI (assembly/ -> public/wasm/ddmvpa.wasm).
 *
 *   const module = await compileKernelModule(bytes);          // host supplies the bytes
 *   const engine = createKernelEngine(module);                // shared memory + kernels + arena
 *   const y = engine.arena.alloc(B * V * 4);                  // main thread allocates
 *   engine.kernels.projectAccumulate({ y, B, V, w, n, out }); // or split over a Pool
 */
import { createKernelMemory, SharedArena } from './memory.ts';
import { loadKernels, type Kernels } from './kernels.ts';

export * from './abi.ts';
export * from './memory.ts';
export * from './kernels.ts';
export * from './parallel.ts';
export * from './worker-api.ts';

export interface KernelEngine {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly kernels: Kernels;
  readonly arena: SharedArena;
}

/** One shared memory, the kernels instantiated on it in this realm, and its allocator. */
export function createKernelEngine(
  module: WebAssembly.Module,
  opts: { memory?: WebAssembly.Memory; initialPages?: number; maximumPages?: number } = {},
): KernelEngine {
  const memory = opts.memory ?? createKernelMemory(opts);
  const kernels = loadKernels({ module, memory });
  const arena = new SharedArena(memory, { base: Math.max(kernels.heapBase, 1024) });
  return { module, memory, kernels, arena };
}
export * from './sha256.ts';
