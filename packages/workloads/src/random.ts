/**
 * Seeded randomness for workloads: every random choice of a program comes from a
 * {@link SeededRandom} made from the instance's seed, so one seed gives one operation stream.
 */

/** A small seeded generator (mulberry32) with the draws workloads need. */
export class SeededRandom {
  #s: number;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds give unrelated streams.
    this.#s = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) | 0;
    let x = Math.imul(this.#s ^ (this.#s >>> 15), 1 | this.#s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A 32-bit seed for a sub-stream (e.g. a touch's random order). */
  seed(): number {
    return (this.next() * 4294967296) >>> 0;
  }

  /** Log-normal with the given median and σ of the underlying normal (Box–Muller). */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next();
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  }

  /** Fisher–Yates permutation of 0 … n−1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/**
 * Zipf(α) over ranks 0 … n−1: P(rank k) ∝ 1/(k+1)^α, drawn by binary search in the
 * cumulative table (one Float64Array, built once).
 */
export class ZipfSampler {
  readonly n: number;
  readonly alpha: number;
  readonly #cdf: Float64Array;

  constructor(n: number, alpha: number) {
    if (!Number.isSafeInteger(n) || n < 1)
      throw new RangeError(`ZipfSampler: n must be ≥ 1, got ${n}`);
    if (!(alpha >= 0)) throw new RangeError(`ZipfSampler: alpha must be ≥ 0, got ${alpha}`);
    this.n = n;
    this.alpha = alpha;
    const cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, alpha);
      cdf[k] = sum;
    }
    for (let k = 0; k < n; k++) cdf[k] = cdf[k]! / sum;
    cdf[n - 1] = 1;
    this.#cdf = cdf;
  }

  /** A rank for the uniform draw `u` in [0, 1). */
  rank(u: number): number {
    const cdf = this.#cdf;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
