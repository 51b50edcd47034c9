import { InvalidOptionError, InvalidPageError } from '../errors.js';
import { GroupHits } from '../group-hits.js';
import type { HitRatioCurve } from '../hit-ratio-curve.js';
import { DEFAULT_SCAN_EVERY, type TraceHostOptions } from '../trace-host.js';
import { DEFAULT_GROUP_SIZE, DEFAULT_SCAN_LIST_SIZE, type TrackerCounters } from '../tracker.js';
import { DIRECT_FREE, checkCount, directLengthFor, isPageId } from './ids.js';
import { ProtectedOrder } from './protected-order.js';
import { RecordTable } from './record-table.js';

/** What the consumer of the protected part reports when asked ({@link PositionChannel.sync}). */
export interface PositionCounts {
  /** Fake-fault hits per group (entries past the last nonzero one may be left out). */
  readonly hits: Float64Array;
  readonly markerShifts: number;
  readonly fakeFaults: number;
  readonly protects: number;
  readonly compactions: number;
  /** Bytes of the consumer's typed arrays. */
  readonly bytes: number;
}

/**
 * Carries the producer's events to a {@link ProtectedOrder}, here or on another thread. The
 * producer writes events into `ring` (a power-of-two number of Int32 words) at running
 * 32-bit indices; `flush(w)` publishes ring[..w) and returns the consumer's read index
 * (having waited until two more words fit); `sync(w)` publishes and waits until everything
 * is consumed, and returns the consumer's counts.
 */
export interface PositionChannel {
  readonly ring: Int32Array;
  flush(w: number): number;
  sync(w: number, groupsBound: number): PositionCounts;
  close(): void;
}

/** Runs the protected part in this thread: each flush consumes what was written. */
export class InThreadChannel implements PositionChannel {
  readonly ring: Int32Array;
  private readonly order: ProtectedOrder;
  private r = 0;

  constructor(scanListSize: number, groupSize: number, ringWords: number) {
    this.ring = new Int32Array(ringWords);
    this.order = new ProtectedOrder(scanListSize, groupSize);
  }

  flush(w: number): number {
    this.r = this.order.consume(this.ring, this.r, w);
    return this.r;
  }

  sync(w: number): PositionCounts {
    this.flush(w);
    const o = this.order;
    return {
      hits: o.hits.slice(),
      markerShifts: o.markerShifts,
      fakeFaults: o.fakeFaults,
      protects: o.protects,
      compactions: o.compactions,
      bytes: o.byteLength,
    };
  }

  close(): void {
    // Nothing to stop: the protected part is this object's, and goes with it.
  }
}

// A page's 2-bit code (as in TraceHost): the low bit is set exactly for a page that is seen
// and not protected, so that a reference to one is a single OR.
const UNSEEN = 0;
const IDLE = 1;
const PROT = 2;
const REF = 3;
/**
 * Above DIRECT_FREE, the direct array may cover up to this many page numbers per page seen:
 * 4, as the tracker's own direct links, not TraceHost's 64, since while pages are direct they
 * are the protected part's entities, and its array of times (4 bytes per entity) is indexed
 * by them.
 */
const DIRECT_RATIO = 4;
/** Words written between two publications of the write index. */
const PUBLISH_WORDS = 4096;

/**
 * The CvHRC tracker on a plain reference stream, as {@link TraceHost} runs it, split in two
 * halves that can run on two threads: this object is the host (the simulated reference and
 * protection bits) and the scan list (first touches, the fake faults' moves, the scans); the
 * protected part — the order of the protected entities and the group of each fake fault's
 * position, which decides nothing the rest needs — is a {@link ProtectedOrder} behind a
 * {@link PositionChannel}, fed a stream of events. Same rules, same curve and same counters
 * as a TraceHost with the same options, except `compactions` (the protected part renumbers
 * its times on its own schedule).
 *
 * Entities are ordinals: while page numbers are dense (every one below 2^20, or below 2^24
 * and 4 × the pages seen) a page's ordinal is the page itself; once they move to a hash
 * table, each new page takes the next ordinal above every dense one.
 */
export class PipelinedTraceHost {
  readonly scanListSize: number;
  readonly groupSize: number;
  readonly scanEvery: number;

  private readonly groupShift: number;
  protected readonly channel: PositionChannel;
  private readonly ring: Int32Array;
  private readonly ringMask: number;
  /** Events written (a running 32-bit index into the ring). */
  private w = 0;
  /** Write index at which the next flush is due. */
  private flushAt: number;
  private closed = false;

  // ---- host bits (as TraceHost) -----------------------------------------------------
  /** While pages are dense: 2-bit codes, four pages to a byte; else null. */
  private state: Uint8Array<ArrayBuffer> | null;
  private directPages: number;
  /** Once state is null: records [page, code + 4 × ordinal]. */
  private pages: RecordTable | null = null;
  private nextOrdinal = 0;
  private seen = 0;
  private sinceScan = 0;
  private refs = 0;

  // ---- scan list (as CvhrcTracker's) ------------------------------------------------
  /** Per slot s: [2s] the neighbour toward the MRU end, [2s + 1] toward the LRU end (−1: none). */
  private sLink: Int32Array<ArrayBuffer>;
  /** Page number of slot s. */
  private sPage: Float64Array<ArrayBuffer>;
  /** Ordinal of slot s. */
  private sOrd: Int32Array<ArrayBuffer>;
  private sHead = -1;
  private sTail = -1;
  private scanLen = 0;

  // ---- counts -----------------------------------------------------------------------
  /** Scan hits per group (positions in the scan list only). */
  private scanHits: Float64Array<ArrayBuffer>;
  private misses = 0;
  private readonly c = {
    firstTouches: 0,
    fakeFaults: 0,
    scans: 0,
    entitiesScanned: 0,
    referencesFound: 0,
    listMoves: 0,
    markerShifts: 0,
    protects: 0,
    unprotects: 0,
  };
  private last: PositionCounts | null = null;

  /**
   * Checks the options (as TraceHost would) and `ringWords` (a power of two ≥ 8192), then
   * makes the channel with the scan-list and group sizes in force — so that no worker is
   * started for options that are refused.
   */
  constructor(
    options: TraceHostOptions,
    ringWords: number,
    makeChannel: (scanListSize: number, groupSize: number, ringWords: number) => PositionChannel,
  ) {
    for (const name of ['scanEvery', 'scanListSize', 'groupSize', 'initialCapacity'] as const) {
      const value = options[name];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
        throw new InvalidOptionError(name, `must be an integer ≥ 1, got ${String(value)}`);
      }
    }
    if (
      !(
        Number.isInteger(ringWords) &&
        ringWords >= 2 * PUBLISH_WORDS &&
        (ringWords & (ringWords - 1)) === 0
      )
    ) {
      throw new InvalidOptionError(
        'ringWords',
        `must be a power of two ≥ ${2 * PUBLISH_WORDS}, got ${String(ringWords)}`,
      );
    }
    const scanEvery = options.scanEvery ?? DEFAULT_SCAN_EVERY;
    const scanListSize = options.scanListSize ?? DEFAULT_SCAN_LIST_SIZE;
    const groupSize = options.groupSize ?? DEFAULT_GROUP_SIZE;
    this.scanEvery = scanEvery;
    this.scanListSize = scanListSize;
    this.groupSize = groupSize;
    this.groupShift =
      groupSize <= 2 ** 30 && (groupSize & (groupSize - 1)) === 0 ? 31 - Math.clz32(groupSize) : -1;
    const initial = options.initialCapacity ?? 8192;
    this.directPages = Math.max(4, Math.min(DIRECT_FREE, 2 * initial));
    this.state = new Uint8Array(Math.ceil(this.directPages / 4));
    const slots = Math.min(scanListSize, 1 << 16);
    this.sLink = new Int32Array(2 * slots);
    this.sPage = new Float64Array(slots);
    this.sOrd = new Int32Array(slots);
    this.scanHits = new Float64Array(Math.ceil(scanListSize / groupSize) + 1);
    this.channel = makeChannel(scanListSize, groupSize, ringWords);
    this.ring = this.channel.ring;
    this.ringMask = this.ring.length - 1;
    this.flushAt = PUBLISH_WORDS;
  }

  /** References fed. */
  get references(): number {
    return this.refs;
  }

  /** Distinct pages seen. */
  get distinct(): number {
    return this.seen;
  }

  /** Feeds one reference to page `page` (an integer in [0, 2^53 − 1]). */
  access(page: number): void {
    this.checkOpen();
    this.accessOne(page);
  }

  /** Feeds every page of `pages` in order (as {@link access} on each). */
  accessAll(pages: ArrayLike<number>): void {
    this.feed(pages, pages.length);
  }

  /** Feeds `pages[0..n)` in order (as TraceHost.feed). */
  feed(pages: ArrayLike<number>, n: number): void {
    checkCount(n, pages.length);
    this.checkOpen();
    let k = 0;
    while (k < n) {
      k = this.state !== null ? this.runDirect(pages, k, n) : this.runHashed(pages, k, n);
      if (k < n) this.accessOne(pages[k++]!);
    }
  }

  /** Scans now if any reference came since the last scan (call once at the end of a trace). */
  finish(): void {
    this.checkOpen();
    if (this.sinceScan > 0) {
      this.sinceScan = 0;
      this.scan();
    }
  }

  /**
   * Waits until the protected part has taken every event so far (on another thread: until
   * it caught up), so that a timing of this host covers all its work.
   */
  drain(): void {
    this.checkOpen();
    this.last = this.channel.sync(this.w, this.groupsBound());
    this.flushAt = (this.w + PUBLISH_WORDS) | 0;
  }

  /** Hit counts and misses so far (as CvhrcTracker.snapshot). */
  snapshot(): GroupHits {
    this.drain();
    const fault = this.last!.hits;
    let n = Math.max(fault.length, this.scanHits.length);
    const hits = new Float64Array(n);
    for (let g = 0; g < n; g++) hits[g] = (fault[g] ?? 0) + (this.scanHits[g] ?? 0);
    while (n > 0 && hits[n - 1] === 0) n--;
    n = Math.max(n, Math.ceil(this.seen / this.groupSize));
    const out = new Float64Array(n);
    out.set(hits.subarray(0, Math.min(n, hits.length)));
    return new GroupHits(this.groupSize, out, this.misses, this.seen);
  }

  /** The curve so far (call {@link finish} first at the end of a trace). */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    return this.snapshot().curve(sizes);
  }

  /** The tracker's work counters, as CvhrcTracker counts them (`compactions`: see above). */
  counters(): TrackerCounters {
    this.drain();
    const p = this.last!;
    const c = this.c;
    return {
      ...c,
      markerShifts: c.markerShifts + p.markerShifts,
      removes: 0,
      compactions: p.compactions,
    };
  }

  /** Bytes of the protected part's typed arrays (on its thread). */
  positionBytes(): number {
    this.drain();
    return this.last!.bytes;
  }

  /** Stops the protected part (its thread, if any). Further calls throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new InvalidOptionError('host', 'used after close()');
  }

  /** Upper bound on the groups a position can fall in: positions are below `seen`. */
  private groupsBound(): number {
    return Math.ceil(this.seen / this.groupSize) + 1;
  }

  /** Publishes the events written (and waits for room when the ring is full). */
  private flush(): void {
    const read = this.channel.flush(this.w);
    const room = (read + this.ring.length - 2) | 0;
    const next = (this.w + PUBLISH_WORDS) | 0;
    this.flushAt = ((room - next) | 0) < 0 ? room : next;
  }

  /** References to known pages in the direct array, pages[k..n); returns where it stopped. */
  private runDirect(pages: ArrayLike<number>, k: number, n: number): number {
    const scanEvery = this.scanEvery;
    const state = this.state!;
    const size = this.directPages;
    const ring = this.ring;
    const mask = this.ringMask;
    const sLink = this.sLink;
    const sOrd = this.sOrd;
    const sPage = this.sPage;
    let w = this.w;
    let faults = 0;
    let sinceScan = this.sinceScan;
    let refs = this.refs;
    for (; k < n; k++) {
      const page = pages[k]!;
      if (!(page >= 0 && page < size && page === (page | 0))) break;
      const i = page >>> 2;
      const shift = (page & 3) << 1;
      const b = state[i]!;
      const s = (b >>> shift) & 3;
      if ((s & 1) !== 0) {
        // A page in the scan list (IDLE or REF): it becomes REF.
        state[i] = b | (REF << shift);
      } else if (s === PROT) {
        // A fake fault: the page takes the tail's slot to the MRU end and is unprotected;
        // the tail's page (dense, so its ordinal is its page) is protected.
        const t = this.sTail;
        const fallen = sOrd[t]!;
        const h = this.sHead;
        if (h !== t) {
          const p = sLink[2 * t]!;
          sLink[2 * p + 1] = -1;
          this.sTail = p;
          sLink[2 * t] = -1;
          sLink[2 * t + 1] = h;
          sLink[2 * h] = t;
          this.sHead = t;
        }
        sOrd[t] = page;
        sPage[t] = page;
        state[i] = b ^ ((PROT ^ IDLE) << shift);
        const fi = fallen >>> 2;
        const fs = (fallen & 3) << 1;
        state[fi] = (state[fi]! & ~(3 << fs)) | (PROT << fs);
        ring[w & mask] = page;
        ring[(w + 1) & mask] = fallen;
        w = (w + 2) | 0;
        faults++;
        if (((w - this.flushAt) | 0) >= 0) {
          this.w = w;
          this.flush();
        }
      } else break; // a new page: the general path
      refs++;
      if (++sinceScan === scanEvery) {
        sinceScan = 0;
        this.w = w;
        this.scan();
      }
    }
    this.w = w;
    this.countFaults(faults);
    this.sinceScan = sinceScan;
    this.refs = refs;
    return k;
  }

  /** References to known pages in the hash table, pages[k..n); returns where it stopped. */
  private runHashed(pages: ArrayLike<number>, k: number, n: number): number {
    const scanEvery = this.scanEvery;
    const table = this.pages!;
    // Records only move when a page is added, which ends this loop.
    const recs = table.recs;
    const mask = table.mask;
    const shift = 32 - table.bits;
    for (; k < n; k++) {
      const page = pages[k]!;
      if (!(page >= 0 && page < 4294967296 && page === page >>> 0)) break;
      // slotOf(page, table.bits), inlined for ids below 2^32.
      let x = Math.imul(page, 0x9e3779b1) >>> shift;
      let key: number;
      for (;;) {
        key = recs[2 * x]!;
        if (key === page || key === -1) break;
        x = (x + 1) & mask;
      }
      if (key === -1) break; // a new page: the general path
      const v = recs[2 * x + 1]!;
      // v = code + 4 × ordinal < 2^53: ToInt32 keeps its low two bits.
      const code = v & 3;
      if (code === PROT) {
        recs[2 * x + 1] = v - (PROT - IDLE);
        this.fakeFault(page, (v - PROT) / 4);
      } else if (code === IDLE) recs[2 * x + 1] = v + (REF - IDLE);
      this.refs++;
      if (++this.sinceScan === scanEvery) {
        this.sinceScan = 0;
        this.scan();
      }
    }
    return k;
  }

  private countFaults(n: number): void {
    const c = this.c;
    c.fakeFaults += n;
    c.listMoves += n;
    c.unprotects += n;
    c.protects += n;
  }

  /** One reference, any page. */
  private accessOne(page: number): void {
    if (!isPageId(page)) throw new InvalidPageError(page);
    if (this.state !== null && page >= this.directPages) this.widen(page);
    const state = this.state;
    if (state !== null) {
      const i = page >>> 2;
      const shift = (page & 3) << 1;
      const s = (state[i]! >>> shift) & 3;
      if (s === UNSEEN) {
        state[i] = state[i]! | (IDLE << shift);
        this.firstTouch(page, page);
      } else if (s === PROT) {
        state[i] = state[i]! ^ ((PROT ^ IDLE) << shift);
        this.fakeFault(page, page);
      } else if (s === IDLE) state[i] = state[i]! ^ ((IDLE ^ REF) << shift);
    } else {
      const table = this.pages!;
      let x = table.probe(page);
      if (table.recs[2 * x] !== page) {
        if (table.full) {
          table.grow();
          x = table.probe(page);
        }
        const ordinal = this.nextOrdinal++;
        table.insertAt(x, page, IDLE + 4 * ordinal);
        this.firstTouch(page, ordinal);
      } else {
        const recs = table.recs;
        const v = recs[2 * x + 1]!;
        const code = v & 3;
        if (code === PROT) {
          recs[2 * x + 1] = v - PROT + IDLE;
          this.fakeFault(page, (v - code) / 4);
        } else if (code === IDLE) recs[2 * x + 1] = v + (REF - IDLE);
      }
    }
    this.refs++;
    if (++this.sinceScan === this.scanEvery) {
      this.sinceScan = 0;
      this.scan();
    }
  }

  /** A page never seen (its code already IDLE): a miss, inserted at the MRU end. */
  private firstTouch(page: number, ordinal: number): void {
    if (ordinal >= 2147483647) throw new InvalidOptionError('pages', 'more than 2^31 − 1 entities');
    this.seen++;
    this.misses++;
    const c = this.c;
    c.firstTouches++;
    const n = this.seen - 1;
    if (n > 0) c.markerShifts += Math.ceil(n / this.groupSize) - 1;
    let s: number;
    if (this.scanLen < this.scanListSize) {
      s = this.scanLen++;
      if (s >= this.sOrd.length) this.growSlots();
    } else {
      s = this.sTail;
      const p = this.sLink[2 * s]!;
      if (p >= 0) this.sLink[2 * p + 1] = -1;
      else this.sHead = -1;
      this.sTail = p;
      const fallenPage = this.sPage[s]!;
      this.setCode(fallenPage, PROT);
      c.protects++;
      this.emit1(-1 - this.sOrd[s]!);
    }
    this.sOrd[s] = ordinal;
    this.sPage[s] = page;
    this.pushHead(s);
  }

  /** A fake fault taken off the direct loop (its code already IDLE). */
  private fakeFault(page: number, ordinal: number): void {
    const s = this.sTail;
    const fallenPage = this.sPage[s]!;
    const fallen = this.sOrd[s]!;
    this.unlink(s);
    this.sOrd[s] = ordinal;
    this.sPage[s] = page;
    this.pushHead(s);
    this.setCode(fallenPage, PROT);
    this.countFaults(1);
    this.emit2(ordinal, fallen);
  }

  private emit1(a: number): void {
    this.ring[this.w & this.ringMask] = a;
    this.w = (this.w + 1) | 0;
    if (((this.w - this.flushAt) | 0) >= 0) this.flush();
  }

  private emit2(a: number, b: number): void {
    this.ring[this.w & this.ringMask] = a;
    this.ring[(this.w + 1) & this.ringMask] = b;
    this.w = (this.w + 2) | 0;
    if (((this.w - this.flushAt) | 0) >= 0) this.flush();
  }

  /**
   * Walks the scan list from its LRU end: each page whose reference bit was set (tested and
   * cleared) counts a hit at its position and moves to the MRU end (CvhrcTracker.scan).
   */
  private scan(): void {
    const c = this.c;
    c.scans++;
    const sLink = this.sLink;
    const sPage = this.sPage;
    const hits = this.scanHits;
    const shift = this.groupShift;
    const count = this.scanLen;
    const state = this.state;
    let s = this.sTail;
    let moved = 0;
    let found = 0;
    let shifts = 0;
    for (let k = count - 1; k >= 0; k--) {
      const before = sLink[2 * s]!;
      const page = sPage[s]!;
      let referenced: boolean;
      if (state !== null) {
        const i = page >>> 2;
        const sh = (page & 3) << 1;
        const b = state[i]!;
        referenced = ((b >>> sh) & 3) === REF;
        if (referenced) state[i] = b ^ ((IDLE ^ REF) << sh);
      } else referenced = this.testAndClearHashed(page);
      if (referenced) {
        // Pages moved earlier in this scan were all behind this one.
        const pos = k + moved;
        const g = shift >= 0 ? pos >>> shift : Math.floor(pos / this.groupSize);
        hits[g] = hits[g]! + 1;
        shifts += g;
        found++;
        if (pos > 0) {
          this.unlink(s);
          this.pushHead(s);
          moved++;
        }
      }
      s = before;
    }
    c.entitiesScanned += count;
    c.referencesFound += found;
    c.listMoves += moved;
    c.markerShifts += shifts;
  }

  private testAndClearHashed(page: number): boolean {
    const table = this.pages!;
    const x = table.probe(page);
    const recs = table.recs;
    const v = recs[2 * x + 1]!;
    if (recs[2 * x] !== page || (v & 3) !== REF) return false;
    recs[2 * x + 1] = v - (REF - IDLE);
    return true;
  }

  /** Sets the code of a seen page. */
  private setCode(page: number, code: number): void {
    const state = this.state;
    if (state !== null) {
      const i = page >>> 2;
      const shift = (page & 3) << 1;
      state[i] = (state[i]! & ~(3 << shift)) | (code << shift);
      return;
    }
    const table = this.pages!;
    const x = table.probe(page);
    const v = table.recs[2 * x + 1]!;
    table.recs[2 * x + 1] = v - (v & 3) + code;
  }

  private unlink(s: number): void {
    const sLink = this.sLink;
    const p = sLink[2 * s]!;
    const q = sLink[2 * s + 1]!;
    if (p >= 0) sLink[2 * p + 1] = q;
    else this.sHead = q;
    if (q >= 0) sLink[2 * q] = p;
    else this.sTail = p;
  }

  private pushHead(s: number): void {
    const sLink = this.sLink;
    const h = this.sHead;
    sLink[2 * s] = -1;
    sLink[2 * s + 1] = h;
    if (h >= 0) sLink[2 * h] = s;
    else this.sTail = s;
    this.sHead = s;
  }

  private growSlots(): void {
    const n = Math.min(this.scanListSize, 2 * this.sOrd.length);
    const sLink = new Int32Array(2 * n);
    sLink.set(this.sLink);
    this.sLink = sLink;
    const sPage = new Float64Array(n);
    sPage.set(this.sPage);
    this.sPage = sPage;
    const sOrd = new Int32Array(n);
    sOrd.set(this.sOrd);
    this.sOrd = sOrd;
  }

  /** Makes room for `page` in the direct array, or moves every page into the hash table. */
  private widen(page: number): void {
    const state = this.state!;
    const size = directLengthFor(page, this.directPages, this.seen + 1, DIRECT_RATIO);
    if (size > 0) {
      const wider = new Uint8Array(Math.ceil(size / 4));
      wider.set(state);
      this.state = wider;
      this.directPages = 4 * wider.length;
      return;
    }
    // Pages seen keep their page number as ordinal; new ones are numbered above them all.
    const table = new RecordTable(Math.max(8192, 2 * this.seen), 0.5);
    for (let id = 0; id < this.directPages; id++) {
      const code = (state[id >>> 2]! >>> ((id & 3) << 1)) & 3;
      if (code !== UNSEEN) table.insertAt(table.probe(id), id, code + 4 * id);
    }
    this.nextOrdinal = this.directPages;
    this.pages = table;
    this.state = null;
  }
}
