/**
 * SHA-256 on the wasm kernels (assembly/sha256.ts, unrolled: ~350–390 MB/s in V8 against ~160–190
 * for the TypeScript compression function): the browser hashes each input file before anything
 * else can start. The padding
 * and the state stay in src/core/cache/sha256.ts (one implementation); only the block function
 * moves to wasm, so the digests are the same by construction (tested against Node's OpenSSL).
 */
import { Sha256, type CompressBlocks, type IncrementalHash } from '../cache/sha256.ts';
import { HASH_EXPORTS, type HashRawExports } from './abi.ts';
import type { KernelEngine } from './index.ts';

/** Bytes of input per wasm call (a multiple of 64). */
const CHUNK_BYTES = 1 << 20;

/**
 * One scratch region per engine, made on first use. Hashers may share it: each call copies the
 * state in and out and runs synchronously, so interleaved hashes cannot see each other's bytes.
 */
const compressors = new WeakMap<KernelEngine, CompressBlocks | null>();

function wasmCompressor(engine: KernelEngine): CompressBlocks | null {
  if (compressors.has(engine)) return compressors.get(engine)!;
  const names = new Set(WebAssembly.Module.exports(engine.module).map((e) => e.name));
  if (!HASH_EXPORTS.every((n) => names.has(n))) {
    compressors.set(engine, null); // an older module: the TypeScript function serves
    return null;
  }
  const raw = new WebAssembly.Instance(engine.module, { env: { memory: engine.memory } }).exports as unknown as HashRawExports;
  const state = engine.arena.alloc(32);
  const data = engine.arena.alloc(CHUNK_BYTES);
  const compress: CompressBlocks = (h, bytes, offset, nBlocks) => {
    const mem = engine.memory.buffer; // (views are re-made: the memory may have grown)
    new Int32Array(mem, state, 8).set(h);
    for (let done = 0; done < nBlocks;) {
      const n = Math.min(nBlocks - done, CHUNK_BYTES >>> 6);
      const at = offset + (done << 6);
      new Uint8Array(engine.memory.buffer, data, n << 6).set(bytes.subarray(at, at + (n << 6)));
      raw.sha256_blocks(state, data, n);
      done += n;
    }
    h.set(new Int32Array(engine.memory.buffer, state, 8));
  };
  compressors.set(engine, compress);
  return compress;
}

/** An incremental SHA-256 whose blocks are compressed in wasm (in TypeScript when the module lacks the kernel). */
export function wasmSha256(engine: KernelEngine): IncrementalHash {
  return new Sha256(wasmCompressor(engine) ?? undefined);
}
