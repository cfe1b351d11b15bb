/**
 * Where the dual models do their n × n work: plain TypeScript (default) or the wasm kernels
 * (assembly/solvers.ts). Both paths perform the same floating-point operations in the same order,
 * so a fit is bit-identical either way (tests/unit/mvpa/models-wasm.test.ts); wasm is faster.
 *
 *   useWasmSolvers(createKernelEngine(module));   // this realm's fits run in wasm
 *   useWasmSolvers(null);                         // back to TypeScript
 *
 * The engine's arena must belong to the calling thread (the models allocate their scratch from it
 * and keep it between fits; nobody else may reset that arena while it is in use). In a worker,
 * give the models their own small engine: `createKernelEngine(module)` makes a private memory
 * (2 MiB, grows as needed) — workers never allocate from the main thread's arena.
 */
import { loadDecodeKernels, loadNewtonKernels, type DecodeKernels, type Kernels, type NewtonKernels } from '../../kernels/kernels.ts';
import type { SharedArena } from '../../kernels/memory.ts';
import { choleskyInPlace, choleskySolveInPlace, newtonSystemInPlace, symMatVec } from './linalg.ts';

export interface SolverEngine {
  readonly kernels: Kernels;
  readonly arena: SharedArena;
  /** The compiled module (a KernelEngine has it): enables the decoding kernels (decodeKernels()). */
  readonly module?: WebAssembly.Module;
}

/** Scratch blocks of one engine, reused between fits and grown on demand. */
export class WasmWorkspace {
  readonly kernels: Kernels;
  readonly arena: SharedArena;
  private readonly blocks = new Map<string, { ptr: number; bytes: number }>();

  private readonly module: WebAssembly.Module | null;
  private decode: DecodeKernels | null | undefined;
  private newton: NewtonKernels | null | undefined;

  constructor(engine: SolverEngine) {
    this.kernels = engine.kernels;
    this.arena = engine.arena;
    this.module = engine.module ?? null;
  }

  /** The decoding kernels on this engine's memory (null without a module or with an older one). */
  decodeKernels(): DecodeKernels | null {
    if (this.decode === undefined) this.decode = this.module ? loadDecodeKernels({ module: this.module, memory: this.kernels.memory }) : null;
    return this.decode;
  }

  /** The logistic-regression kernels on this engine's memory (null without a module or with an older one). */
  newtonKernels(): NewtonKernels | null {
    if (this.newton === undefined) this.newton = this.module ? loadNewtonKernels({ module: this.module, memory: this.kernels.memory }) : null;
    return this.newton;
  }

  /** A block of at least `bytes` (16-byte aligned) for the role `name`. Views made before a call may be stale after it (growth). */
  ptr(name: string, bytes: number): number {
    const b = this.blocks.get(name);
    if (b && b.bytes >= bytes) return b.ptr;
    this.holds.delete(name);
    if (b) this.arena.free(b.ptr);
    const size = Math.max(bytes, 64, b ? 2 * b.bytes : 0);
    const ptr = this.arena.alloc(size, 16);
    this.blocks.set(name, { ptr, bytes: size });
    return ptr;
  }

  /** Which caller array each block holds a copy of (only for arrays promised never to change). */
  private readonly holds = new Map<string, Float64Array>();

  /**
   * The block `name` filled with a copy of `src`. With `unchanging` (the caller never writes to
   * src, e.g. a fold's Gram slice in the permutation test) the copy is skipped when the block
   * still holds this very array from the previous call.
   */
  putF64(name: string, src: Float64Array, unchanging = false): number {
    const ptr = this.ptr(name, src.length * 8);
    if (unchanging && this.holds.get(name) === src) return ptr;
    this.arena.f64(ptr, src.length).set(src);
    if (unchanging) this.holds.set(name, src);
    else this.holds.delete(name);
    return ptr;
  }

  /** Forgets that a block holds a caller array (its content is about to change). */
  overwritten(name: string): void {
    this.holds.delete(name);
  }

  release(): void {
    for (const b of this.blocks.values()) this.arena.free(b.ptr);
    this.blocks.clear();
    this.holds.clear();
  }
}

let current: WasmWorkspace | null = null;

/** Routes this realm's fits through the wasm kernels of `engine` (null: plain TypeScript). */
export function useWasmSolvers(engine: SolverEngine | null): void {
  current?.release();
  current = engine ? new WasmWorkspace(engine) : null;
}

/** The active wasm workspace, or null when fits run in TypeScript. */
export function wasmWorkspace(): WasmWorkspace | null {
  return current;
}

export type VecName = 'r' | 'Kr' | 'd' | 'z1' | 'z2' | 'da' | 'Kda';
const VEC_NAMES: readonly VecName[] = ['r', 'Kr', 'd', 'z1', 'z2', 'da', 'Kda'];

/**
 * The dense operations of the Newton logistic and ridge fits on n × n matrices: K (the training
 * Gram matrix, a copy), M (system matrix / Cholesky factor) and n-vectors by name.
 */
export interface DenseOps {
  readonly n: number;
  readonly K: Float64Array;
  readonly M: Float64Array;
  vec(name: VecName): Float64Array;
  /** dst = K src. */
  symv(src: VecName, dst: VecName): void;
  /** M = I + diag(d) K diag(d), factorised; false when not positive definite. */
  newtonSystem(d: VecName): boolean;
  /** Factorises M as filled by the caller; false when not positive definite. */
  cholesky(): boolean;
  /** b ← M⁻¹ b with M's factor. */
  solve(b: VecName): void;
}

class JsOps implements DenseOps {
  readonly M: Float64Array;
  private readonly vecs = new Map<VecName, Float64Array>();
  constructor(readonly K: Float64Array, readonly n: number) {
    this.M = new Float64Array(n * n);
    for (const v of VEC_NAMES) this.vecs.set(v, new Float64Array(n));
  }
  vec(name: VecName): Float64Array { return this.vecs.get(name)!; }
  symv(src: VecName, dst: VecName): void { symMatVec(this.K, this.n, this.vec(src), this.vec(dst)); }
  newtonSystem(d: VecName): boolean { return newtonSystemInPlace(this.K, this.n, this.vec(d), this.M); }
  cholesky(): boolean { return choleskyInPlace(this.M, this.n); }
  solve(b: VecName): void { choleskySolveInPlace(this.M, this.n, this.vec(b)); }
}

class WasmOps implements DenseOps {
  readonly K: Float64Array;
  readonly M: Float64Array;
  private readonly kP: number;
  private readonly mP: number;
  private readonly vP = new Map<VecName, number>();
  private readonly vecs = new Map<VecName, Float64Array>();
  private readonly k: Kernels;
  constructor(ws: WasmWorkspace, K: Float64Array, readonly n: number, unchanging: boolean) {
    const nn = n * n * 8, vb = Math.ceil((n * 8) / 16) * 16;
    this.mP = ws.ptr('dense.M', nn);
    const base = ws.ptr('dense.vecs', vb * VEC_NAMES.length);
    this.kP = ws.putF64('dense.K', K, unchanging);
    VEC_NAMES.forEach((v, k) => this.vP.set(v, base + k * vb));
    // Views after every allocation (growth would leave earlier views short).
    this.K = ws.arena.f64(this.kP, n * n);
    this.M = ws.arena.f64(this.mP, n * n);
    for (const v of VEC_NAMES) this.vecs.set(v, ws.arena.f64(this.vP.get(v)!, n).fill(0));
    this.k = ws.kernels;
  }
  vec(name: VecName): Float64Array { return this.vecs.get(name)!; }
  symv(src: VecName, dst: VecName): void { this.k.symv(this.kP, this.n, this.vP.get(src)!, this.vP.get(dst)!); }
  newtonSystem(d: VecName): boolean { return this.k.newtonSystem(this.kP, this.n, this.vP.get(d)!, this.mP); }
  cholesky(): boolean { return this.k.cholesky(this.mP, this.n); }
  solve(b: VecName): void { this.k.choleskySolve(this.mP, this.n, this.vP.get(b)!); }
}

/**
 * Dense operations on a copy of K in the active backend. `unchanging`: the caller never writes to
 * K (wasm: consecutive fits on the same K skip the copy).
 */
export function denseOps(K: Float64Array, n: number, unchanging = false): DenseOps {
  const ws = current;
  return ws ? new WasmOps(ws, K, n, unchanging) : new JsOps(K, n);
}
