/**
 * Memory probes of the page. What a browser tells a page differs by browser:
 * - `performance.memory` (Chromium): this page's JS heap, cheap, synchronous, coarse;
 * - `performance.measureUserAgentSpecificMemory()` (cross-origin isolated pages, Chromium):
 *   the JS memory of the page and its workers, but the answer may wait for the next garbage
 *   collection (seconds).
 * The kernels' wasm memory is reported by the worker that owns it.
 */

interface MemoryInfo { usedJSHeapSize: number; totalJSHeapSize: number; jsHeapSizeLimit: number }
interface UaMemory { bytes: number; breakdown: { bytes: number; attribution: { scope?: string; url?: string }[]; types: string[] }[] }

/** This page's used JS heap in bytes, or null where the browser does not say. */
export function pageJsHeapBytes(): number | null {
  const m = (performance as unknown as { memory?: MemoryInfo }).memory;
  return m && Number.isFinite(m.usedJSHeapSize) ? m.usedJSHeapSize : null;
}

export interface MeasuredMemory {
  /** Total bytes the browser attributes to this page and its workers. */
  bytes: number;
  /** Bytes per scope (Window, DedicatedWorkerGlobalScope, shared). */
  byScope: Record<string, number>;
}

/** measureUserAgentSpecificMemory when available (null otherwise, or after `timeoutMs`). */
export async function measurePageMemory(timeoutMs = 30_000): Promise<MeasuredMemory | null> {
  const f = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<UaMemory> }).measureUserAgentSpecificMemory;
  if (typeof f !== 'function' || globalThis.crossOriginIsolated !== true) return null;
  try {
    const r = await Promise.race([
      f.call(performance),
      new Promise<null>((res) => setTimeout(() => res(null), timeoutMs)),
    ]);
    if (!r) return null;
    const byScope: Record<string, number> = {};
    for (const b of r.breakdown) {
      const scope = b.attribution[0]?.scope ?? (b.types[0] ?? 'other');
      byScope[scope] = (byScope[scope] ?? 0) + b.bytes;
    }
    return { bytes: r.bytes, byScope };
  } catch {
    return null;
  }
}
