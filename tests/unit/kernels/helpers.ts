import { createNodeEngine } from '../../../src/platform/node/pool.ts';
import type { KernelEngine } from '../../../src/core/kernels/index.ts';
import { Rng } from '../../../src/core/random.ts';

let engine: Promise<KernelEngine> | null = null;
/** One engine per test file (module + shared memory + kernels + arena). */
export function getEngine(): Promise<KernelEngine> {
  engine ??= createNodeEngine();
  return engine;
}

export function randomF32(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = rng.normal();
  return a;
}

/** First index where two arrays differ bit-wise (Object.is), or -1. */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}
