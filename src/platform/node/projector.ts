import { wasmProjector } from '../../core/extract/wasm-projector.ts';
import type { ProjectorSpec } from '../../core/extract/projector.ts';
import { nodeInflate } from './inflate.ts';
import { createNodeEngine, createNodeKernelPool, defaultPoolSize } from './pool.ts';

/**
 * The Node host's projector: the wasm kernels on one shared memory, projection split over
 * worker_threads (`jobs`, default all cores), gzip inflated by zlib on libuv's thread pool.
 */
export async function nodeProjectorFactory(opts: { jobs?: number } = {}) {
  const engine = await createNodeEngine();
  const size = Math.max(1, opts.jobs ?? defaultPoolSize());
  const pool = size > 1 ? await createNodeKernelPool({ module: engine.module, memory: engine.memory, size }) : null;
  return {
    make: (spec: ProjectorSpec) => wasmProjector(engine, pool, spec),
    inflate: nodeInflate,
    close: async () => { await pool?.close(); },
  };
}
