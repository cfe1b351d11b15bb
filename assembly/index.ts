// The one wasm module of ddmvpa. Every export works on raw pointers into the shared memory that
// the host allocates (src/core/kernels owns that ABI); no AssemblyScript-managed objects cross it.
// The module keeps no state in linear memory (no data segments, no heap), so any number of
// instances (one per worker) can share one memory; the host's allocator starts at heap_base().

export { gather_uint8, gather_int8, gather_int16, gather_uint16, gather_int32, gather_uint32, gather_float32, gather_float64 } from './gather';
export { project_accumulate, project_accumulate_tiled } from './project';
export { gram_f32, column_stats, scale_columns, scaled_gram_f64 } from './gram';
export { svc_work_bytes, svc_solve, chol_f64, chol_solve_f64, symv_f64, newton_system_f64 } from './solvers';
// Logistic regression in an eigenbasis of K (the permutation test's fits).
export { mat_vec, logreg_basis_work_bytes, logreg_basis_fit, sym_eig_f64 } from './newton';

/** ABI version: bump when any export's signature or semantics changes (checked by the host). */
export function abi_version(): i32 {
  return 3;
}

/** First byte the host may allocate (end of the module's static data). */
export function heap_base(): usize {
  return __heap_base;
}

/** Sum of a[i]*b[i] for i < n (f32 arrays, f64 accumulation per 4-lane block). */
export function dot_f32(a: usize, b: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + off), v128.load(b + off)));
  }
  let s: f64 = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
    <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    s += <f64>load<f32>(a + off) * <f64>load<f32>(b + off);
  }
  return s;
}

// Searchlight (src/core/searchlight): sphere Gram matrices and their sliding updates.
export { sl_work_bytes, sl_gram, sl_gram_update } from './searchlight';
export { svc_solve_ld } from './solvers';

// SHA-256 blocks for the browser's input hashes (src/core/kernels/sha256.ts does the padding).
export { sha256_blocks } from './sha256';

// gzip inflate for the browser's stream pass (src/core/nifti/wasm-inflate.ts drives it).
export { inflate_state_bytes, inflate_reset, inflate_run } from './inflate';
