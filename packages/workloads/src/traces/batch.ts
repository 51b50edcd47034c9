/** Room for the references of one record beyond the batch size, before growing. */
const SLACK = 64;

export const DEFAULT_BATCH_SIZE = 65536;

/**
 * The batch being filled. Parsers write `out[fill++] = page` in their own loops (no call
 * per reference), stop at a record boundary once `fill >= limit`, and call `ensure` before
 * a record that may give more than one reference.
 */
export class PageBatch {
  out: Float64Array;
  fill = 0;
  readonly limit: number;
  readonly #reuse: boolean;

  constructor(batchSize: number, reuse: boolean) {
    this.limit = batchSize;
    this.#reuse = reuse;
    this.out = new Float64Array(batchSize + SLACK);
  }

  get full(): boolean {
    return this.fill >= this.limit;
  }

  /** Makes room for `n` more references. */
  ensure(n: number): void {
    if (this.fill + n <= this.out.length) return;
    const bigger = new Float64Array(Math.max(this.fill + n, this.limit + SLACK));
    bigger.set(this.out.subarray(0, this.fill));
    this.out = bigger;
  }

  /** Hands out the filled part and starts a new batch. */
  take(): Float64Array {
    const n = this.fill;
    this.fill = 0;
    if (this.#reuse) {
      const batch = this.out.subarray(0, n);
      if (this.out.length > this.limit + SLACK) this.out = new Float64Array(this.limit + SLACK);
      return batch;
    }
    const full = this.out;
    this.out = new Float64Array(this.limit + SLACK);
    // A short (last) batch is copied so that it does not pin a whole batch buffer.
    return n * 2 < full.length ? full.slice(0, n) : full.subarray(0, n);
  }
}

export function checkBatchSize(batchSize: number | undefined): number {
  if (batchSize === undefined) return DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1 << 26) {
    throw new RangeError(`batchSize must be an integer from 1 to 2^26, got ${batchSize}`);
  }
  return batchSize;
}
