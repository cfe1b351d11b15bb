/**
 * The one seeded generator of the engine: xoshiro128** (Blackman & Vigna), seeded through
 * splitmix32. Pure 32-bit integer arithmetic, so it is fast in JS (demo data need ~10^9 draws)
 * and gives the same stream in every host. Core code never uses the unseeded global generator.
 */
export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;
  private spare = NaN;

  constructor(seed: number, stream = 0) {
    let x = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const split = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split(); this.s1 = split(); this.s2 = split(); this.s3 = split();
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    return ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [0, n) without modulo bias. */
  int(n: number): number {
    const limit = 0x100000000 - (0x100000000 % n);
    let x: number;
    do x = this.nextU32(); while (x >= limit);
    return x % n;
  }

  /** Standard normal (Marsaglia polar method; caches the second value). */
  normal(): number {
    if (!Number.isNaN(this.spare)) { const s = this.spare; this.spare = NaN; return s; }
    let u: number, v: number, q: number;
    do { u = 2 * this.next() - 1; v = 2 * this.next() - 1; q = u * u + v * v; } while (q >= 1 || q === 0);
    const f = Math.sqrt(-2 * Math.log(q) / q);
    this.spare = v * f;
    return u * f;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: { length: number; [i: number]: T }): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!; a[i] = a[j]!; a[j] = t;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
