import { DdError } from '../errors.ts';
import type { Pool } from '../pool.ts';
import type { ProjectArgs } from './kernels.ts';
import type { KernelWorkerApi, ShardReport } from './worker-api.ts';

export interface Shard { vStart: number; vEnd: number }

/**
 * Splits [vStart, vEnd) into at most `parts` contiguous shards whose inner boundaries are
 * multiples of `align` voxels (whole SIMD blocks per shard; results do not depend on it).
 * Empty shards are dropped.
 */
export function voxelShards(vStart: number, vEnd: number, parts: number, align = 16): Shard[] {
  if (!Number.isInteger(parts) || parts < 1) throw new DdError('KERNEL_BAD_ARGS', `voxelShards: parts must be a positive integer, got ${parts}.`);
  const len = vEnd - vStart;
  if (len <= 0) return [];
  const step = Math.max(align, Math.ceil(len / parts / align) * align);
  const out: Shard[] = [];
  for (let a = vStart; a < vEnd; a += step) out.push({ vStart: a, vEnd: Math.min(vEnd, a + step) });
  return out;
}

/**
 * One project_accumulate split by voxel range over the pool's workers (all share the memory
 * holding Y, W and out). With isolation 'single' it is one call. Bit-identical to a single call.
 */
export async function projectAccumulateParallel(
  pool: Pool<KernelWorkerApi>,
  args: ProjectArgs,
  opts: { workers?: number } = {},
): Promise<ShardReport[]> {
  const vStart = args.vStart ?? 0;
  const vEnd = args.vEnd ?? args.V;
  const parts = pool.isolation === 'shared' ? Math.max(1, Math.min(pool.size, opts.workers ?? pool.size)) : 1;
  const shards = voxelShards(vStart, vEnd, parts);
  return Promise.all(shards.map((s, k) => pool.call(k, 'projectAccumulate', { ...args, ...s })));
}
