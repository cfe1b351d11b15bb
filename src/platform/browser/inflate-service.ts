/**
 * The inflate worker's side of src/platform/browser/worker-inflate.ts: one stream per port,
 * compressed chunks in (acknowledged when read), inflated chunks out in groups (one per credit).
 */
import { defaultInflate, type Inflate } from '../../core/nifti/read.ts';
import { wasmGunzip, type WasmGunzip } from '../../core/nifti/wasm-inflate.ts';
import { gcNudger } from './event-loop.ts';
import { INFLATE_FIRST_BYTES, INFLATE_GROUP_BYTES, ownBuffer, type FromInflater, type ToInflater } from './worker-inflate.ts';

let gunzip: { module: WebAssembly.Module; inflate: WasmGunzip | null } | null = null;
/** The wasm gunzip on the kernel module (made once), else the browser's DecompressionStream. */
function inflaterFor(module: WebAssembly.Module | undefined, buffer: (n: number) => ArrayBuffer): Inflate {
  if (!module) return defaultInflate;
  if (gunzip?.module !== module) gunzip = { module, inflate: wasmGunzip(module) };
  const g = gunzip.inflate;
  return g ? (s) => g(s, buffer) : defaultInflate;
}

/** Serves one stream on `port` until it ends, fails or is cancelled (with the kernel module: the wasm gunzip). */
export async function serveInflate(port: MessagePort, module?: WebAssembly.Module): Promise<void> {
  const send = (m: FromInflater, transfer: Transferable[] = []) => port.postMessage(m, transfer);
  let credits = 0;
  let cancelled = false;
  let wake: (() => void) | null = null;
  const inputs: ToInflater[] = [];
  let inputWaiting: (() => void) | null = null;
  // Output buffers the reader gave back (see worker-inflate.ts), reused for the next chunks.
  const pool: ArrayBuffer[] = [];
  const mine = new WeakSet<ArrayBuffer>();
  const buffer = (n: number): ArrayBuffer => {
    const i = pool.findIndex((b) => b.byteLength >= n);
    const b = i >= 0 ? pool.splice(i, 1)[0]! : new ArrayBuffer(Math.max(n, INFLATE_GROUP_BYTES));
    mine.add(b);
    return b;
  };
  port.onmessage = (e: MessageEvent<ToInflater>) => {
    const m = e.data;
    if ('credit' in m) {
      credits += m.credit;
      for (const b of m.recycle) if (pool.length < 8) pool.push(b);
    }
    else if ('cancel' in m) cancelled = true;
    else {
      inputs.push(m);
      inputWaiting?.();
    }
    wake?.();
    if (cancelled) inputWaiting?.();
  };
  const input = new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        while (inputs.length === 0 && !cancelled) await new Promise<void>((r) => { inputWaiting = r; });
        inputWaiting = null;
        if (cancelled) return ctrl.close();
        const m = inputs.shift()!;
        if ('input' in m) {
          ctrl.enqueue(new Uint8Array(m.input));
          send({ ack: true });
        } else if ('end' in m) ctrl.close();
        else if ('sourceError' in m) ctrl.error(new TypeError(m.sourceError));
      },
    },
    { highWaterMark: 0 },
  );
  const reader = inflaterFor(module, buffer)(input).getReader();
  // The compressed chunks die here, young and many: let the GC see them (event-loop.ts).
  const counted = gcNudger();
  // Groups of the inflater's own chunks, buffers transferred (no copy).
  let group: ArrayBuffer[] = [];
  let lengths: number[] = [];
  let bytes = 0;
  let limit = INFLATE_FIRST_BYTES;
  const flush = async () => {
    while (credits === 0 && !cancelled) await new Promise<void>((r) => { wake = r; });
    wake = null;
    if (cancelled) return;
    credits--;
    send({ parts: group, lengths }, group);
    counted(bytes);
    group = [];
    lengths = [];
    bytes = 0;
    limit = INFLATE_GROUP_BYTES;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || cancelled) break;
      // our own pooled buffers travel whole (the chunk at their start); others as they are, or copied
      group.push(mine.has(value.buffer as ArrayBuffer) && value.byteOffset === 0 ? (value.buffer as ArrayBuffer) : ownBuffer(value));
      lengths.push(value.byteLength);
      bytes += value.byteLength;
      if (bytes >= limit) await flush();
    }
    if (!cancelled) {
      if (group.length > 0) await flush();
      send({ done: true });
    }
  } catch (e) {
    if (!cancelled) send({ error: (e as Error)?.message ?? String(e) });
  } finally {
    if (cancelled) await reader.cancel().catch(() => {});
    port.close();
  }
}
