/** True for an integer in [0, 2^53 − 1]. */
export function isPageId(x: number): boolean {
  return x >= 0 && x <= 9007199254740991 && Math.floor(x) === x;
}

/**
 * Home slot (before masking to `bits` bits) of an integer id in [0, 2^53 − 1]. The low `bits`
 * bits are kept as they are and the higher bits are folded in by a Fibonacci multiply, so ids
 * below 2^bits — dense ids, page frame numbers, the pages of one region — map to themselves
 * (no collisions, and neighbours stay neighbours in memory) while runs of ids far apart
 * still spread. Hot loops inline the first branch: `(id ^ Math.imul(id >>> bits, 0x9e3779b1))`.
 */
export function slotOf(id: number, bits: number): number {
  const high = id < 4294967296 ? id >>> bits : Math.floor(id / 2 ** bits);
  return (id >>> 0) ^ Math.imul(high, 0x9e3779b1);
}
