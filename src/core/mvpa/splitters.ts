/**
 * Cross-validation splitters (SCIENCE.md "Decoding"), each one small function from the sample
 * attributes to folds of {train, test} index arrays, as scikit-learn's model_selection/_split.py:
 *
 *  - `loro`: leave one run out (LeaveOneGroupOut): one fold per distinct group, folds in sorted
 *    group order (numerically when every group label is a number, else by code unit).
 *  - `blocked:K[:GAP_S]`: K contiguous blocks in time order (KFold(K) without shuffle on the
 *    samples sorted by (group, onset): the first n % K blocks get one extra sample); training
 *    samples whose onset lies within GAP_S seconds of the test block's time span (in the same
 *    group) are dropped. `blocked:K:0` equals KFold(K).
 *  - `kfold:K`: stratified, shuffled, seeded (StratifiedKFold(K, shuffle=True) semantics) for
 *    classification targets; shuffled KFold(K) for continuous targets. Exact indices cannot match
 *    scikit-learn's RNG; the algorithm is the same with our Rng (see `stratifiedKFold`).
 *
 * Every fold's train and test indices are sorted ascending (scikit-learn builds them from masks).
 */
import { DdError } from '../errors.ts';
import { Rng } from '../random.ts';

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export type CvSpec =
  | { kind: 'loro' }
  | { kind: 'blocked'; k: number; gapS: number }
  | { kind: 'kfold'; k: number };

/** Default gap (seconds) of `blocked:K` when GAP_S is not given, and the default single-run CV. */
export const DEFAULT_BLOCKED_GAP_S = 12;
export const DEFAULT_BLOCKED_K = 5;

/** Parses the CLI syntax `loro | blocked:K[:GAP_S] | kfold:K`. */
export function parseCv(text: string): CvSpec {
  const s = text.trim().toLowerCase();
  const bad = (why: string) =>
    new DdError('ARGS_BAD_CV', `--cv "${text}": ${why}. Use loro, blocked:K[:GAP_S] (e.g. blocked:5:12) or kfold:K (e.g. kfold:5).`);
  if (s === 'loro') return { kind: 'loro' };
  const parts = s.split(':');
  const intK = (v: string | undefined) => {
    if (v === undefined || !/^\d+$/.test(v)) throw bad('K must be a whole number of folds');
    const k = Number(v);
    if (k < 2) throw bad('K must be at least 2');
    return k;
  };
  if (parts[0] === 'blocked') {
    if (parts.length > 3) throw bad('too many fields');
    const k = intK(parts[1]);
    let gapS = DEFAULT_BLOCKED_GAP_S;
    if (parts[2] !== undefined) {
      gapS = Number(parts[2]);
      if (parts[2] === '' || !Number.isFinite(gapS) || gapS < 0) throw bad('GAP_S must be a number of seconds ≥ 0');
    }
    return { kind: 'blocked', k, gapS };
  }
  if (parts[0] === 'kfold') {
    if (parts.length !== 2) throw bad('kfold takes one field, K');
    return { kind: 'kfold', k: intK(parts[1]) };
  }
  throw bad('unknown scheme');
}

/** The canonical text of a CV spec (`loro`, `blocked:5:12`, `kfold:5`). */
export function formatCv(cv: CvSpec): string {
  if (cv.kind === 'loro') return 'loro';
  if (cv.kind === 'blocked') return `blocked:${cv.k}:${cv.gapS}`;
  return `kfold:${cv.k}`;
}

/** The default CV: loro with ≥ 2 runs, else blocked:5:12. */
export function defaultCv(nGroups: number): CvSpec {
  return nGroups >= 2 ? { kind: 'loro' } : { kind: 'blocked', k: DEFAULT_BLOCKED_K, gapS: DEFAULT_BLOCKED_GAP_S };
}

/**
 * Group labels → dense codes 0..G−1 in sorted label order (numeric when every label is a number,
 * else by code unit, as np.unique on strings).
 */
export function encodeGroups(labels: readonly string[]): { codes: Int32Array; names: string[] } {
  const uniq = [...new Set(labels)];
  const numeric = uniq.every((u) => u.trim() !== '' && Number.isFinite(Number(u)));
  uniq.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(uniq.map((u, i) => [u, i]));
  const codes = new Int32Array(labels.length);
  labels.forEach((l, i) => (codes[i] = index.get(l)!));
  return { codes, names: uniq };
}

function fromTestMask(n: number, isTest: (i: number) => boolean, isDropped?: (i: number) => boolean): Fold {
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < n; i++) {
    if (isTest(i)) test.push(i);
    else if (!isDropped?.(i)) train.push(i);
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** LeaveOneGroupOut over dense group codes (0..G−1): fold g tests group g. */
export function leaveOneGroupOut(groups: Int32Array): Fold[] {
  const n = groups.length;
  const present = [...new Set(groups)].sort((a, b) => a - b);
  if (present.length < 2) {
    throw new DdError('DECODE_TOO_FEW_GROUPS', `Leave-one-run-out needs at least 2 runs, the data have ${present.length}. Use --cv blocked:K[:GAP_S] (the default for one run) or give a --groups column with the runs.`);
  }
  return present.map((g) => fromTestMask(n, (i) => groups[i] === g));
}

/** KFold(K) fold sizes: ⌊n / K⌋ each, the first n % K folds one more. */
export function kfoldSizes(n: number, k: number): number[] {
  const sizes = new Array<number>(k).fill(Math.floor(n / k));
  for (let i = 0; i < n % k; i++) sizes[i]!++;
  return sizes;
}

function checkK(n: number, k: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new DdError('ARGS_BAD_CV', `${what}: K must be an integer ≥ 2, got ${k}.`);
  if (n < k) {
    throw new DdError('DECODE_TOO_FEW_SAMPLES', `${what}: ${n} samples cannot be split into ${k} folds. Use fewer folds (K ≤ ${n}) or more trials.`);
  }
}

/**
 * KFold(K) without shuffle over `order` (default 0..n−1): block b tests order[start_b..stop_b).
 * With `onsets` and `gapS` > 0, training samples of the same group whose onset lies within gapS
 * seconds of the test block's onset span are dropped.
 */
export function blockedKFold(
  n: number,
  k: number,
  opts: { onsets?: ArrayLike<number> | null; groups?: Int32Array | null; gapS?: number } = {},
): Fold[] {
  checkK(n, k, `blocked:${k}`);
  const gapS = opts.gapS ?? 0;
  const onsets = opts.onsets ?? null;
  const groups = opts.groups ?? null;
  if (gapS > 0 && !onsets) {
    throw new DdError('DECODE_NO_ONSET', `blocked CV with a gap of ${gapS} s needs the trial onsets; the table has no onset column. Add an 'onset' column (seconds) or use blocked:${k}:0.`);
  }
  const order = timeOrder(n, onsets, groups);
  const blockOf = new Int32Array(n);
  let start = 0;
  kfoldSizes(n, k).forEach((size, b) => {
    for (let j = start; j < start + size; j++) blockOf[order[j]!] = b;
    start += size;
  });
  const folds: Fold[] = [];
  for (let b = 0; b < k; b++) {
    let dropped: ((i: number) => boolean) | undefined;
    if (gapS > 0 && onsets) {
      // Time span of the test block per group.
      const lo = new Map<number, number>(), hi = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        if (blockOf[i] !== b) continue;
        const g = groups ? groups[i]! : 0;
        const t = onsets[i]!;
        lo.set(g, Math.min(lo.get(g) ?? Infinity, t));
        hi.set(g, Math.max(hi.get(g) ?? -Infinity, t));
      }
      dropped = (i) => {
        const g = groups ? groups[i]! : 0;
        const l = lo.get(g);
        if (l === undefined) return false;
        const t = onsets[i]!;
        return t >= l - gapS && t <= hi.get(g)! + gapS;
      };
    }
    folds.push(fromTestMask(n, (i) => blockOf[i] === b, dropped));
  }
  return folds;
}

/** Sample order by (group, onset), stable (file order breaks ties; no onsets: file order within group). */
export function timeOrder(n: number, onsets?: ArrayLike<number> | null, groups?: Int32Array | null): Int32Array {
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => {
    const ga = groups ? groups[a]! : 0, gb = groups ? groups[b]! : 0;
    if (ga !== gb) return ga - gb;
    if (onsets) {
      const d = onsets[a]! - onsets[b]!;
      if (d !== 0) return d;
    }
    return a - b;
  });
  return Int32Array.from(idx);
}

/** Shuffled KFold(K) (continuous targets): Fisher–Yates over 0..n−1 with `rng`, then contiguous chunks. */
export function shuffledKFold(n: number, k: number, rng: Rng): Fold[] {
  checkK(n, k, `kfold:${k}`);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  rng.shuffle(perm);
  const fold = new Int32Array(n);
  let start = 0;
  kfoldSizes(n, k).forEach((size, f) => {
    for (let j = start; j < start + size; j++) fold[perm[j]!] = f;
    start += size;
  });
  return Array.from({ length: k }, (_, f) => fromTestMask(n, (i) => fold[i] === f));
}

/**
 * StratifiedKFold(K) as scikit-learn 1.2 `_make_test_folds`: classes encoded in order of first
 * appearance; the per-fold allocation of each class from a round robin over the sorted labels;
 * class c's samples (in index order) get fold numbers 0,0,…,1,1,… (allocation[f][c] of fold f).
 * With `rng`, each class's fold-number sequence is shuffled (Fisher–Yates with our Rng, classes
 * in order of appearance) — scikit-learn's shuffle=True with a different generator.
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number, rng?: Rng | null): Fold[] {
  const n = y.length;
  checkK(n, k, `kfold:${k}`);
  const classOf = new Map<number, number>();
  const enc = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (!classOf.has(v)) classOf.set(v, classOf.size);
    enc[i] = classOf.get(v)!;
  }
  const nc = classOf.size;
  const counts = new Int32Array(nc);
  for (let i = 0; i < n; i++) counts[enc[i]!]!++;
  if (counts.every((c) => k > c)) {
    throw new DdError('DECODE_TOO_FEW_SAMPLES', `kfold:${k}: every class has fewer than ${k} samples (${[...counts].join(', ')}). Use fewer folds.`);
  }
  // Round robin over the sorted codes: allocation[f][c] = #{j ≡ f (mod k) : sorted[j] = c}.
  const sorted = Int32Array.from(enc).sort();
  const alloc = Array.from({ length: k }, () => new Int32Array(nc));
  for (let j = 0; j < n; j++) alloc[j % k]![sorted[j]!]!++;
  const testFold = new Int32Array(n);
  for (let c = 0; c < nc; c++) {
    const seq: number[] = [];
    for (let f = 0; f < k; f++) for (let m = 0; m < alloc[f]![c]!; m++) seq.push(f);
    if (rng) rng.shuffle(seq);
    let m = 0;
    for (let i = 0; i < n; i++) if (enc[i] === c) testFold[i] = seq[m++]!;
  }
  return Array.from({ length: k }, (_, f) => fromTestMask(n, (i) => testFold[i] === f));
}

export interface SplitInput {
  n: number;
  /** Dense group codes (runs), or null for one group. */
  groups?: Int32Array | null;
  onsets?: ArrayLike<number> | null;
  /** Targets: classification labels stratify kfold. */
  y?: ArrayLike<number> | null;
  classification?: boolean;
  /** Seed of kfold's shuffle (one Rng stream of its own). */
  seed?: number;
}

/** Folds of a CV spec. kfold uses `new Rng(seed, 1)` (stream 1: independent of the permutations). */
export function makeFolds(cv: CvSpec, input: SplitInput): Fold[] {
  const { n } = input;
  if (cv.kind === 'loro') {
    return leaveOneGroupOut(input.groups ?? new Int32Array(n));
  }
  if (cv.kind === 'blocked') {
    return blockedKFold(n, cv.k, { onsets: input.onsets, groups: input.groups, gapS: cv.gapS });
  }
  const rng = new Rng(input.seed ?? 0, 1);
  if (input.classification) {
    if (!input.y) throw new DdError('DECODE_INTERNAL', 'kfold on a classification target needs the labels.');
    return stratifiedKFold(input.y, cv.k, rng);
  }
  return shuffledKFold(n, cv.k, rng);
}

/**
 * The blocks that permutations stay within for single-run blocked CV: block b of `blockedKFold`
 * (in (group, onset) order), as a dense code per sample.
 */
export function blockCodes(n: number, k: number, onsets?: ArrayLike<number> | null, groups?: Int32Array | null): Int32Array {
  const order = timeOrder(n, onsets, groups);
  const codes = new Int32Array(n);
  let start = 0;
  kfoldSizes(n, k).forEach((size, b) => {
    for (let j = start; j < start + size; j++) codes[order[j]!] = b;
    start += size;
  });
  return codes;
}
