import { DdError } from '../errors.ts';
import { WASM_INITIAL_PAGES, WASM_MAXIMUM_PAGES, WASM_PAGE_BYTES } from './abi.ts';

export type Ptr = number;

/**
 * The one memory of the engine: shared (so one Memory can be posted to every worker) with the
 * limits the module was compiled with. `initialPages` >= 32 and `maximumPages` <= 16384 (1 GiB).
 *
 * Shared wasm memory can be created even on a page that is not cross-origin isolated (Chromium,
 * Node); what needs isolation is posting it to a worker. See `Isolation` in ../pool.ts.
 */
export function createKernelMemory(opts: { initialPages?: number; maximumPages?: number } = {}): WebAssembly.Memory {
  const initial = Math.max(WASM_INITIAL_PAGES, opts.initialPages ?? WASM_INITIAL_PAGES);
  const maximum = Math.min(WASM_MAXIMUM_PAGES, opts.maximumPages ?? WASM_MAXIMUM_PAGES);
  if (initial > maximum) {
    throw new DdError('KERNEL_MEMORY_LIMITS', `Kernel memory: initial ${initial} pages exceed the maximum ${maximum} pages (64 KiB each).`);
  }
  try {
    return new WebAssembly.Memory({ initial, maximum, shared: true });
  } catch (e) {
    throw new DdError(
      'KERNEL_NO_SHARED_MEMORY',
      `This JavaScript engine cannot create shared WebAssembly memory (${(e as Error).message}). Use a current Chromium, Firefox, Safari or Node >= 20.`,
      { cause: e },
    );
  }
}

interface Block { ptr: number; size: number }

/**
 * A simple allocator over the shared kernel memory, used only by the thread that owns the memory
 * (the main thread / the CLI's main thread). Workers never allocate: they receive pointers. Blocks
 * are first-fit from a sorted, coalescing free list, else bumped from the top; the memory grows
 * (memory.grow) when the top passes its end. Growth never moves data and never detaches a shared
 * buffer: views made before a growth stay valid for their range, but only fresh views (f32(),
 * i32(), ... below, which read memory.buffer each call) reach the new bytes.
 */
export class SharedArena {
  readonly memory: WebAssembly.Memory;
  /** First byte the arena hands out (above the module's static data). */
  readonly base: number;
  private top: number;
  private readonly freeList: Block[] = [];
  private readonly live = new Map<number, number>();

  constructor(memory: WebAssembly.Memory, opts: { base: number }) {
    this.memory = memory;
    this.base = alignUp(Math.max(opts.base, 16), 64);
    this.top = this.base;
  }

  /** Bytes in live blocks. */
  get used(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  /** Current memory size in bytes. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** High-water mark of the arena (end of the highest block ever in use since reset). */
  get end(): number {
    return this.top;
  }

  /**
   * Allocates `bytes` (rounded up to 16) aligned to `align` (a power of two, 4..4096). Not
   * zeroed unless `zero` (fresh memory from growth is zero anyway). Throws
   * KERNEL_OUT_OF_MEMORY when the memory cannot grow that far.
   */
  alloc(bytes: number, align = 16, zero = false): Ptr {
    if (!Number.isInteger(bytes) || bytes < 0) throw new DdError('KERNEL_BAD_ARGS', `SharedArena.alloc: bytes must be a non-negative integer, got ${bytes}.`);
    if (!Number.isInteger(align) || align < 4 || align > 4096 || (align & (align - 1)) !== 0) {
      throw new DdError('KERNEL_BAD_ARGS', `SharedArena.alloc: align must be a power of two in 4..4096, got ${align}.`);
    }
    const size = Math.max(16, alignUp(bytes, 16));
    let ptr = -1;
    for (let k = 0; k < this.freeList.length; k++) {
      const b = this.freeList[k]!;
      const p = alignUp(b.ptr, align);
      if (p + size <= b.ptr + b.size) {
        const tail = b.ptr + b.size - (p + size);
        const pieces: Block[] = [];
        if (p > b.ptr) pieces.push({ ptr: b.ptr, size: p - b.ptr });
        if (tail > 0) pieces.push({ ptr: p + size, size: tail });
        this.freeList.splice(k, 1, ...pieces);
        ptr = p;
        break;
      }
    }
    if (ptr < 0) {
      const p = alignUp(this.top, align);
      this.ensure(p + size);
      if (p > this.top) this.insertFree(this.top, p - this.top);
      this.top = p + size;
      ptr = p;
    }
    this.live.set(ptr, size);
    if (zero) new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Returns a block from alloc() to the arena. */
  free(ptr: Ptr): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new DdError('KERNEL_BAD_FREE', `SharedArena.free: ${ptr} is not a live block of this arena.`);
    this.live.delete(ptr);
    this.insertFree(ptr, size);
    // Give the top back when the highest block is free.
    const last = this.freeList[this.freeList.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.freeList.pop();
    }
  }

  /** Frees every block at once (memory is not shrunk: wasm memory never shrinks). */
  reset(): void {
    this.live.clear();
    this.freeList.length = 0;
    this.top = this.base;
  }

  /** Makes sure the memory reaches byte `end` (grows it if needed). */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / WASM_PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new DdError(
        'KERNEL_OUT_OF_MEMORY',
        `Kernel memory cannot grow to ${(end / 2 ** 20).toFixed(1)} MiB (limit ${(WASM_MAXIMUM_PAGES * WASM_PAGE_BYTES) / 2 ** 30} GiB, or the system refused). Use fewer voxels or trials per pass (e.g. ROIs instead of the whole brain).`,
        { cause: e },
      );
    }
  }

  /** The current buffer (a SharedArrayBuffer; re-read after growth). */
  buffer(): ArrayBufferLike {
    return this.memory.buffer;
  }

  f32(ptr: Ptr, n: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, n); }
  f64(ptr: Ptr, n: number): Float64Array { return new Float64Array(this.memory.buffer, ptr, n); }
  i32(ptr: Ptr, n: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, n); }
  u32(ptr: Ptr, n: number): Uint32Array { return new Uint32Array(this.memory.buffer, ptr, n); }
  i16(ptr: Ptr, n: number): Int16Array { return new Int16Array(this.memory.buffer, ptr, n); }
  u16(ptr: Ptr, n: number): Uint16Array { return new Uint16Array(this.memory.buffer, ptr, n); }
  u8(ptr: Ptr, n: number): Uint8Array { return new Uint8Array(this.memory.buffer, ptr, n); }

  /** Allocates and copies `src` into the arena; returns the pointer. */
  put(src: ArrayBufferView, align = 16): Ptr {
    const ptr = this.alloc(src.byteLength, align);
    new Uint8Array(this.memory.buffer, ptr, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return ptr;
  }

  private insertFree(ptr: number, size: number): void {
    const fl = this.freeList;
    let lo = 0, hi = fl.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fl[mid]!.ptr < ptr) lo = mid + 1; else hi = mid;
    }
    fl.splice(lo, 0, { ptr, size });
    // Coalesce with the next, then with the previous block.
    const cur = fl[lo]!;
    const next = fl[lo + 1];
    if (next && cur.ptr + cur.size === next.ptr) {
      cur.size += next.size;
      fl.splice(lo + 1, 1);
    }
    const prev = fl[lo - 1];
    if (prev && prev.ptr + prev.size === cur.ptr) {
      prev.size += cur.size;
      fl.splice(lo, 1);
    }
  }
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}
