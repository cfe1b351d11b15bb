/**
 * gunzip on the wasm kernels (assembly/inflate.ts) as an `Inflate`: a stream of compressed bytes
 * in, inflated chunks out. For browsers whose DecompressionStream inflates slowly (Debian's
 * Chromium uses the system zlib: ~117 MB/s out), which bounds the page's stream pass.
 * Errors carry zlib-like wording, so read.ts names the file and the fix the same way
 * (NIFTI_TRUNCATED / NIFTI_CORRUPT). Unlike DecompressionStream, the bytes before damage are
 * delivered before the error.
 */
import { createKernelEngine } from '../kernels/index.ts';

interface InflateRaw {
  inflate_state_bytes(): number;
  inflate_reset(st: number): void;
  inflate_run(st: number, crcTab: number, inp: number, inLen: number, final: number, out: number, outCap: number): number;
}

const WINDOW = 32768;
const IN_BYTES = 1 << 20;
const OUT_BYTES = WINDOW + (1 << 20);
/** State offsets the host reads (assembly/inflate.ts). */
const IN_POS = 32;
const OUT_POS = 36;
const R_NEED_INPUT = 0, R_OUT_FULL = 1, R_DONE = 2;

const MESSAGES: Record<number, string> = {
  [-1]: 'incorrect header check (not gzip data)',
  [-2]: 'unknown compression method or flags in the gzip header',
  [-3]: 'invalid block type',
  [-4]: 'invalid code lengths set',
  [-5]: 'invalid code',
  [-6]: 'invalid distance too far back',
  [-7]: 'invalid stored block lengths',
  [-8]: 'incorrect data check (CRC-32)',
  [-9]: 'incorrect length check',
  [-10]: 'unexpected end of file',
  [-11]: 'junk found after the end of the gzip data',
};

function crcTable(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  return t;
}

/**
 * An Inflate that may take the buffers of its chunks from `buffer(n)` (an ArrayBuffer of at least
 * n bytes, the chunk at its start): a caller that gets buffers back from its reader saves the
 * page faults of fresh memory. Default: a fresh buffer per chunk.
 */
export type WasmGunzip = (compressed: ReadableStream<Uint8Array>, buffer?: (n: number) => ArrayBuffer) => ReadableStream<Uint8Array>;

/** A wasm gunzip over `module` (its own memory), or null when the module lacks the kernel or memory cannot be made. */
export function wasmGunzip(module: WebAssembly.Module): WasmGunzip | null {
  if (!WebAssembly.Module.exports(module).some((e) => e.name === 'inflate_run')) return null;
  let engine;
  try {
    engine = createKernelEngine(module);
  } catch {
    return null;
  }
  const raw = new WebAssembly.Instance(module, { env: { memory: engine.memory } }).exports as unknown as InflateRaw;
  const tab = engine.arena.alloc(8 * 256 * 4);
  new Uint32Array(engine.memory.buffer, tab, 8 * 256).set(crcTable());
  const stBytes = raw.inflate_state_bytes();
  let busy = false; // one stream at a time on these buffers; a second one gets its own engine
  const st = engine.arena.alloc(stBytes);
  const inp = engine.arena.alloc(IN_BYTES);
  const out = engine.arena.alloc(OUT_BYTES);

  return (compressed, buffer) => {
    if (busy) return wasmGunzip(module)!(compressed, buffer);
    busy = true;
    raw.inflate_reset(st);
    const mem = () => new Uint8Array(engine.memory.buffer);
    const i32 = () => new Int32Array(engine.memory.buffer);
    const source = compressed.getReader();
    let inLen = 0;
    let final = 0;
    let pending: Uint8Array | null = null; // a source chunk not yet all copied in
    let emitFrom = 0;
    i32()[(st + OUT_POS) >> 2] = 0;
    const finish = () => { busy = false; };
    return new ReadableStream<Uint8Array>(
      {
        async pull(ctrl) {
          try {
            for (;;) {
              // top up the input
              while (!final && inLen < IN_BYTES) {
                if (!pending) {
                  const { done, value } = await source.read();
                  if (done) { final = 1; break; }
                  pending = value;
                }
                const n = Math.min(pending.byteLength, IN_BYTES - inLen);
                mem().set(pending.subarray(0, n), inp + inLen);
                inLen += n;
                pending = n < pending.byteLength ? pending.subarray(n) : null;
                if (inLen >= IN_BYTES >> 1) break; // enough to run on
              }
              const r = raw.inflate_run(st, tab, inp, inLen, final, out, OUT_BYTES);
              const v = i32();
              const used = v[(st + IN_POS) >> 2]!;
              let op = v[(st + OUT_POS) >> 2]!;
              const m = mem();
              if (used > 0) { m.copyWithin(inp, inp + used, inp + inLen); inLen -= used; }
              let produced: Uint8Array | null = null;
              if (op > emitFrom) {
                const n = op - emitFrom;
                produced = buffer ? new Uint8Array(buffer(n), 0, n) : new Uint8Array(n);
                produced.set(m.subarray(out + emitFrom, out + op));
              }
              if (op > WINDOW + (OUT_BYTES >> 1) || r === R_OUT_FULL) {
                // keep the last 32 KB as history at the front
                const keep = Math.min(op, WINDOW);
                m.copyWithin(out, out + op - keep, out + op);
                op = keep;
                v[(st + OUT_POS) >> 2] = op;
              }
              emitFrom = op;
              if (r < 0) {
                if (produced) ctrl.enqueue(produced);
                throw new TypeError(MESSAGES[r] ?? `inflate error ${r}`);
              }
              if (r === R_DONE) {
                if (produced) ctrl.enqueue(produced);
                finish();
                ctrl.close();
                return;
              }
              if (r === R_NEED_INPUT && final) throw new TypeError(MESSAGES[-10]!);
              if (produced) { ctrl.enqueue(produced); return; }
            }
          } catch (e) {
            finish();
            source.cancel(e).catch(() => {});
            throw e;
          }
        },
        cancel(reason) {
          finish();
          return source.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  };
}
