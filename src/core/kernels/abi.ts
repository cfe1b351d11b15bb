/**
 * The raw ABI of public/wasm/ddmvpa.wasm (built from assembly/index.ts). Only src/core/kernels
 * may use these names; everything else goes through the typed wrappers in kernels.ts.
 * Pointers are byte offsets into the one shared memory; all counts are i32.
 */

/** Bump together with abi_version() in assembly/index.ts. */
export const ABI_VERSION = 3;

/** Memory limits the module was compiled with (asconfig.json); an imported memory must fit them. */
export const WASM_INITIAL_PAGES = 32;
export const WASM_MAXIMUM_PAGES = 16384;
export const WASM_PAGE_BYTES = 65536;

type GatherFn = (raw: number, idx: number, nIdx: number, slope: number, inter: number, swap: number, out: number) => void;

export interface RawExports {
  abi_version(): number;
  heap_base(): number;
  dot_f32(a: number, b: number, n: number): number;
  gather_uint8: GatherFn;
  gather_int8: GatherFn;
  gather_int16: GatherFn;
  gather_uint16: GatherFn;
  gather_int32: GatherFn;
  gather_uint32: GatherFn;
  gather_float32: GatherFn;
  gather_float64: GatherFn;
  project_accumulate(y: number, B: number, V: number, w: number, n: number, out: number, vStart: number, vEnd: number): void;
  project_accumulate_tiled(y: number, B: number, V: number, w: number, n: number, out: number, vStart: number, vEnd: number, vTile: number, bTile: number): void;
  gram_f32(x: number, n: number, p: number, out: number): void;
  column_stats(x: number, n: number, p: number, mean: number, sd: number, ddof: number): void;
  scale_columns(x: number, n: number, p: number, center: number, scale: number): void;
  svc_work_bytes(n: number): number;
  svc_solve(K: number, n: number, perm: number, n0: number, C0: number, C1: number, eps: number, maxIter: number, work: number, out: number): void;
  chol_f64(A: number, n: number): number;
  chol_solve_f64(L: number, n: number, b: number): void;
  symv_f64(K: number, n: number, v: number, out: number): void;
  newton_system_f64(K: number, n: number, d: number, M: number): number;
}

export const REQUIRED_EXPORTS: readonly (keyof RawExports)[] = [
  'abi_version', 'heap_base', 'dot_f32',
  'gather_uint8', 'gather_int8', 'gather_int16', 'gather_uint16', 'gather_int32', 'gather_uint32', 'gather_float32', 'gather_float64',
  'project_accumulate', 'project_accumulate_tiled', 'gram_f32', 'column_stats', 'scale_columns',
  'svc_work_bytes', 'svc_solve', 'chol_f64', 'chol_solve_f64', 'symv_f64', 'newton_system_f64',
];

/** Element types the gather kernels decode (NIfTI names; complex and RGB types are not voxel data we analyse). */
export type GatherDtype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

export const GATHER_DTYPES: readonly GatherDtype[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'];

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<GatherDtype, number>> = {
  uint8: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8,
};

/** Searchlight exports (assembly/searchlight.ts), checked when the searchlight loads its kernels. */
export interface SearchlightRawExports {
  sl_work_bytes(n: number, m: number): number;
  sl_gram(xt: number, ldx: number, n: number, idx: number, m: number, work: number, out: number): void;
  sl_gram_update(xt: number, ldx: number, n: number, idx: number, m: number, mAdd: number, work: number, out: number): void;
}
export const SEARCHLIGHT_EXPORTS: readonly (keyof SearchlightRawExports)[] = ['sl_work_bytes', 'sl_gram', 'sl_gram_update'];

/** Decoding exports (assembly/gram.ts scaled_gram_f64), checked when decode loads them (optional: older modules lack them). */
export interface DecodeRawExports {
  scaled_gram_f64(x: number, p: number, rows: number, m: number, mean: number, scale: number, work: number, out: number): void;
}
export const DECODE_EXPORTS: readonly (keyof DecodeRawExports)[] = ['scaled_gram_f64'];

/** Logistic-regression exports (assembly/newton.ts), checked when the models load them (optional: older modules lack them). */
export interface NewtonRawExports {
  mat_vec(A: number, rows: number, cols: number, x: number, out: number): void;
  logreg_basis_work_bytes(n: number, r: number): number;
  logreg_basis_fit(Z: number, Zt: number, lam: number, q: number, n: number, r: number, s: number, c: number, tol: number, maxIter: number, Ktest: number, nTest: number, work: number, out: number): void;
  sym_eig_f64(W: number, n: number, d: number, e: number): number;
}
export const NEWTON_EXPORTS: readonly (keyof NewtonRawExports)[] = ['mat_vec', 'logreg_basis_work_bytes', 'logreg_basis_fit', 'sym_eig_f64'];

/** SHA-256 blocks (assembly/sha256.ts), for the browser's input hashes (optional: older modules lack it). */
export interface HashRawExports {
  sha256_blocks(state: number, data: number, nBlocks: number): void;
}
export const HASH_EXPORTS: readonly (keyof HashRawExports)[] = ['sha256_blocks'];
