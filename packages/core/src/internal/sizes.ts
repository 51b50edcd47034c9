import { InvalidOptionError } from '../errors.js';

/** Sizes sorted ascending without duplicates; each must be a finite number ≥ 0. */
export function normaliseSizes(sizes: ArrayLike<number>, option: string): Float64Array {
  const sorted = Float64Array.from(sizes);
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    if (!Number.isFinite(s) || s < 0) {
      throw new InvalidOptionError(option, `size ${s} is not a finite number ≥ 0`);
    }
  }
  sorted.sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (n === 0 || sorted[i]! !== sorted[n - 1]!) sorted[n++] = sorted[i]!;
  }
  return sorted.slice(0, n);
}
