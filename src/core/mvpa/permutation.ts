/**
 * Label permutations for the permutation test (SCIENCE.md "Decoding"): the target is shuffled
 * within strata — the runs, or for single-run data under blocked CV the CV's blocks — so that
 * the temporal structure that CV respects is kept. One seeded Rng draws every permutation:
 * permutation b shuffles each stratum of the ORIGINAL labels (strata in code order, Fisher–Yates
 * over the stratum's sample indices in ascending order). Reproducible across hosts.
 *
 * p = (1 + #{null ≥ observed}) / (1 + N), as scikit-learn's permutation_test_score.
 */
import { DdError } from '../errors.ts';
import { Rng } from '../random.ts';
import { blockCodes, type CvSpec } from './splitters.ts';

/** Sample indices of each stratum (dense codes), ascending. */
export function strataIndices(strata: Int32Array | null, n: number): Int32Array[] {
  if (!strata) return [Int32Array.from({ length: n }, (_, i) => i)];
  const lists = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const s = strata[i]!;
    let l = lists.get(s);
    if (!l) lists.set(s, (l = []));
    l.push(i);
  }
  return [...lists.keys()].sort((a, b) => a - b).map((k) => Int32Array.from(lists.get(k)!));
}

/**
 * The strata of the permutation test: runs when there are ≥ 2; for one run under blocked CV the
 * CV's K blocks; else the whole run.
 */
export function permutationStrata(cv: CvSpec, n: number, groups: Int32Array | null, onsets: ArrayLike<number> | null): Int32Array | null {
  if (groups) return groups;
  if (cv.kind === 'blocked') return blockCodes(n, cv.k, onsets, null);
  return null;
}

/** A generator of label permutations within strata, from one Rng. */
export class LabelPermuter {
  private readonly strata: Int32Array[];
  private readonly rng: Rng;
  private readonly y: Float64Array;
  private readonly perm: Int32Array;

  constructor(y: ArrayLike<number>, strata: Int32Array | null, seed: number) {
    this.y = Float64Array.from(y);
    this.strata = strataIndices(strata, this.y.length);
    this.rng = new Rng(seed, 0);
    this.perm = new Int32Array(this.y.length);
  }

  /** The next permuted label vector (written into `out`, also returned). */
  next(out: Float64Array = new Float64Array(this.y.length)): Float64Array {
    for (const idx of this.strata) {
      const m = idx.length;
      const perm = this.perm.subarray(0, m);
      for (let j = 0; j < m; j++) perm[j] = j;
      this.rng.shuffle(perm);
      for (let j = 0; j < m; j++) out[idx[j]!] = this.y[idx[perm[j]!]!]!;
    }
    return out;
  }
}

/** p = (1 + #{null ≥ observed}) / (1 + N). */
export function permutationPValue(observed: number, nullScores: ArrayLike<number>): number {
  let ge = 0;
  for (let i = 0; i < nullScores.length; i++) if (nullScores[i]! >= observed) ge++;
  return (1 + ge) / (1 + nullScores.length);
}

/** Checks an explicit list of permuted label vectors (golden tests, replays). */
export function checkExplicitPermutations(perms: readonly ArrayLike<number>[], n: number): void {
  perms.forEach((p, b) => {
    if (p.length !== n) {
      throw new DdError('DECODE_LENGTH_MISMATCH', `Permutation ${b} has ${p.length} labels for ${n} samples; give one label per decoded sample.`);
    }
  });
}
