import { InvalidOptionError, InvalidPageError } from './errors.js';
import { HitRatioCurve } from './hit-ratio-curve.js';
import { DenseIdMap, isPageId } from './internal/dense-id-map.js';
import { normaliseSizes } from './internal/sizes.js';
import { TimeMarks } from './internal/time-marks.js';

export interface ExactLruOptions {
  /** Distinct pages to make room for at first (grows by doubling). Default 1024. */
  readonly initialCapacity?: number;
  /**
   * Times usable before the first compaction (an integer ≥ 2; default twice `initialCapacity`).
   * The array is compacted when it fills and doubled when more than half of it would stay
   * live; a small value makes compaction frequent, which tests use.
   */
  readonly initialTimeCapacity?: number;
}

/**
 * Exact LRU stack distances and hit-ratio curve of a reference stream (Mattson et al. 1970),
 * in O(log n) per reference.
 *
 * Each distinct page keeps the time of its last reference; a bitmap over time marks the times
 * that are some page's last reference, with a Fenwick tree over the bitmap's 32-bit words. The stack distance of a reference is the
 * number of marks from the page's last time to now (the page itself included), so distance
 * 1 is a re-reference of the most recent page and a reference hits in an LRU memory of c
 * pages exactly when its distance is ≤ c. First references are misses (infinite distance).
 * When the time array fills it is compacted (live times renumbered in order) and, if more than
 * half of it stays live, doubled, so the cost per reference stays O(log n) amortised and memory
 * stays proportional to the distinct pages. The trace itself is never held.
 */
export class ExactLru {
  #map: DenseIdMap;
  /** Dense page → time of its last reference. */
  #lastTime: Int32Array<ArrayBuffer>;
  /** Time → dense page it was handed to (valid while the time is marked); read only when compacting. */
  #timeToPage: Int32Array<ArrayBuffer>;
  /** Times that are some page's last reference. */
  #marks: TimeMarks;
  /** Latest time handed out (−1 before the first reference). */
  #now = -1;
  /** #histogram[d] = references with stack distance d (d ≥ 1). */
  #histogram: Float64Array<ArrayBuffer>;
  #references = 0;
  #compactions = 0;

  constructor(options: ExactLruOptions = {}) {
    const capacity = options.initialCapacity ?? 1024;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('initialCapacity', `must be an integer ≥ 1, got ${capacity}`);
    }
    const timeCap = options.initialTimeCapacity ?? 2 * capacity;
    if (!Number.isInteger(timeCap) || timeCap < 2) {
      throw new InvalidOptionError('initialTimeCapacity', `must be an integer ≥ 2, got ${timeCap}`);
    }
    this.#map = new DenseIdMap(capacity);
    this.#lastTime = new Int32Array(capacity);
    this.#histogram = new Float64Array(capacity + 1);
    this.#marks = new TimeMarks(timeCap);
    this.#timeToPage = new Int32Array(this.#marks.cap);
    this.#limit = options.initialTimeCapacity === undefined ? this.#marks.cap : timeCap;
  }

  /** Times usable before a compaction (the marks' capacity, or less when asked for in tests). */
  #limit: number;

  /**
   * Records a reference to `page` (an integer in [0, 2^53 − 1]) and returns its stack
   * distance: 1 for the most recently used page, `Infinity` for a first reference.
   */
  access(page: number): number {
    if (!isPageId(page)) throw new InvalidPageError(page);
    this.#references++;
    let d = this.#map.intern(page);
    if (this.#now + 1 === this.#limit) this.#compact();
    const t = ++this.#now;
    if (d < 0) {
      d = ~d;
      if (d >= this.#lastTime.length) this.#growPages();
      this.#marks.set(t);
      this.#lastTime[d] = t;
      this.#timeToPage[t] = d;
      return Infinity;
    }
    const t0 = this.#lastTime[d]!;
    // Distance: pages whose last reference is in [t0, t − 1], the page itself included.
    const distance = this.#marks.count(t0, t - 1);
    this.#marks.move(t0, t);
    this.#timeToPage[t] = d;
    this.#lastTime[d] = t;
    this.#histogram[distance]!++;
    return distance;
  }

  /** Records every page of `pages` in order. */
  accessAll(pages: ArrayLike<number>): void {
    for (let k = 0; k < pages.length; k++) this.access(pages[k]!);
  }

  /** References recorded. */
  get references(): number {
    return this.#references;
  }

  /** Distinct pages seen (= first-reference misses). */
  get distinct(): number {
    return this.#map.size;
  }

  /** Times the time array was compacted. */
  get compactions(): number {
    return this.#compactions;
  }

  /**
   * A copy of the stack-distance histogram: element d (1 ≤ d ≤ distinct) is the number of
   * references with distance d; element 0 is always 0. First references are not in it.
   */
  histogram(): Float64Array {
    return this.#histogram.slice(0, this.#map.size + 1);
  }

  /** References that hit in an LRU memory of `size` pages (distance ≤ size). */
  hits(size: number): number {
    const h = this.#histogram;
    const top = Math.min(Math.floor(size), this.#map.size);
    let sum = 0;
    for (let d = 1; d <= top; d++) sum += h[d]!;
    return sum;
  }

  /**
   * The hit-ratio curve: at size c, the references with distance ≤ c over all references
   * (first references included, as misses). Without `sizes`, the curve is defined at every
   * distance that occurred, which with step lookup gives the exact curve at every size.
   */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    const h = this.#histogram;
    const distinct = this.#map.size;
    const total = this.#references;
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
    const cumulative = new Float64Array(distinct + 1);
    for (let d = 1; d <= distinct; d++) cumulative[d] = cumulative[d - 1]! + h[d]!;
    const grid = normaliseSizes(sizes, 'sizes');
    const ys = new Float64Array(grid.length);
    for (let k = 0; k < grid.length; k++) {
      const c = Math.min(Math.floor(grid[k]!), distinct);
      ys[k] = total === 0 ? 0 : Math.min(1, cumulative[c]! / total);
    }
    return HitRatioCurve.fromArrays(grid, ys);
  }

  /** Bytes held by the typed arrays (hash table, per-page times, time array, tree, histogram). */
  memoryBytes(): number {
    return (
      this.#map.byteLength +
      this.#lastTime.byteLength +
      this.#timeToPage.byteLength +
      this.#marks.byteLength +
      this.#histogram.byteLength
    );
  }

  #growPages(): void {
    const cap = this.#lastTime.length * 2;
    const lastTime = new Int32Array(cap);
    lastTime.set(this.#lastTime);
    this.#lastTime = lastTime;
    const histogram = new Float64Array(cap + 1);
    histogram.set(this.#histogram);
    this.#histogram = histogram;
  }

  /** Renumbers the live times 0..live−1 in order, doubling the arrays if over half would stay live. */
  #compact(): void {
    this.#compactions++;
    const live = this.#map.size; // every seen page, including one being inserted now
    let marks = this.#marks;
    let limit = this.#limit;
    while (2 * live > limit) limit *= 2;
    const cap = Math.max(marks.cap, Math.ceil(limit / 32) * 32);
    const from = this.#timeToPage;
    const to = cap === marks.cap ? from : new Int32Array(cap);
    const lastTime = this.#lastTime;
    const bits = marks.bits;
    let k = 0;
    for (let w = 0; w <= this.#now >>> 5; w++) {
      let x = bits[w]!;
      while (x !== 0) {
        const t = (w << 5) | (31 - Math.clz32(x & -x));
        x &= x - 1;
        const d = from[t]!;
        to[k] = d;
        lastTime[d] = k++;
      }
    }
    if (cap !== marks.cap) marks = new TimeMarks(cap);
    marks.fillFirst(k);
    this.#marks = marks;
    this.#timeToPage = to;
    this.#limit = limit;
    this.#now = k - 1;
  }
}
