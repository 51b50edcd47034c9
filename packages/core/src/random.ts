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
 * Draws ranks 0..n−1 with P(k) ∝ 1 / (k + 1)^alpha (rank 0 the most popular) by
 * rejection-inversion (Hörmann & Derflinger, "Rejection-inversion to generate variates from
 * monotone discrete distributions", ACM TOMACS 6(3), 1996): a uniform is mapped through the
 * inverse of the integral of the hat function x^−alpha and accepted or rejected, about 1.1
 * uniforms per draw on average. It needs O(1) memory whatever n is — no table to build and
 * none to evict the caches of whatever consumes the ranks. No allocation per sample.
 */
export class ZipfSampler {
  /** Number of ranks. */
  readonly n: number;
  /** The exponent. */
  readonly alpha: number;
  readonly #rng: Rng;
  readonly #hIntegralX1: number;
  readonly #hIntegralN: number;
  readonly #s: number;

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
    this.#hIntegralX1 = this.#hIntegral(1.5) - 1;
    this.#hIntegralN = this.#hIntegral(n + 0.5);
    this.#s = 2 - this.#hIntegralInverse(this.#hIntegral(2.5) - this.#h(2));
  }

  /** The next rank in [0, n). */
  next(): number {
    const lo = this.#hIntegralN;
    const span = this.#hIntegralX1 - lo;
    const n = this.n;
    for (;;) {
      const u = lo + this.#rng.nextFloat() * span;
      const x = this.#hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= this.#s || u >= this.#hIntegral(k + 0.5) - this.#h(k)) return k - 1;
    }
  }

  /** Fills `out` with ranks; returns it. */
  fill<T extends { [index: number]: number; readonly length: number }>(out: T): T {
    for (let k = 0; k < out.length; k++) out[k] = this.next();
    return out;
  }

  /** The hat function x^−alpha. */
  #h(x: number): number {
    return Math.exp(-this.alpha * Math.log(x));
  }

  /** ∫₁ˣ t^−alpha dt = (x^(1−alpha) − 1)/(1 − alpha), or log x at alpha = 1, computed stably. */
  #hIntegral(x: number): number {
    const logX = Math.log(x);
    return expm1OverX((1 - this.alpha) * logX) * logX;
  }

  /** The inverse of {@link #hIntegral}. */
  #hIntegralInverse(x: number): number {
    let t = x * (1 - this.alpha);
    if (t < -1) t = -1; // rounding can push it below the domain
    return Math.exp(log1pOverX(t) * x);
  }
}

/** log(1 + x) / x, with its series near 0. */
function log1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** (e^x − 1) / x, with its series near 0. */
function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}
