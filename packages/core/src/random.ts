import { InvalidOptionError } from './errors.js';

/** A seeded pseudo-random generator; no allocation per draw. */
export interface Rng {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform number in [0, 1) with 53 random bits (two 32-bit draws). */
  nextFloat(): number;
  /** A uniform integer in [0, n), n ≤ 2^53. */
  nextInt(n: number): number;
}

/**
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32 from `seed` (any number; its
 * integer part modulo 2^32 and the next 21 bits are used). Same seed, same sequence, on any
 * platform.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new InvalidOptionError('seed', `must be finite, got ${seed}`);
  return new Xoshiro128StarStar(seed);
}

class Xoshiro128StarStar implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    const whole = Math.trunc(Math.abs(seed));
    let x = (whole >>> 0) ^ Math.imul(Math.floor(whole / 4294967296) | 0, 0x9e3779b9);
    const split = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * 1.1102230246251565e-16; // / 2^53
  }

  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Draws ranks 0..n−1 with P(k) ∝ 1 / (k + 1)^alpha (rank 0 the most popular) in O(1) per
 * sample by Vose's alias method: one 53-bit uniform picks a column and decides between the
 * column and its alias. The table takes 16 bytes per rank and O(n) to build. No allocation
 * per sample.
 */
export class ZipfSampler {
  /** Number of ranks. */
  readonly n: number;
  /** The exponent. */
  readonly alpha: number;
  readonly #rng: Rng;
  /** Column k: acceptance probability at 2k, alias rank at 2k + 1. */
  readonly #table: Float64Array;

  constructor(n: number, alpha: number, rng: Rng) {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 30) {
      throw new InvalidOptionError('n', `must be an integer in [1, 2^30], got ${String(n)}`);
    }
    if (!(alpha >= 0) || !Number.isFinite(alpha)) {
      throw new InvalidOptionError('alpha', `must be a finite number ≥ 0, got ${String(alpha)}`);
    }
    this.n = n;
    this.alpha = alpha;
    this.#rng = rng;
    const scaled = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const w = 1 / (k + 1) ** alpha;
      scaled[k] = w;
      sum += w;
    }
    for (let k = 0; k < n; k++) scaled[k] = (scaled[k]! * n) / sum;
    const table = new Float64Array(2 * n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let k = n - 1; k >= 0; k--) {
      if (scaled[k]! < 1) small[ns++] = k;
      else large[nl++] = k;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns]!;
      const l = large[nl - 1]!;
      table[2 * s] = scaled[s]!;
      table[2 * s + 1] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l] < 1) {
        nl--;
        small[ns++] = l;
      }
    }
    // Leftovers are 1 up to rounding.
    while (nl > 0) {
      const l = large[--nl]!;
      table[2 * l] = 1;
      table[2 * l + 1] = l;
    }
    while (ns > 0) {
      const s = small[--ns]!;
      table[2 * s] = 1;
      table[2 * s + 1] = s;
    }
    this.#table = table;
  }

  /** The next rank in [0, n). */
  next(): number {
    const x = this.#rng.nextFloat() * this.n;
    const i = Math.floor(x);
    return x - i < this.#table[2 * i]! ? i : this.#table[2 * i + 1]!;
  }

  /** Fills `out` with ranks; returns it. */
  fill<T extends { [index: number]: number; readonly length: number }>(out: T): T {
    for (let k = 0; k < out.length; k++) out[k] = this.next();
    return out;
  }
}
