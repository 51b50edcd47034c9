/**
 * A set of marked times 0..cap−1 that only ever gains marks at its top (the highest time in
 * use, `top`) and loses them anywhere, with the number of marks below a time in O(1): the
 * LRU-stack case, where a time is marked while it is some entry's latest time and the
 * entries ahead of an entry are the marks after its time.
 *
 * Layout: a bitmap of 32-bit words, and above it six levels of counts, each indexed by the
 * unit (a run of words) containing a time:
 *
 * | level | unit                | entry: marks from the start of its node to the unit | type   |
 * | ----- | ------------------- | --------------------------------------------------- | ------ |
 * | a1    | word (32 times)     | node of 8 words                                     | Uint8  |
 * | a2    | 8 words (256)       | node of 8 units                                     | Uint16 |
 * | a3    | 64 words (2048)     | node of 8 units                                     | Uint16 |
 * | a4    | 512 words (16 Ki)   | node of 4 units                                     | Uint16 |
 * | a5    | 2048 words (64 Ki)  | node of 8 units                                     | Int32  |
 * | a6    | 16 Ki words (512 Ki)| node of 8 units (= from time 0 if ≤ 8 units)        | Int32  |
 * | up[k] | 8^k × 16 Ki words   | node of 8 units; the last level is one node         | Int32  |
 *
 * (a6 is up[0]; a capacity of up to 4 Mi times needs no other level, and each further level
 * multiplies it by 8), so the marks below t are six reads plus a popcount of part of t's
 * word, with no loop, up to 4 Mi times, and one more read per level beyond.
 * Marking the top time only sets its bit: an entry is written when the top first enters its
 * unit (all marks are then below the unit, so the entry is the number of marks minus those
 * before its node), and entries of units above the top are never read. Clearing a time
 * subtracts one from the entries after its unit in its node at each level where the top is
 * in a later unit; the Uint8 and Uint16 entries of a node are subtracted from four or two at
 * a time through an Int32Array view with a mask (no borrow can cross into a live entry: every
 * entry after the cleared unit counts that mark, and entries above the top are rewritten
 * before they are read). Levels a5 and up take a loop over at most 7 entries each, so a
 * clear is O(log cap) in the worst case and O(1) when the top is near.
 *
 * Memory: 1/8 B per time for the bitmap and about 1/25 B for the counts.
 */
export class TimeMarks {
  /** Times held (≥ the capacity asked for). */
  readonly cap: number;
  readonly words: number;
  /** Bit t & 31 of word t >>> 5 is set when time t is marked. */
  readonly bits: Int32Array<ArrayBuffer>;
  readonly a1: Uint8Array<ArrayBuffer>;
  readonly a1w: Int32Array<ArrayBuffer>;
  readonly a2: Uint16Array<ArrayBuffer>;
  readonly a2w: Int32Array<ArrayBuffer>;
  readonly a3: Uint16Array<ArrayBuffer>;
  readonly a3w: Int32Array<ArrayBuffer>;
  readonly a4: Uint16Array<ArrayBuffer>;
  readonly a4w: Int32Array<ArrayBuffer>;
  readonly a5: Int32Array<ArrayBuffer>;
  readonly a6: Int32Array<ArrayBuffer>;
  /** Levels from a6 (= up[0]) up: up[k] is indexed by t >>> (19 + 3k). */
  readonly up: Int32Array<ArrayBuffer>[];
  /** The highest time in use (−1: none); every mark is ≤ top, and entries are valid up to it. */
  top = -1;
  /** Marked times. */
  live = 0;

  constructor(cap: number) {
    const words = roundUp(Math.max(1, Math.ceil(cap / 32)), 8);
    this.words = words;
    this.cap = words * 32;
    this.bits = new Int32Array(words);
    this.a1 = new Uint8Array(words);
    this.a1w = new Int32Array(this.a1.buffer);
    this.a2 = new Uint16Array(roundUp(Math.ceil(words / 8), 8));
    this.a2w = new Int32Array(this.a2.buffer);
    this.a3 = new Uint16Array(roundUp(Math.ceil(words / 64), 8));
    this.a3w = new Int32Array(this.a3.buffer);
    this.a4 = new Uint16Array(roundUp(Math.ceil(words / 512), 4));
    this.a4w = new Int32Array(this.a4.buffer);
    this.a5 = new Int32Array(roundUp(Math.ceil(words / 2048), 8));
    this.up = [];
    for (let shift = 14; ; shift += 3) {
      const units = Math.ceil(words / 2 ** shift);
      this.up.push(new Int32Array(roundUp(units, 8)));
      if (units <= 8) break;
    }
    this.a6 = this.up[0]!;
  }

  /** Bytes held. */
  get byteLength(): number {
    return (
      this.bits.byteLength +
      this.a1.byteLength +
      this.a2.byteLength +
      this.a3.byteLength +
      this.a4.byteLength +
      this.a5.byteLength +
      this.up.reduce((sum, level) => sum + level.byteLength, 0)
    );
  }

  has(t: number): boolean {
    return (this.bits[t >>> 5]! & (1 << (t & 31))) !== 0;
  }

  /** Marks below t (0 ≤ t ≤ top + 1). */
  below(t: number): number {
    if (t > this.top) return this.live;
    const w = t >>> 5;
    // popcount, inlined.
    let x = this.bits[w]! & ((1 << (t & 31)) - 1);
    x = (x - ((x >>> 1) & 0x55555555)) | 0;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    x = (x + (x >>> 4)) & 0x0f0f0f0f;
    return (
      (this.up.length === 1 ? this.a6[w >>> 14]! : upperBelow(this, w)) +
      this.a5[w >>> 11]! +
      this.a4[w >>> 9]! +
      this.a3[w >>> 6]! +
      this.a2[w >>> 3]! +
      this.a1[w]! +
      (Math.imul(x, 0x01010101) >>> 24)
    );
  }

  /** Marks in [a, b] (0 ≤ a ≤ b ≤ top). */
  count(a: number, b: number): number {
    return this.below(b + 1) - this.below(a);
  }

  /** Marks t, which must be above the top; t becomes the top. */
  push(t: number): void {
    this.raise(t);
    this.bits[t >>> 5] = this.bits[t >>> 5]! | (1 << (t & 31));
    this.live++;
  }

  /** Makes t (> top, < cap) the top, with no mark above the old top. */
  raise(t: number): void {
    if (t <= this.top) return;
    for (let w = this.top < 0 ? 0 : (this.top >>> 5) + 1; w <= t >>> 5; w++) {
      enterWord(this, w, this.live);
    }
    this.top = t;
  }

  /** Clears t0 and marks t (> t0, ≥ top), which becomes the top. */
  move(t0: number, t: number): void {
    if (this.top >= 0 && t >>> 5 === this.top >>> 5) this.top = t;
    else this.raise(t);
    const w = t0 >>> 5;
    this.bits[w] = this.bits[w]! & ~(1 << (t0 & 31));
    unmarkCounts(this, w, t >>> 5);
    this.bits[t >>> 5] = this.bits[t >>> 5]! | (1 << (t & 31));
  }

  /** Lowers the top to t (≥ −1); there must be no mark above t. */
  lower(t: number): void {
    this.top = t;
  }

  /** Clears the marked time t. */
  clear(t: number): void {
    const w = t >>> 5;
    this.bits[w] = this.bits[w]! & ~(1 << (t & 31));
    this.live--;
    unmarkCounts(this, w, this.top >>> 5);
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

  /**
   * Replaces every time t in `times` (as read through `stride` from `from`, skipping
   * negative entries) by the number of marks below it, in O(cap / 32 + entries).
   */
  renumber(times: Int32Array | Float64Array, from: number, stride: number): void {
    const bits = this.bits;
    const last = this.top >>> 5;
    const before = new Int32Array(last + 1);
    let sum = 0;
    for (let w = 0; w <= last; w++) {
      before[w] = sum;
      sum += popcount(bits[w]!);
    }
    for (let i = from; i < times.length; i += stride) {
      const t = times[i]!;
      if (t < 0) continue;
      const w = t >>> 5;
      times[i] = before[w]! + popcount(bits[w]! & ((1 << (t & 31)) - 1));
    }
  }

  /** Resets to exactly the marks 0..k−1 (top k − 1), in O(cap / 32). */
  fillFirst(k: number): void {
    const bits = this.bits;
    const full = k >>> 5;
    bits.fill(-1, 0, full);
    bits.fill(0, full);
    if ((k & 31) !== 0) bits[full] = (1 << (k & 31)) - 1;
    for (let w = 0; w << 5 < k; w++) enterWord(this, w, w << 5);
    this.live = k;
    this.top = k - 1;
  }
}

/**
 * Writes the entries of word w, which the top enters with `live` marks, all below it. Entries
 * of the larger units are written too when w starts them.
 */
export function enterWord(m: TimeMarks, w: number, live: number): void {
  const a5 = m.a5;
  const a4 = m.a4;
  const a3 = m.a3;
  const a2 = m.a2;
  let g = live;
  if ((w & 16383) === 0) {
    const up = m.up;
    for (let k = up.length - 1; k >= 0; k--) {
      const level = up[k]!;
      const shift = 14 + 3 * k;
      if ((w & ((1 << shift) - 1)) === 0) level[w >>> shift] = g;
      g -= level[w >>> shift]!;
    }
  } else {
    g -= upperBelow(m, w);
  }
  if ((w & 2047) === 0) a5[w >>> 11] = g;
  g -= a5[w >>> 11]!;
  if ((w & 511) === 0) a4[w >>> 9] = g;
  g -= a4[w >>> 9]!;
  if ((w & 63) === 0) a3[w >>> 6] = g;
  g -= a3[w >>> 6]!;
  if ((w & 7) === 0) a2[w >>> 3] = g;
  g -= a2[w >>> 3]!;
  m.a1[w] = g;
}

/**
 * Takes one mark in word w off the counts, the top being in word wn (≥ w). The bit itself is
 * the caller's to clear.
 */
export function unmarkCounts(m: TimeMarks, w: number, wn: number): void {
  if (w === wn) return;
  const j = w & 7;
  const i = (w >>> 3) << 1;
  const a1w = m.a1w;
  a1w[i] = a1w[i]! - BYTES_AFTER[2 * j]!;
  a1w[i + 1] = a1w[i + 1]! - BYTES_AFTER[2 * j + 1]!;
  if (w >>> 3 !== wn >>> 3) unmarkUpperCounts(m, w, wn);
}

/** {@link unmarkCounts} from level a2 up, when the top is in a later run of 8 words. */
export function unmarkUpperCounts(m: TimeMarks, w: number, wn: number): void {
  let u = w >>> 3;
  let j = (u & 7) << 2;
  let i = (u >>> 3) << 2;
  const a2w = m.a2w;
  a2w[i] = a2w[i]! - HALVES_AFTER_8[j]!;
  a2w[i + 1] = a2w[i + 1]! - HALVES_AFTER_8[j + 1]!;
  a2w[i + 2] = a2w[i + 2]! - HALVES_AFTER_8[j + 2]!;
  a2w[i + 3] = a2w[i + 3]! - HALVES_AFTER_8[j + 3]!;
  u = w >>> 6;
  if (u === wn >>> 6) return;
  j = (u & 7) << 2;
  i = (u >>> 3) << 2;
  const a3w = m.a3w;
  a3w[i] = a3w[i]! - HALVES_AFTER_8[j]!;
  a3w[i + 1] = a3w[i + 1]! - HALVES_AFTER_8[j + 1]!;
  a3w[i + 2] = a3w[i + 2]! - HALVES_AFTER_8[j + 2]!;
  a3w[i + 3] = a3w[i + 3]! - HALVES_AFTER_8[j + 3]!;
  u = w >>> 9;
  if (u === wn >>> 9) return;
  j = (u & 3) << 1;
  i = (u >>> 2) << 1;
  const a4w = m.a4w;
  a4w[i] = a4w[i]! - HALVES_AFTER_4[j]!;
  a4w[i + 1] = a4w[i + 1]! - HALVES_AFTER_4[j + 1]!;
  u = w >>> 11;
  if (u === wn >>> 11) return;
  subtractAfter(m.a5, u);
  const up = m.up;
  for (let k = 0, shift = 14; k < up.length; k++, shift += 3) {
    u = w >>> shift;
    if (u === wn >>> shift) return;
    subtractAfter(up[k]!, u);
  }
}

/**
 * Subtracts one from the entries after entry u in u's node of 8 Int32 entries: seven
 * subtractions of 0 or 1 ((j − k) >>> 31 is 1 exactly when j < k), with no loop whose trip
 * count the branch predictor would miss.
 */
function subtractAfter(level: Int32Array, u: number): void {
  const b = u & ~7;
  const j = u & 7;
  level[b + 1] = level[b + 1]! - ((j - 1) >>> 31);
  level[b + 2] = level[b + 2]! - ((j - 2) >>> 31);
  level[b + 3] = level[b + 3]! - ((j - 3) >>> 31);
  level[b + 4] = level[b + 4]! - ((j - 4) >>> 31);
  level[b + 5] = level[b + 5]! - ((j - 5) >>> 31);
  level[b + 6] = level[b + 6]! - ((j - 6) >>> 31);
  level[b + 7] = level[b + 7]! - ((j - 7) >>> 31);
}

/**
 * Moves the mark at t0 to t = top + 1 in one pass, for hot loops (an LRU re-reference, a
 * protected entity's move to the MRU end): returns the marks in [t0, t − 1] (t0 included, so
 * ≥ 1) counted before the move. `live` = m.live, `bits` = m.bits. The caller sets `m.top = t`
 * (after a run of moves, once).
 */
export function moveToTop(
  m: TimeMarks,
  bits: Int32Array,
  t0: number,
  t: number,
  live: number,
): number {
  const w = t0 >>> 5;
  const wn = t >>> 5;
  if ((t & 31) === 0) enterWord(m, wn, live);
  const distance =
    live -
    ((m.up.length === 1 ? m.a6[w >>> 14]! : upperBelow(m, w)) +
      m.a5[w >>> 11]! +
      m.a4[w >>> 9]! +
      m.a3[w >>> 6]! +
      m.a2[w >>> 3]! +
      m.a1[w]! +
      popcount(bits[w]! & ((1 << (t0 & 31)) - 1)));
  bits[w] = bits[w]! & ~(1 << (t0 & 31));
  if (w !== wn) {
    // unmarkCounts, its first level inlined.
    const i = (w >>> 3) << 1;
    const a1w = m.a1w;
    a1w[i] = a1w[i]! - BYTES_AFTER[2 * (w & 7)]!;
    a1w[i + 1] = a1w[i + 1]! - BYTES_AFTER[2 * (w & 7) + 1]!;
    if (w >>> 3 !== wn >>> 3) unmarkUpperCounts(m, w, wn);
  }
  bits[wn] = bits[wn]! | (1 << (t & 31));
  return distance;
}

/** Marks below word w counted by the levels from a6 up (w's units there are entered). */
export function upperBelow(m: TimeMarks, w: number): number {
  const up = m.up;
  let sum = up[0]![w >>> 14]!;
  for (let k = 1; k < up.length; k++) sum += up[k]![w >>> (14 + 3 * k)]!;
  return sum;
}

/** For an 8-entry Uint8 node viewed as two Int32 lanes: a 1 in each byte after byte j. */
export const BYTES_AFTER = /* @__PURE__ */ makeMasks(8, 8);
/** For an 8-entry Uint16 node viewed as four Int32 lanes: a 1 in each half after entry j. */
const HALVES_AFTER_8 = /* @__PURE__ */ makeMasks(8, 16);
/** For a 4-entry Uint16 node viewed as two Int32 lanes. */
const HALVES_AFTER_4 = /* @__PURE__ */ makeMasks(4, 16);

function makeMasks(entries: number, bitsPerEntry: number): Int32Array {
  const perLane = 32 / bitsPerEntry;
  const lanes = entries / perLane;
  const masks = new Int32Array(entries * lanes);
  for (let j = 0; j < entries; j++) {
    for (let e = j + 1; e < entries; e++) {
      const lane = Math.floor(e / perLane);
      masks[j * lanes + lane] = masks[j * lanes + lane]! | (1 << (bitsPerEntry * (e % perLane)));
    }
  }
  return masks;
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/** Number of set bits of a 32-bit integer. */
export function popcount(x: number): number {
  x = (x - ((x >>> 1) & 0x55555555)) | 0;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
