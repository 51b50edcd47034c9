import { InvalidOptionError } from '../errors.js';

/** True for an integer in [0, 2^53 − 1]. */
export function isPageId(x: number): boolean {
  return x >= 0 && x <= 9007199254740991 && Math.floor(x) === x;
}

/**
 * Home slot, in [0, 2^bits), of an integer id in [0, 2^53 − 1] (1 ≤ bits ≤ 31): Fibonacci
 * hashing of the low 32 bits with the high bits folded in, taking the product's top bits.
 * Consecutive ids land 0.618 · 2^bits apart, so dense runs of ids spread evenly instead of
 * forming one long probe run (dense ids are direct-indexed where it pays; see
 * {@link directLengthFor}). Hot loops inline the case id < 2^32:
 * `Math.imul(id, 0x9e3779b1) >>> (32 - bits)`.
 */
export function slotOf(id: number, bits: number): number {
  const high = id < 4294967296 ? 0 : Math.floor(id / 4294967296);
  return Math.imul((id >>> 0) ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1) >>> (32 - bits);
}

/** Ids below this may be direct-indexed (an array slot per id) whatever the number of ids. */
export const DIRECT_FREE = 1 << 20;
/** Ids at or above this are never direct-indexed. */
export const DIRECT_MAX = 1 << 24;

/**
 * The length (a power of two) of a direct-indexed array that holds `id`, grown from `length`,
 * or 0 if the array should give way to a hash table: when that length would pass
 * DIRECT_MAX, or pass DIRECT_FREE and `perItem` slots per item of `items`.
 */
export function directLengthFor(
  id: number,
  length: number,
  items: number,
  perItem: number,
): number {
  let size = Math.max(1, length);
  while (size <= id && size < DIRECT_MAX) size *= 2;
  if (size <= id) return 0;
  return size <= DIRECT_FREE || size <= perItem * items ? size : 0;
}

/** Checks the count `n` of a `feed(pages, n)` call: an integer in [0, length]. */
export function checkCount(n: number, length: number): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= length)) {
    throw new InvalidOptionError('n', `must be an integer in [0, ${length}], got ${String(n)}`);
  }
}
