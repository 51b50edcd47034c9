import { InvalidOptionError, InvalidPageError } from './errors.js';
import { HitRatioCurve } from './hit-ratio-curve.js';
import { isPageId } from './internal/ids.js';
import { RecordTable } from './internal/record-table.js';
import { normaliseSizes } from './internal/sizes.js';
import { TimeMarks, popcount } from './internal/time-marks.js';

export interface ExactLruOptions {
  /** Distinct pages to make room for at first (grows by doubling). Default 1024. */
  readonly initialCapacity?: number;
  /**
   * Times usable before the first compaction (an integer ≥ 2; default about twice
   * `initialCapacity`). The limit doubles whenever more than half of it would stay live after
   * a compaction; a small value makes compaction frequent, which tests use.
   */
  readonly initialTimeCapacity?: number;
}

/**
 * Exact LRU stack distances and hit-ratio curve of a reference stream (Mattson et al. 1970),
 * in O(log n) per reference.
 *
 * Each distinct page keeps the time of its last reference; a bitmap over time marks the times
 * that are some page's last reference, with a Fenwick tree over the bitmap's 32-bit words.
 * The stack distance of a reference is the number of marks from the page's last time to now
 * (the page itself included), so distance 1 is a re-reference of the most recent page and a
 * reference hits in an LRU memory of c pages exactly when its distance is ≤ c. First
 * references are misses (infinite distance). When the times run out they are compacted (live
 * times renumbered in order) and, if more than half would stay live, doubled, so the cost per
 * reference stays O(log n) amortised and memory stays proportional to the distinct pages.
 * The trace itself is never held.
 */
export class ExactLru {
  /** Hash table whose slot per page is the record [page, time of its last reference]. */
  private readonly table: RecordTable;
  /** Time → slot of the page it was handed to (valid while marked); read when compacting. */
  private timeToPage: Int32Array<ArrayBuffer>;
  /** Times that are some page's last reference. */
  private marks: TimeMarks;
  /** Times usable before the next compaction (≤ marks.cap). */
  private limit: number;
  /** Latest time handed out (−1 before the first reference). */
  private now = -1;
  /** histogram[d] = references with stack distance d (d ≥ 1). */
  private hist: Float64Array<ArrayBuffer>;
  private refs = 0;
  private compacted = 0;

  constructor(options: ExactLruOptions = {}) {
    const capacity = options.initialCapacity ?? 1024;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('initialCapacity', `must be an integer ≥ 1, got ${capacity}`);
    }
    const timeCap = options.initialTimeCapacity ?? 2 * capacity;
    if (!Number.isInteger(timeCap) || timeCap < 2) {
      throw new InvalidOptionError('initialTimeCapacity', `must be an integer ≥ 2, got ${timeCap}`);
    }
    this.table = new RecordTable(capacity, 0.5);
    this.hist = new Float64Array(this.table.capacity + 1);
    this.marks = new TimeMarks(timeCap);
    this.timeToPage = new Int32Array(this.marks.cap);
    this.limit = options.initialTimeCapacity === undefined ? this.marks.cap : timeCap;
  }

  /**
   * Records a reference to `page` (an integer in [0, 2^53 − 1]) and returns its stack
   * distance: 1 for the most recently used page, `Infinity` for a first reference.
   */
  access(page: number): number {
    if (!isPageId(page)) throw new InvalidPageError(page);
    this.refs++;
    if (this.now + 1 === this.limit) this.compact();
    const t = ++this.now;
    const table = this.table;
    let x = table.probe(page);
    if (table.recs[2 * x] !== page) {
      if (table.full) {
        table.grow(this.moved);
        x = table.probe(page);
        if (this.hist.length < table.capacity + 1) this.growHistogram();
      }
      table.insertAt(x, page, t);
      this.marks.set(t);
      this.timeToPage[t] = x;
      return Infinity;
    }
    const recs = table.recs;
    const t0 = recs[2 * x + 1]!;
    // Distance: pages whose last reference is in [t0, t − 1], the page itself included.
    const distance = this.marks.count(t0, t - 1);
    this.marks.move(t0, t);
    this.timeToPage[t] = x;
    recs[2 * x + 1] = t;
    this.hist[distance]!++;
    return distance;
  }

  /**
   * Records every page of `pages` in order. Same result as calling {@link access} on each,
   * faster: re-references run in one loop with the state held in locals.
   */
  accessAll(pages: ArrayLike<number>): void {
    const n = pages.length;
    let k = 0;
    while (k < n) {
      const table = this.table;
      const recs = table.recs;
      const mask = table.mask;
      const hbits = table.bits;
      const bits = this.marks.bits;
      const tree = this.marks.tree;
      const words = this.marks.words;
      const timeToPage = this.timeToPage;
      const hist = this.hist;
      const limit = this.limit;
      let now = this.now;
      let refs = this.refs;
      for (; k < n; k++) {
        const page = pages[k]!;
        if (now + 1 === limit || !(page >= 0 && page < 4294967296 && page === page >>> 0)) break;
        // slotOf(page, hbits), inlined for ids below 2^32.
        let x = ((page >>> 0) ^ Math.imul(page >>> hbits, 0x9e3779b1)) & mask;
        let key: number;
        for (;;) {
          key = recs[2 * x]!;
          if (key === page || key === -1) break;
          x = (x + 1) & mask;
        }
        if (key === -1) break; // a new page: the general path below
        const t0 = recs[2 * x + 1]!;
        const t = ++now;
        // Marks in [t0, t − 1]; see TimeMarks.count and TimeMarks.move.
        const wa = t0 >>> 5;
        const wb = (t - 1) >>> 5;
        const w = t >>> 5;
        let distance: number;
        if (wa === wb) {
          distance = popcount(bits[wa]! & (-1 << (t0 & 31)) & (-1 >>> (31 - ((t - 1) & 31))));
        } else {
          distance =
            popcount(bits[wa]! & (-1 << (t0 & 31))) +
            popcount(bits[wb]! & (-1 >>> (31 - ((t - 1) & 31))));
          let a = wb;
          let b = wa + 1;
          for (; a > b; a -= a & -a) distance += tree[a]!;
          for (; b > a; b -= b & -b) distance -= tree[b]!;
        }
        bits[wa] = bits[wa]! & ~(1 << (t0 & 31));
        bits[w] = bits[w]! | (1 << (t & 31));
        if (wa !== w) {
          const lo = wa + 1;
          const hi = w + 1;
          let j = lo;
          for (; j < hi; j += j & -j) tree[j]!--;
          for (j = hi; j <= words && j - (j & -j) >= lo; j += j & -j) tree[j]!++;
        }
        timeToPage[t] = x;
        recs[2 * x + 1] = t;
        hist[distance]!++;
        refs++;
      }
      this.now = now;
      this.refs = refs;
      if (k < n) this.access(pages[k++]!);
    }
  }

  /** References recorded. */
  get references(): number {
    return this.refs;
  }

  /** Distinct pages seen (= first-reference misses). */
  get distinct(): number {
    return this.table.size;
  }

  /** Times the time array was compacted. */
  get compactions(): number {
    return this.compacted;
  }

  /**
   * A copy of the stack-distance histogram: element d (1 ≤ d ≤ distinct) is the number of
   * references with distance d; element 0 is always 0. First references are not in it.
   */
  histogram(): Float64Array {
    return this.hist.slice(0, this.table.size + 1);
  }

  /** References that hit in an LRU memory of `size` pages (distance ≤ size). */
  hits(size: number): number {
    const h = this.hist;
    const top = Math.min(Math.floor(size), this.table.size);
    let sum = 0;
    for (let d = 1; d <= top; d++) sum += h[d]!;
    return sum;
  }

  /**
   * The hit-ratio curve: at size c, the references with distance ≤ c over all references
   * (first references included, as misses). Without `sizes`, the curve is defined at every
   * distance that occurred, which with step lookup gives the exact curve at every size. With
   * `sizes` (sorted, duplicates dropped), it is defined exactly at those.
   */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    const h = this.hist;
    const distinct = this.table.size;
    const total = this.refs;
    if (sizes === undefined) {
      const xs: number[] = [];
      const ys: number[] = [];
      let cum = 0;
      for (let d = 1; d <= distinct; d++) {
        const c = h[d]!;
        if (c === 0) continue;
        cum += c;
        xs.push(d);
        ys.push(Math.min(1, cum / total));
      }
      return HitRatioCurve.fromArrays(xs, ys);
    }
    const grid = normaliseSizes(sizes, 'sizes');
    const ys = new Float64Array(grid.length);
    let cum = 0;
    let d = 0;
    for (let k = 0; k < grid.length; k++) {
      const c = Math.min(Math.floor(grid[k]!), distinct);
      while (d < c) cum += h[++d]!;
      ys[k] = total === 0 ? 0 : Math.min(1, cum / total);
    }
    return HitRatioCurve.fromArrays(grid, ys);
  }

  /** Bytes held by the typed arrays (hash table and records, time arrays, histogram). */
  memoryBytes(): number {
    return (
      this.table.byteLength +
      this.timeToPage.byteLength +
      this.marks.byteLength +
      this.hist.byteLength
    );
  }

  /** Fixes the time → slot pointer of a record the hash table moved. */
  private readonly moved = (slot: number, lastTime: number): void => {
    this.timeToPage[lastTime] = slot;
  };

  private growHistogram(): void {
    const hist = new Float64Array(this.table.capacity + 1);
    hist.set(this.hist);
    this.hist = hist;
  }

  /** Renumbers the live times 0..live−1 in order, doubling the limit if over half would stay live. */
  private compact(): void {
    this.compacted++;
    const live = this.table.size + 1; // every seen page, and perhaps one being inserted now
    let marks = this.marks;
    let limit = this.limit;
    while (2 * live > limit) limit *= 2;
    const cap = Math.max(marks.cap, Math.ceil(limit / 32) * 32);
    const from = this.timeToPage;
    const to = cap === marks.cap ? from : new Int32Array(cap);
    const recs = this.table.recs;
    const bits = marks.bits;
    let k = 0;
    for (let w = 0; w <= this.now >>> 5; w++) {
      let word = bits[w]!;
      while (word !== 0) {
        const t = (w << 5) | (31 - Math.clz32(word & -word));
        word &= word - 1;
        const x = from[t]!;
        to[k] = x;
        recs[2 * x + 1] = k++;
      }
    }
    if (cap !== marks.cap) marks = new TimeMarks(cap);
    marks.fillFirst(k);
    this.marks = marks;
    this.timeToPage = to;
    this.limit = limit;
    this.now = k - 1;
  }
}
