import { InvalidOptionError, InvalidPageError } from './errors.js';
import { HitRatioCurve } from './hit-ratio-curve.js';
import { DIRECT_FREE, checkCount, directLengthFor, isPageId } from './internal/ids.js';
import { RecordTable } from './internal/record-table.js';
import { normaliseSizes } from './internal/sizes.js';
import { TimeMarks, moveToTop } from './internal/time-marks.js';

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

/** Above DIRECT_FREE, the direct array may hold up to this many slots per distinct page. */
const DIRECT_RATIO = 16;
/** A distance count of this many carries from the 1-byte counts into the histogram. */
const COUNT_CARRY = 256;
/**
 * The direct-array loop reads ahead: every {@link AHEAD_GROUP} references it touches the
 * last-time slots of the {@link AHEAD_GROUP} references starting {@link AHEAD_DISTANCE}
 * ahead, in one burst of independent loads. On a large trace those slots are cache misses,
 * and each reference's own read of its slot starts a chain of dependent reads (time marks,
 * counts), so the misses would otherwise be taken one after the other; touched together
 * they overlap. (One touch per reference, or touching the time marks too, did not help.)
 */
const AHEAD_GROUP = 16;
const AHEAD_DISTANCE = 8;

/**
 * Exact LRU stack distances and hit-ratio curve of a reference stream (Mattson et al. 1970),
 * in O(1) amortised per reference (O(log n) with a small constant in the worst case).
 *
 * Each distinct page keeps the time of its last reference; a {@link TimeMarks} bitmap marks
 * the times that are some page's last reference and counts the marks below a time in six
 * reads. The stack distance of a reference is the number of marks from the page's last time
 * to now (the page itself included), so distance 1 is a re-reference of the most recent page
 * and a reference hits in an LRU memory of c pages exactly when its distance is ≤ c. First
 * references are misses (infinite distance). When the times run out they are compacted (live
 * times renumbered in order) and, if more than half would stay live, doubled, so memory
 * stays proportional to the distinct pages. The trace itself is never held.
 *
 * A page's last time is found in an Int32Array indexed by page id while every id seen is
 * below 2^20, or below 2^24 and 16 × the distinct pages (dense ids: page frame numbers,
 * ranks, block numbers of one small volume); the first id outside that moves every page into
 * a hash table whose slots are the records [page, last time], for good.
 */
export class ExactLru {
  /** Last time by page id (−1: unseen) while ids are dense; null once the hash table took over. */
  private direct: Int32Array<ArrayBuffer> | null;
  /** Hash table whose slot per page is the record [page, time of its last reference]. */
  private table: RecordTable | null = null;
  private readonly initialCapacity: number;
  /** Times that are some page's last reference; marks.live = distinct pages, marks.top = now. */
  private marks: TimeMarks;
  /** Times usable before the next compaction (≤ marks.cap). */
  private limit: number;
  /**
   * counts[d] + hist[d] = references with stack distance d (d ≥ 1). The randomly updated
   * counts take 1 byte per distance, to stay small in the cache (a million distances in 1 MB);
   * a count that reaches {@link COUNT_CARRY} carries into `hist`, and every read flushes them
   * all into it.
   */
  private counts: Uint8Array<ArrayBuffer>;
  private hist: Float64Array<ArrayBuffer> = new Float64Array(0);
  private refs = 0;
  private compacted = 0;
  /** References recorded when the time marks were last compacted. */
  private refsAtCompaction = 0;
  /** Sink of the read-ahead in {@link runDirect} (its value means nothing). */
  private touched = 0;

  constructor(options: ExactLruOptions = {}) {
    const capacity = options.initialCapacity ?? 1024;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('initialCapacity', `must be an integer ≥ 1, got ${capacity}`);
    }
    const timeCap = options.initialTimeCapacity ?? 2 * capacity;
    if (!Number.isInteger(timeCap) || timeCap < 2) {
      throw new InvalidOptionError('initialTimeCapacity', `must be an integer ≥ 2, got ${timeCap}`);
    }
    this.initialCapacity = capacity;
    this.direct = new Int32Array(Math.min(DIRECT_FREE, nextPowerOfTwo(capacity))).fill(-1);
    this.counts = new Uint8Array(capacity + 1);
    this.marks = new TimeMarks(timeCap);
    this.limit = options.initialTimeCapacity === undefined ? this.marks.cap : timeCap;
  }

  /**
   * Records a reference to `page` (an integer in [0, 2^53 − 1]) and returns its stack
   * distance: 1 for the most recently used page, `Infinity` for a first reference.
   */
  access(page: number): number {
    if (!isPageId(page)) throw new InvalidPageError(page);
    this.refs++;
    if (this.marks.top + 1 === this.limit) this.compact();
    if (this.direct !== null && page >= this.direct.length) this.widen(page);
    const marks = this.marks;
    const t = marks.top + 1;
    let t0: number;
    const direct = this.direct;
    if (direct !== null) {
      t0 = direct[page]!;
      direct[page] = t;
    } else {
      const table = this.table!;
      let x = table.probe(page);
      if (table.recs[2 * x] === page) {
        t0 = table.recs[2 * x + 1]!;
      } else {
        if (table.full) {
          table.grow();
          x = table.probe(page);
        }
        table.insertAt(x, page, t);
        t0 = -1;
      }
      table.recs[2 * x + 1] = t;
    }
    if (t0 < 0) {
      marks.push(t);
      if (marks.live >= this.counts.length) this.growCounts();
      return Infinity;
    }
    // Distance: the marks in [t0, t − 1], the page's own included.
    const distance = marks.live - marks.below(t0);
    marks.raise(t);
    marks.clear(t0);
    marks.push(t);
    this.count(this.counts, distance);
    return distance;
  }

  /**
   * Records `passes` more passes of a loop whose last pass was the last `n` references, if
   * those were `n` distinct pages (each referenced once, in any order). Repeating such a
   * pass in the same order gives each reference the stack distance `n` and leaves the LRU
   * order as it is, so this adds `n · passes` references at distance `n` in O(log n).
   * Returns false, recording nothing, when the last `n` references were not distinct (or
   * cannot be told apart because the time marks were compacted among them): the caller must
   * then feed the passes one reference at a time. A host uses this when it has just watched
   * a whole fault-free pass over a range (the emulated kernel's touch loop).
   */
  repeatLastPass(n: number, passes: number): boolean {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new InvalidOptionError('n', `must be an integer ≥ 1, got ${n}`);
    }
    if (!Number.isSafeInteger(passes) || passes < 0) {
      throw new InvalidOptionError('passes', `must be an integer ≥ 0, got ${passes}`);
    }
    const marks = this.marks;
    // The last n references hold the time slots (top − n, top]; they were distinct pages
    // exactly when every one of those marks is still live (a repeat clears the older mark).
    if (n > marks.live || this.refs - n < this.refsAtCompaction) return false;
    if (marks.live - marks.below(marks.top - n + 1) !== n) return false;
    if (passes === 0) return true;
    this.refs += n * passes;
    this.fitHistogram();
    this.hist[n] = this.hist[n]! + n * passes;
    return true;
  }

  /**
   * Records every page of `pages` in order. Same result as calling {@link access} on each,
   * faster: re-references run in one loop with the state held in locals.
   */
  accessAll(pages: ArrayLike<number>): void {
    this.feed(pages, pages.length);
  }

  /**
   * Records `pages[0..n)` in order: the same as {@link access} on each, for streaming a trace
   * in chunks of a reused buffer (a `Uint32Array` or `Float64Array` filled up to `n`) without
   * making a view per chunk. Throws if `n` is not an integer in [0, pages.length].
   */
  feed(pages: ArrayLike<number>, n: number): void {
    checkCount(n, pages.length);
    let k = 0;
    while (k < n) {
      k = this.direct !== null ? this.runDirect(pages, k, n) : this.runHashed(pages, k, n);
      if (k < n) this.access(pages[k++]!);
    }
  }

  /** Re-references of pages in the direct array, pages[k..n); returns where it stopped. */
  private runDirect(pages: ArrayLike<number>, k: number, n: number): number {
    const direct = this.direct!;
    const size = direct.length;
    const m = this.marks;
    const bits = m.bits;
    const live = m.live;
    const limit = this.limit;
    const counts = this.counts;
    let now = m.top;
    let refs = this.refs;
    // Xor of the slots read ahead, stored at the end so that the reads are not dropped.
    let touched = 0;
    const aheadEnd = n - AHEAD_DISTANCE - AHEAD_GROUP;
    for (; k < n; k++) {
      const page = pages[k]!;
      if (now + 1 === limit || !(page >= 0 && page < size && page === (page | 0))) break;
      if ((k & (AHEAD_GROUP - 1)) === 0 && k <= aheadEnd) {
        for (let j = k + AHEAD_DISTANCE; j < k + AHEAD_DISTANCE + AHEAD_GROUP; j++) {
          const ahead = pages[j]!;
          if (ahead >= 0 && ahead < size) touched ^= direct[ahead]!;
        }
      }
      const t0 = direct[page]!;
      if (t0 < 0) break; // a new page: the general path
      const t = ++now;
      direct[page] = t;
      const d = moveToTop(m, bits, t0, t, live);
      const c = counts[d]! + 1;
      if (c === COUNT_CARRY) this.carry(d);
      else counts[d] = c;
      refs++;
    }
    m.top = now;
    this.refs = refs;
    this.touched = touched;
    return k;
  }

  /** Re-references of pages in the hash table, pages[k..n); returns where it stopped. */
  private runHashed(pages: ArrayLike<number>, k: number, n: number): number {
    const table = this.table!;
    const recs = table.recs;
    const mask = table.mask;
    const shift = 32 - table.bits;
    const m = this.marks;
    const bits = m.bits;
    const live = m.live;
    const limit = this.limit;
    const counts = this.counts;
    let now = m.top;
    let refs = this.refs;
    for (; k < n; k++) {
      const page = pages[k]!;
      if (now + 1 === limit || !(page >= 0 && page < 4294967296 && page === page >>> 0)) break;
      // slotOf(page, table.bits), inlined for ids below 2^32.
      let x = Math.imul(page, 0x9e3779b1) >>> shift;
      let key: number;
      for (;;) {
        key = recs[2 * x]!;
        if (key === page || key === -1) break;
        x = (x + 1) & mask;
      }
      if (key === -1) break; // a new page: the general path
      const t0 = recs[2 * x + 1]!;
      const t = ++now;
      recs[2 * x + 1] = t;
      const d = moveToTop(m, bits, t0, t, live);
      const c = counts[d]! + 1;
      if (c === COUNT_CARRY) this.carry(d);
      else counts[d] = c;
      refs++;
    }
    m.top = now;
    this.refs = refs;
    return k;
  }

  /** References recorded. */
  get references(): number {
    return this.refs;
  }

  /** Distinct pages seen (= first-reference misses). */
  get distinct(): number {
    return this.marks.live;
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
    return this.flush().slice(0, this.marks.live + 1);
  }

  /** References that hit in an LRU memory of `size` pages (distance ≤ size). */
  hits(size: number): number {
    const h = this.flush();
    const top = Math.min(Math.floor(size), this.marks.live);
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
    const h = this.flush();
    const distinct = this.marks.live;
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

  /** Bytes held by the typed arrays (direct array or hash table, time marks, histogram). */
  memoryBytes(): number {
    return (
      (this.direct !== null ? this.direct.byteLength : this.table!.byteLength) +
      this.marks.byteLength +
      this.counts.byteLength +
      this.hist.byteLength
    );
  }

  private growCounts(): void {
    const counts = new Uint8Array(2 * this.counts.length);
    counts.set(this.counts);
    this.counts = counts;
  }

  private count(counts: Uint8Array, d: number): void {
    const c = counts[d]! + 1;
    if (c === COUNT_CARRY) this.carry(d);
    else counts[d] = c;
  }

  /** Carries a count of {@link COUNT_CARRY} into the histogram. */
  private carry(d: number): void {
    this.fitHistogram();
    this.hist[d] = this.hist[d]! + COUNT_CARRY;
    this.counts[d] = 0;
  }

  /** Makes the histogram as long as the counts. */
  private fitHistogram(): void {
    if (this.hist.length < this.counts.length) {
      const hist = new Float64Array(this.counts.length);
      hist.set(this.hist);
      this.hist = hist;
    }
  }

  /** Adds the counts into the histogram, zeroes them and returns the histogram. */
  private flush(): Float64Array {
    const counts = this.counts;
    this.fitHistogram();
    const hist = this.hist;
    for (let d = 0; d < counts.length; d++) hist[d] = hist[d]! + counts[d]!;
    counts.fill(0);
    return hist;
  }

  /** Makes room for `page` in the direct array, or moves every page into the hash table. */
  private widen(page: number): void {
    const direct = this.direct!;
    const size = directLengthFor(page, direct.length, this.marks.live + 1, DIRECT_RATIO);
    if (size > 0) {
      const wider = new Int32Array(size).fill(-1);
      wider.set(direct);
      this.direct = wider;
      return;
    }
    const table = new RecordTable(Math.max(this.initialCapacity, 2 * this.marks.live), 0.5);
    for (let id = 0; id < direct.length; id++) {
      const t = direct[id]!;
      if (t >= 0) table.insertAt(table.probe(id), id, t);
    }
    this.table = table;
    this.direct = null;
  }

  /** Renumbers the live times 0..live−1 in order, doubling the limit if over half would stay live. */
  private compact(): void {
    this.compacted++;
    this.refsAtCompaction = this.refs;
    const old = this.marks;
    const live = old.live;
    // Room for every seen page and perhaps one being inserted now; a compaction also visits
    // every slot of the direct array or hash table, so the interval keeps up with those.
    const slots = this.direct !== null ? this.direct.length : this.table!.slotCount;
    let limit = this.limit;
    while (2 * (live + 1) > limit || 8 * limit < slots) limit *= 2;
    // A page's new time is the number of live times below its old one.
    if (this.direct !== null) old.renumber(this.direct, 0, 1);
    else old.renumber(this.table!.recs, 1, 2); // values of records; empty slots hold −1
    const marks = limit > old.cap ? new TimeMarks(limit) : old;
    marks.fillFirst(live);
    this.marks = marks;
    this.limit = limit;
  }
}

function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}
