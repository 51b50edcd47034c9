/**
 * Open-addressing hash table (linear probing) from arbitrary ids — integers in
 * [0, 2^53 − 1], for example disk block numbers — to dense indices 0, 1, 2, … in order of
 * first insertion. Slots hold dense indices (Int32Array); keys live in a Float64Array by
 * dense index, which doubles as the reverse map. No deletion. Callers validate keys.
 */
export class DenseIdMap {
  /** Dense index per slot, −1 when empty. */
  slots: Int32Array<ArrayBuffer>;
  /** Key per dense index. */
  keys: Float64Array<ArrayBuffer>;
  bits: number;
  mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    this.bits = Math.max(4, Math.ceil(Math.log2(Math.max(2, initialCapacity) * 2)));
    this.mask = (1 << this.bits) - 1;
    this.slots = new Int32Array(this.mask + 1).fill(-1);
    this.keys = new Float64Array((this.mask + 1) >>> 1);
  }

  /** Bytes held. */
  get byteLength(): number {
    return this.slots.byteLength + this.keys.byteLength;
  }

  /** The dense index of `key`, or −1. */
  get(key: number): number {
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    let i = slotOf(key, this.bits) & mask;
    for (;;) {
      const d = slots[i]!;
      if (d < 0 || keys[d] === key) return d;
      i = (i + 1) & mask;
    }
  }

  /**
   * The dense index of `key` if present (≥ 0); otherwise inserts it with the next dense index
   * d and returns ~d (< 0).
   */
  intern(key: number): number {
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    let i = slotOf(key, this.bits) & mask;
    for (;;) {
      const d = slots[i]!;
      if (d < 0) break;
      if (keys[d] === key) return d;
      i = (i + 1) & mask;
    }
    const d = this.size++;
    slots[i] = d;
    keys[d] = key;
    if (this.size * 2 > mask) this.grow();
    return ~d;
  }

  private grow(): void {
    this.bits++;
    this.mask = (1 << this.bits) - 1;
    const slots = new Int32Array(this.mask + 1).fill(-1);
    const keys = new Float64Array((this.mask + 1) >>> 1);
    keys.set(this.keys.subarray(0, this.size));
    const mask = this.mask;
    for (let d = 0; d < this.size; d++) {
      let i = slotOf(keys[d]!, this.bits) & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = d;
    }
    this.slots = slots;
    this.keys = keys;
  }
}

/**
 * Home slot (before masking to `bits` bits) of an integer id in [0, 2^53 − 1]. The low `bits`
 * bits are kept as they are and the higher bits are folded in by a Fibonacci multiply, so ids
 * below 2^bits — dense ids, page frame numbers — map to themselves (no collisions, and
 * neighbours stay neighbours) while runs of ids far apart still spread.
 */
export function slotOf(key: number, bits: number): number {
  const high = key < 4294967296 ? key >>> bits : Math.floor(key / 2 ** bits);
  return (key >>> 0) ^ Math.imul(high, 0x9e3779b1);
}

/** True for an integer in [0, 2^53 − 1]. */
export function isPageId(x: number): boolean {
  return x >= 0 && x <= 9007199254740991 && Math.floor(x) === x;
}
