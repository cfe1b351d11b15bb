/**
 * Distribution functions from Cephes (the npm package `cephes`, a WebAssembly build of the Cephes
 * library that SciPy's special functions come from): the Student t and standard normal tails.
 * No special function is hand-written here.
 *
 * The package compiles its wasm asynchronously when imported as an ES module (browser and Node
 * alike): `await statsReady()` once before calling any function of src/core/stats (the group
 * tests call `ensureReady()` and throw STATS_NOT_READY otherwise).
 */
import * as cephes from 'cephes';
import { DdError } from '../errors.ts';

let ready = false;

/** Resolves when the distribution functions can be called. Idempotent. */
export async function statsReady(): Promise<void> {
  await cephes.compiled;
  ready = true;
}

function ensureReady(): void {
  if (ready) return;
  try {
    cephes.ndtr(0);
    ready = true;
  } catch (e) {
    throw new DdError('STATS_NOT_READY', 'The distribution functions are still loading: `await statsReady()` (src/core/stats) before computing p-values.', { cause: e });
  }
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  ensureReady();
  if (Number.isNaN(z)) return NaN;
  return cephes.ndtr(z);
}

/** Standard normal survival function 1 − Φ(z), accurate in the upper tail (Φ(−z)). */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/**
 * Student t CDF with `df` degrees of freedom (a positive integer: Cephes' stdtr). ±∞ give 0 / 1.
 */
export function tCdf(t: number, df: number): number {
  ensureReady();
  if (!Number.isInteger(df) || df < 1) throw new DdError('STATS_BAD_DF', `t distribution: degrees of freedom must be a positive integer, got ${df}.`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  return cephes.stdtr(df, t);
}

/** Student t survival function P(T > t) (tCdf(−t): accurate in the upper tail). */
export function tSf(t: number, df: number): number {
  return tCdf(-t, df);
}
