/**
 * PCG32 (O'Neill 2014, XSH RR variant): the one seeded generator of the engine. Same seed, same
 * stream in every host; never Math.random in core.
 */
export class Pcg32 {
  private state = 0n;
  private readonly inc: bigint;
  private static readonly MUL = 6364136223846793005n;
  private static readonly MASK = (1n << 64n) - 1n;

  constructor(seed: number | bigint, stream: number | bigint = 54) {
    this.inc = ((BigInt(stream) << 1n) | 1n) & Pcg32.MASK;
    this.nextU32();
    this.state = (this.state + BigInt(seed)) & Pcg32.MASK;
    this.nextU32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const old = this.state;
    this.state = (old * Pcg32.MUL + this.inc) & Pcg32.MASK;
    const xorshifted = Number(((old >> 18n) ^ old) >> 27n & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << ((-rot) & 31))) >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n) without modulo bias. */
  int(n: number): number {
    const limit = 0x100000000 - (0x100000000 % n);
    let x: number;
    do x = this.nextU32(); while (x >= limit);
    return x % n;
  }

  /** Standard normal (Box–Muller, one value per call; the second is discarded for simplicity). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Float64Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!; a[i] = a[j]!; a[j] = t as never;
    }
  }
}
