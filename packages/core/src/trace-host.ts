import { InvalidOptionError, InvalidPageError } from './errors.js';
import type { GroupHits } from './group-hits.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';
import { DIRECT_FREE, checkCount, directLengthFor, isPageId } from './internal/ids.js';
import { RecordTable } from './internal/record-table.js';
import { CvhrcTracker, type CvhrcTrackerOptions, type TrackerPort } from './tracker.js';

export interface TraceHostOptions extends CvhrcTrackerOptions {
  /** References between two scans. Default {@link DEFAULT_SCAN_EVERY}. */
  readonly scanEvery?: number;
}

/**
 * Default scan interval of the trace host: one scan every 8192 references, as many as the
 * default scan list holds, so a scan visits one scan-list entity per reference on average
 * (the scan costs O(1) per reference) and an interval cannot reference more distinct pages
 * than the scan list holds.
 */
export const DEFAULT_SCAN_EVERY = 8192;

// Bits of a page's record in the hash table (a record exists once the page is seen).
const REFERENCED = 1;
const PROTECTED = 2;
// A page's 2-bit code in the direct array. A protected page's reference bit is always clear
// (protecting clears it, and a fake fault does not set it), so four codes cover every state.
// The low bit is set exactly for a page that is seen and not protected (IDLE, REF), so that a
// reference to one is a single OR of the high bit, with no branch on which of the two it is.
/** Never seen. */
const UNSEEN = 0;
/** Seen; neither referenced since the last test nor protected. */
const IDLE = 1;
/** Seen and referenced since the last test-and-clear. */
const REF = 3;
/** Seen and protected (not referenced). */
const PROT = 2;
/** Above DIRECT_FREE, the direct array may cover up to this many page numbers per page seen. */
const DIRECT_RATIO = 64;

/**
 * Runs a {@link CvhrcTracker} on a plain page-reference stream: it implements the tracker's
 * port with a simulated reference bit and protection bit per page, as a kernel would with
 * page-table entries.
 *
 * For each reference: a page never seen is a first touch; a protected page takes a fake
 * fault (the tracker moves it to the MRU end and unprotects it — the faulting access does not
 * also set the reference bit, since the fault has already counted it); any other access sets
 * the reference bit. Every `scanEvery` references the tracker scans. Protecting a page clears
 * its reference bit: a reference made while the page was in the scan list but not scanned
 * before it fell out is lost, as it would be for a kernel that re-arms the page's PTE.
 *
 * Page numbers are arbitrary integers in [0, 2^53 − 1] and are the tracker's entity ids. The
 * host keeps its bits in two bits per page number (four pages to a byte of a Uint8Array: a
 * million pages take 256 KB, which stays in L2 beside the tracker's hot structures) while
 * every page seen is below 2^20, or below 2^24 and 64 × the distinct pages, as a kernel keeps
 * them in page-table entries; the first page outside that moves them, for good, to a hash
 * table keyed by page number whose slots are the records [page, bits], so that one cache miss
 * finds a page's bits.
 */
export class TraceHost implements TrackerPort {
  /** The tracker this host drives. */
  readonly tracker: CvhrcTracker;
  /** References between scans. */
  readonly scanEvery: number;

  /**
   * While pages are dense: the 2-bit code (UNSEEN, IDLE, REF, PROT) of page p in bits
   * 2(p & 3)..2(p & 3) + 1 of byte p >>> 2; else null.
   */
  private state: Uint8Array<ArrayBuffer> | null;
  /** Page numbers the direct array covers (4 × its bytes). */
  private directPages: number;
  /** Hash table whose slot per page is the record [page, state bits], once state is null. */
  private pages: RecordTable | null = null;
  private seen = 0;
  private readonly initialCapacity: number;
  private sinceScan = 0;
  private refs = 0;

  constructor(options: TraceHostOptions = {}) {
    const scanEvery = options.scanEvery ?? DEFAULT_SCAN_EVERY;
    if (!Number.isInteger(scanEvery) || scanEvery < 1) {
      throw new InvalidOptionError('scanEvery', `must be an integer ≥ 1, got ${String(scanEvery)}`);
    }
    this.scanEvery = scanEvery;
    this.initialCapacity = options.initialCapacity ?? 8192;
    this.directPages = Math.max(4, Math.min(DIRECT_FREE, 2 * this.initialCapacity));
    this.state = new Uint8Array(Math.ceil(this.directPages / 4));
    this.tracker = new CvhrcTracker(this, options);
  }

  /** Feeds one reference to page `page` (an integer in [0, 2^53 − 1]). */
  access(page: number): void {
    if (!isPageId(page)) throw new InvalidPageError(page);
    if (this.state !== null && page >= this.directPages) this.widen(page);
    const state = this.state;
    if (state !== null) {
      const i = page >>> 2;
      const shift = (page & 3) << 1;
      const s = (state[i]! >>> shift) & 3;
      if (s === UNSEEN) {
        state[i] = state[i]! | (IDLE << shift);
        this.seen++;
        this.tracker.firstTouch(page);
      } else if (s === PROT) this.tracker.fakeFault(page);
      else if (s === IDLE) state[i] = state[i]! ^ ((IDLE ^ REF) << shift);
    } else {
      const table = this.pages!;
      let x = table.probe(page);
      if (table.recs[2 * x] !== page) {
        if (table.full) {
          table.grow();
          x = table.probe(page);
        }
        table.insertAt(x, page, 0);
        this.seen++;
        this.tracker.firstTouch(page);
      } else {
        const recs = table.recs;
        const s = recs[2 * x + 1]!;
        if ((s & PROTECTED) !== 0) this.tracker.fakeFault(page);
        else recs[2 * x + 1] = s | REFERENCED;
      }
    }
    this.refs++;
    if (++this.sinceScan === this.scanEvery) {
      this.sinceScan = 0;
      this.tracker.scan();
    }
  }

  /**
   * Feeds every page of `pages` in order. Same result as calling {@link access} on each,
   * faster: references to known pages run in one loop with the state held in locals.
   */
  accessAll(pages: ArrayLike<number>): void {
    this.feed(pages, pages.length);
  }

  /**
   * Feeds `pages[0..n)` in order: the same as {@link access} on each, for streaming a trace
   * in chunks of a reused buffer (a `Uint32Array` or `Float64Array` filled up to `n`) without
   * making a view per chunk. Throws if `n` is not an integer in [0, pages.length].
   */
  feed(pages: ArrayLike<number>, n: number): void {
    checkCount(n, pages.length);
    let k = 0;
    while (k < n) {
      k = this.state !== null ? this.runDirect(pages, k, n) : this.runHashed(pages, k, n);
      if (k < n) this.access(pages[k++]!);
    }
  }

  /** References to known pages in the direct array, pages[k..n); returns where it stopped. */
  private runDirect(pages: ArrayLike<number>, k: number, n: number): number {
    const tracker = this.tracker;
    const scanEvery = this.scanEvery;
    // The port methods change state in place; it is only replaced when a page is added.
    const state = this.state!;
    const size = this.directPages;
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
        // The common case, a page in the scan list (IDLE or REF): it becomes REF.
        state[i] = b | (REF << shift);
      } else if (s === PROT) {
        // The port's two calls, made here on the array at hand: the page is unprotected
        // (PROT becomes IDLE) and the one pushed out of the scan list, a page seen and so
        // inside the array, protected (its code becomes PROT, its reference bit cleared).
        const fallen = tracker.fakeFaultUnported(page);
        if (fallen >= 0) {
          state[i] = state[i]! ^ ((PROT ^ IDLE) << shift);
          const fi = fallen >>> 2;
          const fs = (fallen & 3) << 1;
          state[fi] = (state[fi]! & ~(3 << fs)) | (PROT << fs);
        }
      } else break; // a new page: the general path
      refs++;
      if (++sinceScan === scanEvery) {
        sinceScan = 0;
        tracker.scan();
      }
    }
    this.sinceScan = sinceScan;
    this.refs = refs;
    return k;
  }

  /** References to known pages in the hash table, pages[k..n); returns where it stopped. */
  private runHashed(pages: ArrayLike<number>, k: number, n: number): number {
    const tracker = this.tracker;
    const scanEvery = this.scanEvery;
    const table = this.pages!;
    const recs = table.recs;
    const mask = table.mask;
    const shift = 32 - table.bits;
    let sinceScan = this.sinceScan;
    let refs = this.refs;
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
      const s = recs[2 * x + 1]!;
      // The port methods change recs in place; it is only replaced when a page is added.
      if ((s & PROTECTED) !== 0) tracker.fakeFault(page);
      else if (s === 0) recs[2 * x + 1] = REFERENCED;
      refs++;
      if (++sinceScan === scanEvery) {
        sinceScan = 0;
        tracker.scan();
      }
    }
    this.sinceScan = sinceScan;
    this.refs = refs;
    return k;
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
    const table = new RecordTable(Math.max(this.initialCapacity, 2 * this.seen), 0.5);
    for (let id = 0; id < this.directPages; id++) {
      const s = (state[id >>> 2]! >>> ((id & 3) << 1)) & 3;
      if (s !== UNSEEN) {
        const bits = s === REF ? REFERENCED : s === PROT ? PROTECTED : 0;
        table.insertAt(table.probe(id), id, bits);
      }
    }
    this.pages = table;
    this.state = null;
  }

  /**
   * Scans now if any reference came since the last scan, so that the reference bits set at
   * the end of a trace are counted. Call once at the end of a trace.
   */
  finish(): void {
    if (this.sinceScan > 0) {
      this.sinceScan = 0;
      this.tracker.scan();
    }
  }

  /** References fed. */
  get references(): number {
    return this.refs;
  }

  /** Distinct pages seen. */
  get distinct(): number {
    return this.seen;
  }

  /** The tracker's counts of the current window. */
  snapshot(): GroupHits {
    return this.tracker.snapshot();
  }

  /**
   * The tracker's curve: defined at the group ends (g + 1)·groupSize, or looked up at `sizes`
   * (step semantics). Call {@link finish} first at the end of a trace.
   */
  curve(sizes?: ArrayLike<number>): HitRatioCurve {
    return this.tracker.curve(sizes);
  }

  // ---- TrackerPort --------------------------------------------------------------------

  /** Port: reads and clears the simulated reference bit. */
  testAndClearReferenced(id: number): boolean {
    const state = this.state;
    if (state !== null) {
      if (!(id < this.directPages)) return false;
      const i = id >>> 2;
      const shift = (id & 3) << 1;
      const b = state[i]!;
      if (((b >>> shift) & 3) !== REF) return false;
      state[i] = b ^ ((IDLE ^ REF) << shift);
      return true;
    }
    const table = this.pages!;
    const x = table.probe(id);
    const recs = table.recs;
    const s = recs[2 * x + 1]!;
    if (recs[2 * x] !== id || (s & REFERENCED) === 0) return false;
    recs[2 * x + 1] = s & ~REFERENCED;
    return true;
  }

  /** Port: sets the protection bit (and clears the reference bit). */
  protect(id: number): void {
    const state = this.state;
    if (state !== null) {
      if (!(id < this.directPages)) return;
      const i = id >>> 2;
      const shift = (id & 3) << 1;
      const b = state[i]!;
      if (((b >>> shift) & 3) !== UNSEEN) state[i] = (b & ~(3 << shift)) | (PROT << shift);
      return;
    }
    const table = this.pages!;
    const x = table.probe(id);
    if (table.recs[2 * x] === id) table.recs[2 * x + 1] = PROTECTED;
  }

  /** Port: clears the protection bit. */
  unprotect(id: number): void {
    const state = this.state;
    if (state !== null) {
      if (!(id < this.directPages)) return;
      const i = id >>> 2;
      const shift = (id & 3) << 1;
      const b = state[i]!;
      if (((b >>> shift) & 3) === PROT) state[i] = b ^ ((PROT ^ IDLE) << shift);
      return;
    }
    const table = this.pages!;
    const x = table.probe(id);
    const recs = table.recs;
    if (recs[2 * x] === id) recs[2 * x + 1] = recs[2 * x + 1]! & ~PROTECTED;
  }
}

/**
 * Runs a fresh {@link TraceHost} over `pages` (then `finish()`) and returns it: read the curve
 * with `host.curve(sizes)`, the work with `host.tracker.counters`.
 */
export function runTrackerOnTrace(
  pages: ArrayLike<number>,
  options: TraceHostOptions = {},
): TraceHost {
  const host = new TraceHost(options);
  host.accessAll(pages);
  host.finish();
  return host;
}
