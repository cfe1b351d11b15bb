/**
 * Types for the few functions of the npm package `cephes` that src/core/stats uses (the package's
 * own index.d.ts is not reachable through its `exports` map under moduleResolution "Bundler").
 */
declare module 'cephes' {
  /** Resolves when the wasm is instantiated (the ES module build compiles asynchronously). */
  export const compiled: Promise<void>;
  /** Standard normal CDF. */
  export function ndtr(a: number): number;
  /** Student t CDF with integer degrees of freedom k. */
  export function stdtr(k: number, t: number): number;
}
