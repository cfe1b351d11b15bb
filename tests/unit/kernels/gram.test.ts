import { describe, expect, it } from 'vitest';
import { gramReference } from '../../../src/core/kernels/reference.ts';
import { Rng } from '../../../src/core/random.ts';
import { firstDiff, getEngine, randomF32 } from './helpers.ts';

describe('gram_f32', () => {
  it('equals the f64 reference and is exactly symmetric', async () => {
    const { kernels, arena } = await getEngine();
    const rng = new Rng(3);
    for (const n of [1, 2, 3, 5, 8, 13]) {
      for (const p of [0, 1, 3, 4, 5, 1023, 1024, 1025, 2500]) {
        const X = randomF32(rng, n * p);
        const xP = arena.put(X), kP = arena.alloc(n * n * 8);
        arena.f64(kP, n * n).fill(NaN);
        kernels.gram({ x: xP, n, p, out: kP });
        const K = arena.f64(kP, n * n).slice();
        const R = gramReference(X, n, p);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            expect(K[i * n + j]).toBe(K[j * n + i]);
            expect(Math.abs(K[i * n + j]! - R[i * n + j]!), `n ${n} p ${p} (${i},${j})`).toBeLessThanOrEqual(1e-12 * Math.max(1, p));
          }
        }
        arena.free(kP); arena.free(xP);
      }
    }
  });

  it('is exact for small integers', async () => {
    const { kernels, arena } = await getEngine();
    const X = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]); // 3 x 5
    const xP = arena.put(X), kP = arena.alloc(9 * 8);
    kernels.gram({ x: xP, n: 3, p: 5, out: kP });
    expect(Array.from(arena.f64(kP, 9))).toEqual([55, 130, 205, 130, 330, 530, 205, 530, 855]);
    arena.free(kP); arena.free(xP);
  });
});

describe('column_stats and scale_columns', () => {
  it('match the JS references', async () => {
    const { kernels, arena } = await getEngine();
    const rng = new Rng(4);
    for (const [n, p] of [[2, 1], [5, 7], [31, 130]] as const) {
      const X = randomF32(rng, n * p).map((x) => x * 3 + 1);
      const xP = arena.put(X), mP = arena.alloc(p * 8), sP = arena.alloc(p * 8);
      for (const ddof of [0, 1]) {
        kernels.columnStats({ x: xP, n, p, mean: mP, sd: sP, ddof });
        const mean = arena.f64(mP, p), sd = arena.f64(sP, p);
        for (let j = 0; j < p; j++) {
          let m = 0;
          for (let i = 0; i < n; i++) m += X[i * p + j]!;
          m /= n;
          let ss = 0;
          for (let i = 0; i < n; i++) ss += (X[i * p + j]! - m) ** 2;
          expect(mean[j]).toBeCloseTo(m, 12);
          expect(sd[j]).toBeCloseTo(Math.sqrt(ss / (n - ddof)), 12);
        }
      }
      const center = Float32Array.from(arena.f64(mP, p)), scale = Float32Array.from(arena.f64(sP, p), (s) => 1 / s);
      const cP = arena.put(center), scP = arena.put(scale);
      kernels.scaleColumns({ x: xP, n, p, center: cP, scale: scP });
      const got = arena.f32(xP, n * p);
      const want = X.map((x, k) => Math.fround(Math.fround(x - center[k % p]!) * scale[k % p]!));
      expect(firstDiff(got, want)).toBe(-1);
      arena.f32(xP, n * p).set(X);
      kernels.scaleColumns({ x: xP, n, p, scale: scP }); // no centering
      expect(firstDiff(arena.f32(xP, n * p), X.map((x, k) => Math.fround(x * scale[k % p]!)))).toBe(-1);
      for (const q of [scP, cP, sP, mP, xP]) arena.free(q);
    }
  });

  it('dot_f32 matches a JS dot product', async () => {
    const { kernels, arena } = await getEngine();
    const rng = new Rng(5);
    for (const n of [0, 1, 3, 4, 1001]) {
      const a = randomF32(rng, n), b = randomF32(rng, n);
      const aP = arena.put(a), bP = arena.put(b);
      let s = 0;
      for (let k = 0; k < n; k++) s += a[k]! * b[k]!;
      expect(kernels.dot(aP, bP, n)).toBeCloseTo(s, 4);
      arena.free(bP); arena.free(aP);
    }
  });
});
