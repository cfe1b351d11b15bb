import { DdError } from '../errors.ts';
import { ABI_VERSION, DECODE_EXPORTS, DTYPE_BYTES, GATHER_DTYPES, NEWTON_EXPORTS, REQUIRED_EXPORTS, SEARCHLIGHT_EXPORTS, type DecodeRawExports, type GatherDtype, type NewtonRawExports, type RawExports, type SearchlightRawExports } from './abi.ts';
import type { Ptr } from './memory.ts';

/** out[j] = f32(slope * decode(raw[idx[j]]) + inter), j < nIdx (slope/inter applied in f64). */
export interface GatherArgs {
  dtype: GatherDtype;
  /** One volume in file byte order. */
  raw: Ptr;
  /** nIdx i32 voxel (element) indices into raw. */
  idx: Ptr;
  nIdx: number;
  /** Default 1 and 0. NIfTI's scl_slope = 0 ("no scaling") must be mapped to 1/0 by the caller. */
  slope?: number;
  inter?: number;
  /** Byte-swap each element (file endianness differs from little-endian). Default false. */
  swap?: boolean;
  /** nIdx f32. */
  out: Ptr;
}

/** out[i, v] += sum_b W[i, b] * Y[b, v] for i < n, vStart <= v < vEnd. */
export interface ProjectArgs {
  /** Y: B x V row-major f32 (B buffered volumes of V gathered voxels). */
  y: Ptr;
  B: number;
  V: number;
  /** W: n x B row-major f32 (projection-matrix columns of those B volumes). */
  w: Ptr;
  n: number;
  /** n x V row-major f32, accumulated in place. */
  out: Ptr;
  /** Voxel shard [vStart, vEnd), default [0, V). */
  vStart?: number;
  vEnd?: number;
  /** Tile sizes (voxels, volumes) for benchmarks; 0/undefined = the tuned defaults. */
  vTile?: number;
  bTile?: number;
}

/** out (n x n f64) = X X^T, X n x p f32 row-major; exact products, f64 sums, exactly symmetric. */
export interface GramArgs { x: Ptr; n: number; p: number; out: Ptr }

/** mean[j], sd[j] (f64, length p) of the columns of X (n x p f32); sd 0 = skip. ddof default 0. */
export interface ColumnStatsArgs { x: Ptr; n: number; p: number; mean: Ptr; sd?: Ptr; ddof?: number }

/** In place x[i,j] = (x[i,j] - center[j]) * scale[j] (f32 arrays of length p; 0 = skip). */
export interface ScaleColumnsArgs { x: Ptr; n: number; p: number; center?: Ptr; scale?: Ptr }

/**
 * libsvm's C-SVC on the training Gram matrix (assembly/solvers.ts svc_solve; the TS twin is
 * src/core/mvpa/models/svc.ts). K: n x n f64; perm: n i32 (class-0 samples first); work:
 * svcWorkBytes(n) bytes; out: n + 3 f64 (coef, rho, iterations, converged).
 */
export interface SvcSolveArgs {
  K: Ptr; n: number; perm: Ptr; n0: number; C0: number; C1: number; eps: number; maxIter: number; work: Ptr; out: Ptr;
}

/** Typed wrappers over one instance of the kernel module. Synchronous; the pointers are the caller's. */
export interface Kernels {
  readonly memory: WebAssembly.Memory;
  /** First byte the host may allocate (give it to SharedArena). */
  readonly heapBase: number;
  readonly abiVersion: number;
  /** sum a[i]*b[i] over n f32 (f64 result). */
  dot(a: Ptr, b: Ptr, n: number): number;
  gather(args: GatherArgs): void;
  projectAccumulate(args: ProjectArgs): void;
  gram(args: GramArgs): void;
  columnStats(args: ColumnStatsArgs): void;
  scaleColumns(args: ScaleColumnsArgs): void;
  /** Work-area bytes of svcSolve for n samples. */
  svcWorkBytes(n: number): number;
  svcSolve(args: SvcSolveArgs): void;
  /** In place lower Cholesky of A (n x n f64); false when not positive definite. */
  cholesky(A: Ptr, n: number): boolean;
  /** In place b <- (L L^T)^-1 b. */
  choleskySolve(L: Ptr, n: number, b: Ptr): void;
  /** out = K v (K n x n f64). */
  symv(K: Ptr, n: number, v: Ptr, out: Ptr): void;
  /** M = I + diag(d) K diag(d) (lower triangle), then Cholesky of M; false when not positive definite. */
  newtonSystem(K: Ptr, n: number, d: Ptr, M: Ptr): boolean;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Compiles the kernel module from its bytes (the caller fetches or reads them: see
 * src/platform/browser/pool.ts and src/platform/node/pool.ts). The Module can be posted to workers.
 */
export async function compileKernelModule(bytes: ArrayBuffer | ArrayBufferView, source = 'ddmvpa.wasm'): Promise<WebAssembly.Module> {
  const u8 = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (u8.byteLength < 8 || WASM_MAGIC.some((b, i) => u8[i] !== b)) {
    throw new DdError('WASM_INVALID', `${source}: not a WebAssembly module (wrong magic bytes). Rebuild it with \`npm run build:wasm\`.`, { file: source });
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(u8 as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new DdError(
      'WASM_UNSUPPORTED',
      `${source}: this engine cannot compile the kernels (${(e as Error).message}). They need WebAssembly SIMD and threads: use a current Chromium, Firefox or Safari, or Node >= 20.`,
      { file: source, cause: e },
    );
  }
  checkModule(module, source);
  return module;
}

/** Checks that a compiled module has the exports this ABI needs. */
export function checkModule(module: WebAssembly.Module, source = 'ddmvpa.wasm'): void {
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((n) => !names.has(n));
  if (missing.length) {
    throw new DdError('WASM_ABI_MISMATCH', `${source}: missing exports ${missing.join(', ')}; the wasm is stale. Rebuild it with \`npm run build:wasm\`.`, { file: source });
  }
}

/**
 * Instantiates the module on the given shared memory (synchronous: the module is small and
 * already compiled, so this is allowed on a browser main thread too) and returns typed wrappers.
 */
export function loadKernels(opts: { module: WebAssembly.Module; memory: WebAssembly.Memory }): Kernels {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(opts.module, { env: { memory: opts.memory } });
  } catch (e) {
    throw new DdError(
      'WASM_LINK',
      `Cannot instantiate the kernels on this memory (${(e as Error).message}). The memory must be shared with 32..16384 pages: create it with createKernelMemory().`,
      { cause: e },
    );
  }
  const raw = instance.exports as unknown as RawExports;
  const abiVersion = raw.abi_version();
  if (abiVersion !== ABI_VERSION) {
    throw new DdError('WASM_ABI_MISMATCH', `ddmvpa.wasm has ABI ${abiVersion}, this code expects ${ABI_VERSION}. Rebuild it with \`npm run build:wasm\`.`);
  }
  return wrap(raw, opts.memory, abiVersion);
}

function wrap(raw: RawExports, memory: WebAssembly.Memory, abiVersion: number): Kernels {
  const gatherFns: Record<GatherDtype, RawExports['gather_uint8']> = {
    uint8: raw.gather_uint8, int8: raw.gather_int8, int16: raw.gather_int16, uint16: raw.gather_uint16,
    int32: raw.gather_int32, uint32: raw.gather_uint32, float32: raw.gather_float32, float64: raw.gather_float64,
  };

  const span = (name: string, ptr: Ptr, bytes: number, align: number) => {
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % align !== 0) {
      throw new DdError('KERNEL_BAD_ARGS', `${name}: pointer ${ptr} is not a ${align}-byte aligned offset.`);
    }
    const size = memory.buffer.byteLength;
    if (ptr + bytes > size) {
      throw new DdError('KERNEL_BAD_ARGS', `${name}: [${ptr}, ${ptr + bytes}) lies outside the kernel memory (${size} bytes).`);
    }
  };
  const count = (name: string, x: number) => {
    if (!Number.isInteger(x) || x < 0 || x > 0x7fffffff) throw new DdError('KERNEL_BAD_ARGS', `${name} must be a non-negative 32-bit integer, got ${x}.`);
  };
  const run = <T>(name: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        throw new DdError('KERNEL_TRAP', `${name} trapped (${e.message}); an index or pointer is out of range.`, { cause: e });
      }
      throw e;
    }
  };

  return {
    memory,
    heapBase: raw.heap_base(),
    abiVersion,

    dot(a, b, n) {
      count('dot: n', n);
      span('dot a', a, n * 4, 4);
      span('dot b', b, n * 4, 4);
      return raw.dot_f32(a, b, n);
    },

    gather({ dtype, raw: src, idx, nIdx, slope = 1, inter = 0, swap = false, out }) {
      const f = gatherFns[dtype];
      if (!f) throw new DdError('KERNEL_BAD_ARGS', `gather: unsupported dtype "${dtype}" (supported: ${GATHER_DTYPES.join(', ')}).`);
      count('gather: nIdx', nIdx);
      span('gather raw', src, 0, 1);
      span('gather idx', idx, nIdx * 4, 4);
      span('gather out', out, nIdx * 4, 4);
      if (!Number.isFinite(slope) || !Number.isFinite(inter)) throw new DdError('KERNEL_BAD_ARGS', `gather: slope and inter must be finite, got ${slope}, ${inter}.`);
      run('gather', () => f(src, idx, nIdx, slope, inter, swap ? 1 : 0, out));
    },

    projectAccumulate({ y, B, V, w, n, out, vStart = 0, vEnd = V, vTile = 0, bTile = 0 }) {
      count('projectAccumulate: B', B);
      count('projectAccumulate: V', V);
      count('projectAccumulate: n', n);
      if (!Number.isInteger(vStart) || !Number.isInteger(vEnd) || vStart < 0 || vEnd > V || vStart > vEnd) {
        throw new DdError('KERNEL_BAD_ARGS', `projectAccumulate: voxel shard [${vStart}, ${vEnd}) is not inside [0, ${V}).`);
      }
      span('projectAccumulate Y', y, B * V * 4, 4);
      span('projectAccumulate W', w, n * B * 4, 4);
      span('projectAccumulate out', out, n * V * 4, 4);
      if (vStart === vEnd || n === 0 || B === 0) return;
      if (vTile || bTile) raw.project_accumulate_tiled(y, B, V, w, n, out, vStart, vEnd, vTile | 0, bTile | 0);
      else raw.project_accumulate(y, B, V, w, n, out, vStart, vEnd);
    },

    gram({ x, n, p, out }) {
      count('gram: n', n);
      count('gram: p', p);
      span('gram X', x, n * p * 4, 4);
      span('gram out', out, n * n * 8, 8);
      raw.gram_f32(x, n, p, out);
    },

    columnStats({ x, n, p, mean, sd = 0, ddof = 0 }) {
      count('columnStats: n', n);
      count('columnStats: p', p);
      if (!Number.isInteger(ddof) || ddof < 0 || ddof >= n) throw new DdError('KERNEL_BAD_ARGS', `columnStats: ddof must be an integer in [0, n), got ${ddof}.`);
      span('columnStats X', x, n * p * 4, 4);
      span('columnStats mean', mean, p * 8, 8);
      if (sd) span('columnStats sd', sd, p * 8, 8);
      raw.column_stats(x, n, p, mean, sd, ddof);
    },

    scaleColumns({ x, n, p, center = 0, scale = 0 }) {
      count('scaleColumns: n', n);
      count('scaleColumns: p', p);
      span('scaleColumns X', x, n * p * 4, 4);
      if (center) span('scaleColumns center', center, p * 4, 4);
      if (scale) span('scaleColumns scale', scale, p * 4, 4);
      raw.scale_columns(x, n, p, center, scale);
    },

    svcWorkBytes(n) {
      count('svcWorkBytes: n', n);
      return raw.svc_work_bytes(n) >>> 0;
    },

    svcSolve({ K, n, perm, n0, C0, C1, eps, maxIter, work, out }) {
      count('svcSolve: n', n);
      if (!Number.isInteger(n0) || n0 < 0 || n0 > n) throw new DdError('KERNEL_BAD_ARGS', `svcSolve: n0 must be an integer in [0, n], got ${n0}.`);
      if (!(C0 > 0) || !(C1 > 0) || !(eps > 0)) throw new DdError('KERNEL_BAD_ARGS', `svcSolve: C0, C1 and eps must be > 0, got ${C0}, ${C1}, ${eps}.`);
      count('svcSolve: maxIter', maxIter);
      span('svcSolve K', K, n * n * 8, 8);
      span('svcSolve perm', perm, n * 4, 4);
      span('svcSolve work', work, raw.svc_work_bytes(n) >>> 0, 16);
      span('svcSolve out', out, (n + 3) * 8, 8);
      run('svcSolve', () => raw.svc_solve(K, n, perm, n0, C0, C1, eps, maxIter, work, out));
    },

    cholesky(A, n) {
      count('cholesky: n', n);
      span('cholesky A', A, n * n * 8, 8);
      return raw.chol_f64(A, n) === 1;
    },

    choleskySolve(L, n, b) {
      count('choleskySolve: n', n);
      span('choleskySolve L', L, n * n * 8, 8);
      span('choleskySolve b', b, n * 8, 8);
      raw.chol_solve_f64(L, n, b);
    },

    symv(K, n, v, out) {
      count('symv: n', n);
      span('symv K', K, n * n * 8, 8);
      span('symv v', v, n * 8, 8);
      span('symv out', out, n * 8, 8);
      raw.symv_f64(K, n, v, out);
    },

    newtonSystem(K, n, d, M) {
      count('newtonSystem: n', n);
      span('newtonSystem K', K, n * n * 8, 8);
      span('newtonSystem d', d, n * 8, 8);
      span('newtonSystem M', M, n * n * 8, 8);
      return raw.newton_system_f64(K, n, d, M) === 1;
    },
  };
}

/**
 * Checks once per mask that every voxel index lies in [0, nVoxels) (the gather kernels do not
 * check, and an index past the volume would silently read a neighbouring buffer).
 */
export function checkGatherIndices(idx: Int32Array, nVoxels: number, dtype: GatherDtype, name = 'mask'): void {
  for (let j = 0; j < idx.length; j++) {
    const k = idx[j]!;
    if (k < 0 || k >= nVoxels) {
      throw new DdError('KERNEL_BAD_INDEX', `${name}: voxel index ${k} at position ${j} is outside the volume (0..${nVoxels - 1}, ${DTYPE_BYTES[dtype]} bytes per voxel).`);
    }
  }
}

/**
 * Searchlight kernels (assembly/searchlight.ts) on one memory: the Gram matrix of one sphere
 * (voxel-major f32 patterns, voxel v at xt + v·ldx·4) and its update when the sphere gains
 * idx[0..mAdd) and loses idx[mAdd..m). K is n × n f64, exactly symmetric.
 */
export interface SearchlightKernels {
  workBytes(n: number, m: number): number;
  gram(xt: Ptr, ldx: number, n: number, idx: Ptr, m: number, work: Ptr, out: Ptr): void;
  gramUpdate(xt: Ptr, ldx: number, n: number, idx: Ptr, m: number, mAdd: number, work: Ptr, out: Ptr): void;
}

export function loadSearchlightKernels(opts: { module: WebAssembly.Module; memory: WebAssembly.Memory }): SearchlightKernels {
  const names = new Set(WebAssembly.Module.exports(opts.module).map((e) => e.name));
  const missing = SEARCHLIGHT_EXPORTS.filter((x) => !names.has(x));
  if (missing.length) throw new DdError('WASM_ABI_MISMATCH', `ddmvpa.wasm: missing exports ${missing.join(', ')}; rebuild it with \`npm run build:wasm\`.`);
  loadKernels(opts); // checks the ABI version and the memory
  const raw = new WebAssembly.Instance(opts.module, { env: { memory: opts.memory } }).exports as unknown as SearchlightRawExports;
  const mem = opts.memory;
  const check = (name: string, ptr: number, bytes: number) => {
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % 4 !== 0 || ptr + bytes > mem.buffer.byteLength) {
      throw new DdError('KERNEL_BAD_ARGS', `${name}: [${ptr}, ${ptr + bytes}) is not an aligned range inside the kernel memory.`);
    }
  };
  return {
    workBytes: (n, m) => raw.sl_work_bytes(n, m) >>> 0,
    gram(xt, ldx, n, idx, m, work, out) {
      check('slGram idx', idx, m * 4);
      check('slGram work', work, raw.sl_work_bytes(n, m) >>> 0);
      check('slGram out', out, n * n * 8);
      raw.sl_gram(xt, ldx, n, idx, m, work, out);
    },
    gramUpdate(xt, ldx, n, idx, m, mAdd, work, out) {
      check('slGramUpdate idx', idx, m * 4);
      check('slGramUpdate work', work, raw.sl_work_bytes(n, m) >>> 0);
      check('slGramUpdate out', out, n * n * 8);
      raw.sl_gram_update(xt, ldx, n, idx, m, mAdd, work, out);
    },
  };
}

/**
 * Decoding kernels (assembly/gram.ts): train-fold scaling + f64 Gram matrix of m rows of
 * X (f32, n × p row-major), bit-identical to src/core/mvpa/scaling.ts gramF64 on the same scaled
 * rows. work: p · m f64; out: m × m f64. Null when the module predates these exports.
 */
export interface DecodeKernels {
  scaledGramF64(args: { x: Ptr; n: number; p: number; rows: Ptr; m: number; mean: Ptr; scale: Ptr; work: Ptr; out: Ptr }): void;
}

export function loadDecodeKernels(opts: { module: WebAssembly.Module; memory: WebAssembly.Memory }): DecodeKernels | null {
  const names = new Set(WebAssembly.Module.exports(opts.module).map((e) => e.name));
  if (DECODE_EXPORTS.some((x) => !names.has(x))) return null;
  loadKernels(opts); // checks the ABI version and the memory
  const raw = new WebAssembly.Instance(opts.module, { env: { memory: opts.memory } }).exports as unknown as DecodeRawExports;
  const mem = opts.memory;
  const check = (name: string, ptr: number, bytes: number, align: number) => {
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % align !== 0 || ptr + bytes > mem.buffer.byteLength) {
      throw new DdError('KERNEL_BAD_ARGS', `${name}: [${ptr}, ${ptr + bytes}) is not an aligned range inside the kernel memory.`);
    }
  };
  return {
    scaledGramF64({ x, n, p, rows, m, mean, scale, work, out }) {
      for (const [k, v] of [['n', n], ['p', p], ['m', m]] as const) {
        if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new DdError('KERNEL_BAD_ARGS', `scaledGramF64: ${k} must be a non-negative 32-bit integer, got ${v}.`);
      }
      check('scaledGramF64 X', x, n * p * 4, 4);
      check('scaledGramF64 rows', rows, m * 4, 4);
      const r = new Int32Array(mem.buffer, rows, m);
      for (let a = 0; a < m; a++) if (!(r[a]! >= 0 && r[a]! < n)) throw new DdError('KERNEL_BAD_ARGS', `scaledGramF64: row ${r[a]} is outside 0..${n - 1}.`);
      check('scaledGramF64 mean', mean, p * 8, 8);
      check('scaledGramF64 scale', scale, p * 8, 8);
      check('scaledGramF64 work', work, p * m * 8, 8);
      check('scaledGramF64 out', out, m * m * 8, 8);
      raw.scaled_gram_f64(x, p, rows, m, mean, scale, work, out);
    },
  };
}

/**
 * Logistic-regression kernels (assembly/newton.ts; TypeScript twins in src/core/mvpa/models:
 * linalg.ts matVec, logreg-basis.ts fitInBasisTs). Null when the module predates these exports.
 */
export interface NewtonKernels {
  /** out = A x (A rows × cols f64 row-major, each entry in dot2 order). */
  matVec(A: Ptr, rows: number, cols: number, x: Ptr, out: Ptr): void;
  /** Work-area bytes of logregBasisFit. */
  logregBasisWorkBytes(n: number, r: number): number;
  /**
   * One fit in the eigenbasis (Z n × r, Zt r × n, lam and q r f64; s, c n f64) and the decisions
   * of the nTest rows of Ktest (nTest × n; nTest may be 0): out (n + 3 + nTest f64) = dual
   * coefficients, intercept, iterations, converged (1 / 0), decisions.
   */
  logregBasisFit(args: { Z: Ptr; Zt: Ptr; lam: Ptr; q: Ptr; n: number; r: number; s: Ptr; c: Ptr; tol: number; maxIter: number; Ktest: Ptr; nTest: number; work: Ptr; out: Ptr }): void;
  /**
   * Eigendecomposition of the symmetric n × n f64 matrix in W (overwritten: row k = eigenvector of
   * d[k], ascending; e: n f64 scratch). False when it did not converge (non-finite input).
   */
  symEig(W: Ptr, n: number, d: Ptr, e: Ptr): boolean;
}

export function loadNewtonKernels(opts: { module: WebAssembly.Module; memory: WebAssembly.Memory }): NewtonKernels | null {
  const names = new Set(WebAssembly.Module.exports(opts.module).map((e) => e.name));
  if (NEWTON_EXPORTS.some((x) => !names.has(x))) return null;
  loadKernels(opts); // checks the ABI version and the memory
  const raw = new WebAssembly.Instance(opts.module, { env: { memory: opts.memory } }).exports as unknown as NewtonRawExports;
  const mem = opts.memory;
  let limit = 0; // the memory's size, read once per call
  const check = (name: string, ptr: number, bytes: number) => {
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % 8 !== 0 || ptr + bytes > limit) {
      throw new DdError('KERNEL_BAD_ARGS', `${name}: [${ptr}, ${ptr + bytes}) is not an 8-byte aligned range inside the kernel memory.`);
    }
  };
  const size = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min || v > 0x7fffffff) throw new DdError('KERNEL_BAD_ARGS', `${name} must be an integer ≥ ${min}, got ${v}.`);
  };
  const workBytes = (n: number, r: number) => raw.logreg_basis_work_bytes(n, r) >>> 0;
  return {
    matVec(A, rows, cols, x, out) {
      limit = mem.buffer.byteLength;
      size('matVec: rows', rows, 0);
      size('matVec: cols', cols, 0);
      check('matVec A', A, rows * cols * 8);
      check('matVec x', x, cols * 8);
      check('matVec out', out, rows * 8);
      raw.mat_vec(A, rows, cols, x, out);
    },
    logregBasisWorkBytes(n, r) {
      size('logregBasisWorkBytes: n', n, 1);
      size('logregBasisWorkBytes: r', r, 0);
      return workBytes(n, r);
    },
    logregBasisFit({ Z, Zt, lam, q, n, r, s, c, tol, maxIter, Ktest, nTest, work, out }) {
      limit = mem.buffer.byteLength;
      size('logregBasisFit: n', n, 1);
      size('logregBasisFit: r', r, 0);
      if (r > n) throw new DdError('KERNEL_BAD_ARGS', `logregBasisFit: r (${r}) must not exceed n (${n}).`);
      size('logregBasisFit: maxIter', maxIter, 0);
      if (!(tol >= 0)) throw new DdError('KERNEL_BAD_ARGS', `logregBasisFit: tol must be ≥ 0, got ${tol}.`);
      check('logregBasisFit Z', Z, n * r * 8);
      check('logregBasisFit Zt', Zt, n * r * 8);
      check('logregBasisFit lam', lam, r * 8);
      check('logregBasisFit q', q, r * 8);
      check('logregBasisFit s', s, n * 8);
      check('logregBasisFit c', c, n * 8);
      size('logregBasisFit: nTest', nTest, 0);
      if (nTest > 0) check('logregBasisFit Ktest', Ktest, nTest * n * 8);
      check('logregBasisFit work', work, workBytes(n, r));
      check('logregBasisFit out', out, (n + 3 + nTest) * 8);
      raw.logreg_basis_fit(Z, Zt, lam, q, n, r, s, c, tol, maxIter, Ktest, nTest, work, out);
    },
    symEig(W, n, d, e) {
      limit = mem.buffer.byteLength;
      size('symEig: n', n, 0);
      check('symEig W', W, n * n * 8);
      check('symEig d', d, n * 8);
      check('symEig e', e, n * 8);
      return raw.sym_eig_f64(W, n, d, e) === 1;
    },
  };
}
