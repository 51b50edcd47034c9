/**
 * A set of marked times 0..cap−1 with counting in O(log cap): a bitmap of 32-bit words plus a
 * Fenwick tree over the words' populations. It is small (1/4 byte per time), so it stays in
 * cache, and counts over nearby times cost O(1): only a popcount of one or two words.
 *
 * Used for LRU stacks kept in time order: a time is marked while it is some entry's latest
 * time, so the number of entries ahead of an entry is the number of marks after its time.
 */
export class TimeMarks {
  /** Times held; a multiple of 32. */
  readonly cap: number;
  readonly words: number;
  /** Bit t & 31 of word t >>> 5 is set when time t is marked. */
  readonly bits: Int32Array<ArrayBuffer>;
  /** Fenwick tree over word populations; word w is index w + 1. */
  readonly tree: Int32Array<ArrayBuffer>;

  constructor(cap: number) {
    this.cap = Math.max(32, Math.ceil(cap / 32) * 32);
    this.words = this.cap >>> 5;
    this.bits = new Int32Array(this.words);
    this.tree = new Int32Array(this.words + 1);
  }

  /** Bytes held. */
  get byteLength(): number {
    return this.bits.byteLength + this.tree.byteLength;
  }

  has(t: number): boolean {
    return (this.bits[t >>> 5]! & (1 << (t & 31))) !== 0;
  }

  /** Marks in [a, b] (a ≤ b). */
  count(a: number, b: number): number {
    const bits = this.bits;
    const wa = a >>> 5;
    const wb = b >>> 5;
    if (wa === wb) return popcount(bits[wa]! & (-1 << (a & 31)) & (-1 >>> (31 - (b & 31))));
    let s = popcount(bits[wa]! & (-1 << (a & 31))) + popcount(bits[wb]! & (-1 >>> (31 - (b & 31))));
    // Whole words wa+1 .. wb−1: Fenwick prefix(wb) − prefix(wa + 1). The walks share their
    // tail from the common prefix c of the two indices: i passes c after all its steps above
    // every j, then j walks down to c. Two loops, so only their exits are mispredicted.
    const tree = this.tree;
    let i = wb;
    let j = wa + 1;
    for (; i > j; i -= i & -i) s += tree[i]!;
    for (; j > i; j -= j & -j) s -= tree[j]!;
    return s;
  }

  set(t: number): void {
    const w = t >>> 5;
    this.bits[w] = this.bits[w]! | (1 << (t & 31));
    const tree = this.tree;
    const n = this.words;
    for (let i = w + 1; i <= n; i += i & -i) tree[i]!++;
  }

  clear(t: number): void {
    const w = t >>> 5;
    this.bits[w] = this.bits[w]! & ~(1 << (t & 31));
    const tree = this.tree;
    const n = this.words;
    for (let i = w + 1; i <= n; i += i & -i) tree[i]!--;
  }

  /** Clears t0 and sets t (t0 < t); Fenwick nodes covering both words are left alone. */
  move(t0: number, t: number): void {
    const bits = this.bits;
    const w0 = t0 >>> 5;
    const w = t >>> 5;
    bits[w0] = bits[w0]! & ~(1 << (t0 & 31));
    bits[w] = bits[w]! | (1 << (t & 31));
    if (w0 === w) return;
    const tree = this.tree;
    const n = this.words;
    const a = w0 + 1;
    const b = w + 1;
    let i = a;
    for (; i < b; i += i & -i) tree[i]!--;
    for (i = b; i <= n && i - (i & -i) >= a; i += i & -i) tree[i]!++;
  }

  /** The highest marked time ≤ t, or −1. */
  highestAtOrBelow(t: number): number {
    const bits = this.bits;
    let w = t >>> 5;
    let x = bits[w]! & (-1 >>> (31 - (t & 31)));
    while (x === 0) {
      if (--w < 0) return -1;
      x = bits[w]!;
    }
    return (w << 5) | (31 - Math.clz32(x));
  }

  /** Resets to exactly the marks 0..k−1, in O(cap / 32). */
  fillFirst(k: number): void {
    const bits = this.bits;
    const full = k >>> 5;
    bits.fill(-1, 0, full);
    bits.fill(0, full);
    if ((k & 31) !== 0) bits[full] = (1 << (k & 31)) - 1;
    const tree = this.tree;
    const n = this.words;
    for (let i = 1; i <= n; i++) {
      // Node i covers words (i − lowbit(i), i], i.e. times [32(i − lowbit(i)), 32i).
      const lo = (i - (i & -i)) << 5;
      tree[i] = Math.max(0, Math.min(i << 5, k) - lo);
    }
  }
}

/** Number of set bits of a 32-bit integer. */
export function popcount(x: number): number {
  x = (x - ((x >>> 1) & 0x55555555)) | 0;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
