import { DdError } from '../errors.ts';
import type { Pool } from '../pool.ts';
import { GATHER_DTYPES, projectAccumulateParallel, type GatherDtype, type KernelEngine, type KernelWorkerApi } from '../kernels/index.ts';
import type { Projector, ProjectorSpec } from './projector.ts';

/**
 * The fast projector: the raw volume is copied into shared wasm memory, gathered and scaled by the
 * SIMD gather kernel (this thread), centred, and every block of volumes is projected by
 * project_accumulate split by voxel range over the pool's workers (all on the same memory).
 * Pass `pool = null` to project on this thread.
 */
export function wasmProjector(engine: KernelEngine, pool: Pool<KernelWorkerApi> | null, spec: ProjectorSpec): Projector {
  const { header, indices, nRows: n, blockSize: B } = spec;
  const dtype = header.datatype as GatherDtype;
  if (!GATHER_DTYPES.includes(dtype)) {
    throw new DdError('NIFTI_UNSUPPORTED_DATATYPE', `BOLD datatype ${header.datatype} cannot be analysed: a BOLD run must hold scalar values. Convert it to int16 or float32.`);
  }
  const V = indices.length;
  const { arena, kernels } = engine;
  const raw = arena.alloc(header.bytesPerVolume);
  const idx = arena.put(indices);
  const offset = arena.put(spec.offset);
  const y = arena.alloc(B * V * 4);
  const w = arena.alloc(n * B * 4);
  const out = arena.alloc(n * V * 4, 16, true);
  const blocks = [raw, idx, offset, y, w, out];
  const { slope, inter } = header.scaling;
  const swap = !header.littleEndian;
  return {
    gather(bytes, slot) {
      arena.u8(raw, bytes.byteLength).set(bytes);
      kernels.gather({ dtype, raw, idx, nIdx: V, slope, inter, swap, out: y + slot * V * 4 });
    },
    async project(wBlock, b) {
      kernels.scaleColumns({ x: y, n: b, p: V, center: offset });
      arena.f32(w, n * b).set(wBlock);
      const args = { y, B: b, V, w, n, out };
      if (pool) await projectAccumulateParallel(pool, args);
      else kernels.projectAccumulate(args);
    },
    // A view into wasm memory: valid until dispose(); the pass copies each ROI out of it.
    result: () => arena.f32(out, n * V),
    dispose() {
      for (const p of blocks) arena.free(p);
    },
  };
}
