import { wasmProjector } from '../../core/extract/wasm-projector.ts';
import type { ProjectorSpec } from '../../core/extract/projector.ts';
import { nodeInflate } from './inflate.ts';
import { createNodeEngine, createNodeKernelPool } from './pool.ts';

/**
 * The Node host's projector: the wasm kernels on one shared memory; gzip is inflated by zlib on
 * libuv's thread pool, so projecting on this thread already keeps two cores busy (measured
 * faster and ~70 MB smaller than two extra worker_threads, bench/RESULTS.md). `jobs` > 1 splits
 * each projection over that many worker_threads.
 */
export async function nodeProjectorFactory(opts: { jobs?: number } = {}) {
  const engine = await createNodeEngine();
  const size = Math.max(1, opts.jobs ?? 1);
  const pool = size > 1 ? await createNodeKernelPool({ module: engine.module, memory: engine.memory, size }) : null;
  return {
    make: (spec: ProjectorSpec) => wasmProjector(engine, pool, spec),
    inflate: nodeInflate,
    close: async () => { await pool?.close(); },
  };
}
