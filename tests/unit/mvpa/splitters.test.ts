import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  blockCodes, blockedKFold, defaultCv, encodeGroups, formatCv, kfoldSizes, leaveOneGroupOut, makeFolds, parseCv,
  shuffledKFold, stratifiedKFold, type Fold,
} from '../../../src/core/mvpa/splitters.ts';
import { Rng } from '../../../src/core/random.ts';

interface GFold { train: number[]; test: number[] }
const golden = JSON.parse(readFileSync(new URL('../../fixtures/golden/splitters.json', import.meta.url), 'utf8')) as {
  loro: { groups: string[]; folds: GFold[] }[];
  kfold: { n: number; k: number; folds: GFold[] }[];
  stratified: { y: number[]; k: number; folds: GFold[] }[];
  blocked_gap: { onsets: number[]; k: number; gap: number; folds: GFold[] }[];
};

const plain = (folds: Fold[]) => folds.map((f) => ({ train: [...f.train], test: [...f.test] }));

describe('parseCv / formatCv', () => {
  it('parses the CLI syntax', () => {
    expect(parseCv('loro')).toEqual({ kind: 'loro' });
    expect(parseCv('blocked:5')).toEqual({ kind: 'blocked', k: 5, gapS: 12 });
    expect(parseCv('blocked:4:0')).toEqual({ kind: 'blocked', k: 4, gapS: 0 });
    expect(parseCv('blocked:3:7.5')).toEqual({ kind: 'blocked', k: 3, gapS: 7.5 });
    expect(parseCv('kfold:10')).toEqual({ kind: 'kfold', k: 10 });
    expect(formatCv(parseCv('blocked:5'))).toBe('blocked:5:12');
  });
  it.each(['', 'kfold', 'kfold:1', 'kfold:2.5', 'blocked:x', 'blocked:5:-1', 'blocked:5:1:2', 'loso', 'kfold:5:3'])('rejects %j with ARGS_BAD_CV', (s) => {
    expect(() => parseCv(s)).toThrow(expect.objectContaining({ code: 'ARGS_BAD_CV' }));
  });
  it('defaults to loro with ≥ 2 runs, else blocked:5:12', () => {
    expect(defaultCv(3)).toEqual({ kind: 'loro' });
    expect(formatCv(defaultCv(1))).toBe('blocked:5:12');
  });
});

describe('loro = LeaveOneGroupOut (scikit-learn golden)', () => {
  for (const c of golden.loro) {
    it(`groups ${c.groups.join(',')}`, () => {
      expect(plain(leaveOneGroupOut(encodeGroups(c.groups).codes))).toEqual(c.folds);
    });
  }
  it('needs two runs', () => {
    expect(() => leaveOneGroupOut(new Int32Array(5))).toThrow(expect.objectContaining({ code: 'DECODE_TOO_FEW_GROUPS' }));
  });
});

describe('blocked:K:0 = KFold(K) (scikit-learn golden)', () => {
  for (const c of golden.kfold) {
    it(`n=${c.n} K=${c.k}`, () => {
      expect(plain(blockedKFold(c.n, c.k))).toEqual(c.folds);
      expect(plain(makeFolds(parseCv(`blocked:${c.k}:0`), { n: c.n }))).toEqual(c.folds);
      // Onsets in file order do not change KFold.
      const onsets = Array.from({ length: c.n }, (_, i) => 2 * i);
      expect(plain(makeFolds(parseCv(`blocked:${c.k}:0`), { n: c.n, onsets }))).toEqual(c.folds);
    });
  }
  it('fold sizes: the first n % K folds get one extra', () => {
    expect(kfoldSizes(11, 5)).toEqual([3, 2, 2, 2, 2]);
    expect(kfoldSizes(120, 5)).toEqual([24, 24, 24, 24, 24]);
  });
  it('fewer samples than folds is DECODE_TOO_FEW_SAMPLES', () => {
    expect(() => blockedKFold(4, 5)).toThrow(expect.objectContaining({ code: 'DECODE_TOO_FEW_SAMPLES' }));
  });
});

describe('blocked:K:GAP (time order, gap around the test block)', () => {
  for (const c of golden.blocked_gap) {
    it(`n=${c.onsets.length} K=${c.k} gap=${c.gap}`, () => {
      expect(plain(blockedKFold(c.onsets.length, c.k, { onsets: c.onsets, gapS: c.gap }))).toEqual(c.folds);
    });
  }
  it('a hand-checked example: 10 trials 4 s apart, 2 blocks, gap 6 s', () => {
    const onsets = Array.from({ length: 10 }, (_, i) => 4 * i);
    // Block 0 = trials 0–4 (0–16 s): trial 5 (20 s) is within 6 s of 16 s → dropped; trial 6 (24 s) kept.
    expect(plain(blockedKFold(10, 2, { onsets, gapS: 6 }))).toEqual([
      { train: [6, 7, 8, 9], test: [0, 1, 2, 3, 4] },
      { train: [0, 1, 2, 3], test: [5, 6, 7, 8, 9] },
    ]);
  });
  it('with runs, the gap applies within the test block’s run only', () => {
    const groups = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const onsets = [0, 10, 20, 30, 0, 10, 20, 30];
    const f = plain(blockedKFold(8, 4, { onsets, groups, gapS: 10 }));
    // Block 0 = run 0 at 0–10 s: run 0's trial at 20 s is within 10 s → dropped; run 1 untouched.
    expect(f[0]).toEqual({ train: [3, 4, 5, 6, 7], test: [0, 1] });
    expect(f[2]).toEqual({ train: [0, 1, 2, 3, 7], test: [4, 5] });
  });
  it('a gap needs onsets', () => {
    expect(() => blockedKFold(20, 5, { gapS: 12 })).toThrow(expect.objectContaining({ code: 'DECODE_NO_ONSET' }));
  });
  it('blockCodes are the blocks of blockedKFold', () => {
    const c = golden.blocked_gap[0]!;
    const codes = blockCodes(c.onsets.length, c.k, c.onsets);
    c.folds.forEach((f, b) => expect(f.test.every((i) => codes[i] === b)).toBe(true));
  });
});

describe('kfold:K = StratifiedKFold(K) (shuffle off: scikit-learn golden)', () => {
  for (const c of golden.stratified) {
    it(`n=${c.y.length} K=${c.k} (${c.y.filter((v) => v === 1).length} of class 1)`, () => {
      expect(plain(stratifiedKFold(c.y, c.k))).toEqual(c.folds);
    });
  }
  it('every class has fewer members than folds: DECODE_TOO_FEW_SAMPLES', () => {
    expect(() => stratifiedKFold([0, 0, 1, 1, 1], 4)).toThrow(expect.objectContaining({ code: 'DECODE_TOO_FEW_SAMPLES' }));
  });
});

describe('kfold:K shuffled with our Rng', () => {
  const y = [1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1];
  it('exact indices of the documented algorithm (seed 0, stream 1)', () => {
    // Class 1 (first seen) has 14 samples, class 0 has 6; the allocations per fold are
    // [3,1],[3,1],[3,1],[3,1],[2,2] (class 1, class 0) from the round robin, and each class's
    // fold sequence is shuffled with new Rng(0, 1): class 1 first, then class 0.
    const folds = makeFolds({ kind: 'kfold', k: 5 }, { n: y.length, y, classification: true, seed: 0 });
    const rng = new Rng(0, 1);
    const s1 = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4]; rng.shuffle(s1);
    const s0 = [0, 1, 2, 3, 4, 4]; rng.shuffle(s0);
    const fold = new Array<number>(y.length);
    let a = 0, b = 0;
    y.forEach((v, i) => (fold[i] = v === 1 ? s1[a++]! : s0[b++]!));
    expect(plain(folds)).toEqual([0, 1, 2, 3, 4].map((f) => ({
      test: fold.flatMap((g, i) => (g === f ? [i] : [])),
      train: fold.flatMap((g, i) => (g !== f ? [i] : [])),
    })));
    // Pinned, so a change of the algorithm or of the Rng is seen.
    expect(plain(folds).map((f) => f.test)).toEqual([[3, 8, 13, 15], [4, 10, 16, 19], [1, 2, 7, 14], [5, 6, 11, 17], [0, 9, 12, 18]]);
  });
  it('stratified: every test fold has the allocation of StratifiedKFold, the folds partition the samples', () => {
    const r = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 30 + r.int(90);
      const yy = Array.from({ length: n }, () => (r.next() < 0.3 ? 0 : 1));
      const k = 2 + r.int(5);
      if (yy.filter((v) => v === 0).length < k) continue;
      const folds = makeFolds({ kind: 'kfold', k }, { n, y: yy, classification: true, seed: trial });
      const unshuffled = stratifiedKFold(yy, k);
      const seen = new Array<number>(n).fill(0);
      folds.forEach((f, i) => {
        for (const t of f.test) seen[t]++;
        expect(f.train.length + f.test.length).toBe(n);
        const c1 = [...f.test].filter((t) => yy[t] === 1).length;
        expect(c1).toBe([...unshuffled[i]!.test].filter((t) => yy[t] === 1).length);
        expect(f.test.length).toBe(unshuffled[i]!.test.length);
      });
      expect(seen.every((v) => v === 1)).toBe(true);
    }
  });
  it('seeded: same seed same folds, another seed other folds', () => {
    const a = makeFolds({ kind: 'kfold', k: 5 }, { n: y.length, y, classification: true, seed: 3 });
    const b = makeFolds({ kind: 'kfold', k: 5 }, { n: y.length, y, classification: true, seed: 3 });
    const c = makeFolds({ kind: 'kfold', k: 5 }, { n: y.length, y, classification: true, seed: 4 });
    expect(plain(a)).toEqual(plain(b));
    expect(plain(a)).not.toEqual(plain(c));
  });
  it('continuous targets: shuffled KFold with KFold fold sizes', () => {
    const folds = shuffledKFold(11, 5, new Rng(1, 1));
    expect(folds.map((f) => f.test.length)).toEqual([3, 2, 2, 2, 2]);
    expect(plain(makeFolds({ kind: 'kfold', k: 5 }, { n: 11, seed: 1 }))).toEqual(plain(folds));
    const all = folds.flatMap((f) => [...f.test]).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });
});
