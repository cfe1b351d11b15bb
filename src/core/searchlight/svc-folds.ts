/**
 * The searchlight's svc folds fitted in place on the sphere's Gram matrix: libsvm's SMO
 * (assembly/solvers.ts svc_solve_ld) reads each fold's training block straight from the n × n
 * sphere K in the shared memory (no n_train² slice copied per fold, no copy into a private
 * memory), and the test decisions are summed from K's rows.
 *
 * Bit-identical to the generic path (foldPredictor → fitSvcCheckedGram → svc_solve on the sliced
 * K, then Σ_a coef_a K[test, train_a] + intercept in training order): svc_solve_ld gathers the
 * same K entries in the same libsvm order, and the decision sums in the same order.
 */
import { DdError } from '../errors.ts';
import type { ModelOptions } from '../mvpa/model.ts';
import { SVC_EPS } from '../mvpa/models/index.ts';
import { svcProblem } from '../mvpa/models/svc.ts';

interface SvcRaw {
  svc_work_bytes(n: number): number;
  svc_solve_ld(K: number, ldk: number, n: number, perm: number, n0: number, C0: number, C1: number, eps: number, maxIter: number, work: number, out: number): void;
}

/** Bytes svcFolds needs for a sphere of n samples (an upper bound of svc_work_bytes for any training size ≤ n). */
export function svcFoldsBytes(n: number): number {
  const n4 = n + 3;
  return 12 * n * n4 + 9 * 8 * n4 + 6 * n + 4 * n + 8 * (n + 3) + 256;
}

export interface SvcFolds {
  /** Fits fold q on the training labels yTr (0/1, in the fold's training order); writes the test decisions into dec; returns whether it converged. */
  decide(q: number, yTr: Float64Array, dec: Float64Array): boolean;
}

/**
 * svc fits for `folds` on the sphere Gram matrix at K (n × n f64 in `memory`), with a scratch
 * region [base, base + svcFoldsBytes(n)) of the same memory. Null when the module predates
 * svc_solve_ld (then the caller uses the generic path).
 */
export function createSvcFolds(
  module: WebAssembly.Module, memory: WebAssembly.Memory, K: number, n: number, base: number,
  folds: readonly { train: Int32Array; test: Int32Array }[], opts?: ModelOptions,
): SvcFolds | null {
  if (!WebAssembly.Module.exports(module).some((e) => e.name === 'svc_solve_ld')) return null;
  const raw = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SvcRaw;
  const maxTrain = Math.max(...folds.map((f) => f.train.length));
  const out = Math.ceil(base / 16) * 16;
  const perm = out + (n + 3) * 8;
  const work = Math.ceil((perm + n * 4) / 16) * 16;
  if (work + (raw.svc_work_bytes(maxTrain) >>> 0) > base + svcFoldsBytes(n)) {
    throw new DdError('SEARCHLIGHT_INTERNAL', `svc scratch of ${svcFoldsBytes(n)} bytes is too small for ${maxTrain} training samples.`);
  }
  return {
    decide(q, yTr, dec) {
      const { train, test } = folds[q]!;
      const ntr = train.length;
      const p = svcProblem(yTr, ntr, opts);
      const permView = new Int32Array(memory.buffer, perm, ntr);
      for (let a = 0; a < ntr; a++) permView[a] = train[p.perm[a]!]!;
      raw.svc_solve_ld(K, n, ntr, perm, p.n0, p.C0, p.C1, SVC_EPS, p.maxIter, work, out);
      const o = new Float64Array(memory.buffer, out, n + 3);
      const Kv = new Float64Array(memory.buffer, K, n * n);
      const rho = o[n]!;
      for (let t = 0; t < test.length; t++) {
        const r = test[t]! * n;
        let s = 0;
        for (let a = 0; a < ntr; a++) s += o[train[a]!]! * Kv[r + train[a]!]!;
        dec[t] = s + rho;
      }
      return o[n + 2] === 1;
    },
  };
}
