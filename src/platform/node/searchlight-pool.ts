/**
 * worker_threads for the searchlight (src/core/searchlight): the kernel worker (which also serves
 * src/core/searchlight/worker-api.ts), posted the compiled module and the shared memory holding
 * the patterns. Implements the Pool seam; idle workers do not keep the process alive.
 */
import type { Pool } from '../../core/pool.ts';
import type { SearchlightWorkerApi } from '../../core/searchlight/worker-api.ts';
import { startWorkerThreads } from './worker-threads.ts';

export async function startSearchlightWorkers(size: number): Promise<Pool<SearchlightWorkerApi>> {
  return startWorkerThreads<SearchlightWorkerApi>(size, 'searchlight');
}
