import { TrackerStateError } from '../errors.js';
import { TimeMarks, moveToTop, popcount } from './time-marks.js';

/** Link of an entity that is not protected. */
const NONE = -1;

/**
 * The protected part of a CvHRC tracker's LRU list, kept apart from the scan list so that it
 * can run on another thread (`ParallelTraceHost`): the entities that fell out of the scan
 * list, in the order of their protection times, and the group of each fake fault's LRU
 * position. It learns of the list's changes as a stream of events and decides nothing that
 * the other half needs: the scan list, the host's bits and the scans are the producer's.
 *
 * Entities are ordinals (integers in [0, 2^31 − 1)) given by the producer. Events, one or two
 * Int32 words each:
 * - `[e, fallen]` (e ≥ 0): a fake fault on the protected entity e, which moves to the MRU end,
 *   and `fallen`, pushed out of the scan list by it, is protected;
 * - `[−1 − fallen]`: a first touch pushed `fallen` out of the scan list; it is protected.
 *
 * A fault's position is the scan-list size plus the protected entities protected after e,
 * counted before the move — as {@link CvhrcTracker} counts it, with the same
 * {@link TimeMarks}. Positions do not depend on how times are numbered, so this half
 * compacts its times on its own schedule (when they run out): results are the same as the
 * tracker's, but its `compactions` count is not.
 */
export class ProtectedOrder {
  /** Hits per group counted by fake faults. */
  hits: Float64Array<ArrayBuffer>;
  /** Σ of the faults' groups: the boundary-marker shifts of the faults (see TrackerCounters). */
  markerShifts = 0;
  fakeFaults = 0;
  protects = 0;
  compactions = 0;

  private readonly scanListSize: number;
  private readonly groupSize: number;
  private readonly groupShift: number;
  /** Protection time per entity, or NONE. */
  private link: Int32Array<ArrayBuffer>;
  private marks: TimeMarks;
  private clock = -1;

  constructor(scanListSize: number, groupSize: number, initialEntities = 1024) {
    this.scanListSize = scanListSize;
    this.groupSize = groupSize;
    this.groupShift =
      groupSize <= 2 ** 30 && (groupSize & (groupSize - 1)) === 0 ? 31 - Math.clz32(groupSize) : -1;
    this.link = new Int32Array(Math.max(16, initialEntities)).fill(NONE);
    this.marks = new TimeMarks(2 * Math.max(16, initialEntities));
    this.hits = new Float64Array(64);
  }

  /** Protected entities. */
  get size(): number {
    return this.marks.live;
  }

  /**
   * Applies the events in ring[r..w) (indices taken modulo the ring's length, a power of
   * two; r and w are running 32-bit counts); returns w.
   */
  consume(ring: Int32Array, r: number, w: number): number {
    for (;;) {
      r = this.run(ring, r, w);
      if (r === w) return r;
      this.compact(); // the times ran out
    }
  }

  /** {@link consume} up to the first event that needs a time when none is left. */
  private run(ring: Int32Array, r: number, w: number): number {
    const mask = ring.length - 1;
    const marks = this.marks;
    let link = this.link;
    const shift = this.groupShift;
    const base = this.scanListSize;
    while (r !== w) {
      const x = ring[r & mask]!;
      // A fault's two words are published together: w never falls between them.
      const fallen = x >= 0 ? ring[(r + 1) & mask]! : -1 - x;
      if (fallen >= link.length) link = this.widen(fallen);
      if (this.clock + 1 >= marks.cap) return r;
      const t = this.clock + 1;
      if (x >= 0) {
        const t0 = x < link.length ? link[x]! : NONE;
        if (t0 < 0) throw new TrackerStateError(x, 'fake fault on an entity that is not protected');
        // marks.live − below(t0): the marks in [t0, t − 1], t0 included.
        const ahead = moveToTop(marks, marks.bits, t0, t, marks.live) - 1;
        marks.top = t;
        const pos = base + ahead;
        const g = shift >= 0 ? pos >>> shift : Math.floor(pos / this.groupSize);
        if (g >= this.hits.length) this.growHits(g);
        const hits = this.hits;
        hits[g] = hits[g]! + 1;
        this.markerShifts += g;
        this.fakeFaults++;
        link[x] = NONE;
        r = (r + 2) | 0;
      } else {
        marks.push(t);
        r = (r + 1) | 0;
      }
      link[fallen] = t;
      this.clock = t;
      this.protects++;
    }
    return r;
  }

  /**
   * Renumbers the live times 0..live − 1 in order (each entity's time becomes the number of
   * marks below it), in a bigger set of marks when more than half of them are live.
   */
  private compact(): void {
    this.compactions++;
    const marks = this.marks;
    const bits = marks.bits;
    const last = this.clock >>> 5;
    const before = new Int32Array(last + 1);
    let live = 0;
    for (let w = 0; w <= last; w++) {
      before[w] = live;
      live += popcount(bits[w]!);
    }
    if (live !== marks.live) {
      throw new Error(`ProtectedOrder: ${live} marks set but ${marks.live} counted`);
    }
    const link = this.link;
    let renumbered = 0;
    for (let e = 0; e < link.length; e++) {
      const t = link[e]!;
      if (t < 0) continue;
      const w = t >>> 5;
      link[e] = before[w]! + popcount(bits[w]! & ((1 << (t & 31)) - 1));
      renumbered++;
    }
    if (renumbered !== live) {
      throw new Error(`ProtectedOrder: ${renumbered} protected entities but ${live} marks`);
    }
    if (2 * live > marks.cap) this.marks = new TimeMarks(4 * live);
    this.marks.fillFirst(live);
    this.clock = live - 1;
  }

  private widen(e: number): Int32Array<ArrayBuffer> {
    let length = this.link.length;
    while (length <= e) length *= 2;
    const link = new Int32Array(length).fill(NONE);
    link.set(this.link);
    this.link = link;
    return link;
  }

  private growHits(g: number): void {
    let length = this.hits.length;
    while (length <= g) length *= 2;
    const hits = new Float64Array(length);
    hits.set(this.hits);
    this.hits = hits;
  }

  /** Bytes of its typed arrays. */
  get byteLength(): number {
    return this.link.byteLength + this.marks.byteLength + this.hits.byteLength;
  }
}
