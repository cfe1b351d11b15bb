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

/** What the browser says about this device (null where it does not). */
export interface BrowserCapacity {
  /** navigator.hardwareConcurrency: logical cores. */
  cores: number | null;
  /** navigator.deviceMemory: GiB, rounded and capped (Chromium: at most 8). */
  deviceMemoryGb: number | null;
}

export function readCapacity(): BrowserCapacity {
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
  const cores = nav?.hardwareConcurrency;
  const mem = nav?.deviceMemory;
  return {
    cores: typeof cores === 'number' && cores > 0 ? cores : null,
    deviceMemoryGb: typeof mem === 'number' && mem > 0 ? mem : null,
  };
}

export interface WorkerPlan {
  /** Subject workers to start (1: everything in the pipeline worker). */
  slots: number;
  /** Bytes the tasks running together may hold. */
  budgetBytes: number;
  /** One line for the page: where the numbers come from. */
  why: string;
}

const GB = 1024 ** 3;
/** Least memory worth a worker of its own: an idle worker with its kernels, plus one small subject. */
const PER_WORKER_FLOOR = 192 * 1024 ** 2;
/** Device memory assumed when the browser does not say (Firefox, Safari). */
const UNKNOWN_DEVICE_GB = 4;

/**
 * Workers and memory budget for a run in this tab: one worker per logical core (at most 8), and
 * half of the device's memory for the analysis (the rest for the OS, the browser and other tabs);
 * the runner's BudgetQueue keeps the subjects running together within the budget, using each
 * subject's estimated and then measured need. `override` (tests, settings) wins.
 */
export function planWorkers(c: BrowserCapacity, override: { workers?: number; budgetMb?: number } = {}): WorkerPlan {
  const deviceGb = c.deviceMemoryGb ?? UNKNOWN_DEVICE_GB;
  const budgetBytes = override.budgetMb !== undefined ? override.budgetMb * 1024 ** 2 : (deviceGb / 2) * GB;
  const byMemory = Math.max(1, Math.floor(budgetBytes / PER_WORKER_FLOOR));
  const slots = override.workers !== undefined
    ? Math.max(1, Math.floor(override.workers))
    : Math.min(8, c.cores ?? 2, byMemory);
  const memWhy = override.budgetMb !== undefined
    ? `memory budget ${fmtGb(budgetBytes)} (set for this run)`
    : c.deviceMemoryGb === null
      ? `memory budget ${fmtGb(budgetBytes)} (the browser does not report device memory; ${UNKNOWN_DEVICE_GB} GB assumed)`
      : `memory budget ${fmtGb(budgetBytes)} (half of the ${c.deviceMemoryGb} GB the browser reports)`;
  const coreWhy = override.workers !== undefined ? 'set for this run' : c.cores === null ? 'core count unknown' : `${c.cores} logical cores`;
  return { slots, budgetBytes, why: `${slots} subject worker${slots === 1 ? '' : 's'} (${coreWhy}) · ${memWhy}` };
}

function fmtGb(b: number): string {
  return `${(b / GB).toFixed(1)} GB`;
}
