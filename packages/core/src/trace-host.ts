import { InvalidOptionError, InvalidPageError } from './errors.js';
import type { GroupHits } from './group-hits.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';
import { DIRECT_FREE, directLengthFor, isPageId } from './internal/ids.js';
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

const REFERENCED = 1;
const PROTECTED = 2;
/** In the direct array: the page has been seen (0 = never). */
const SEEN = 4;
/** Above DIRECT_FREE, the direct array may hold up to this many slots (bytes) per page. */
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
 * host keeps its bits in a byte per page number (a Uint8Array indexed by page) while every
 * page seen is below 2^20, or below 2^24 and 64 × the distinct pages, as a kernel keeps them
 * in page-table entries; the first page outside that moves them, for good, to a hash table
 * keyed by page number whose slots are the records [page, bits], so that one cache miss
 * finds a page's bits.
 */
export class TraceHost implements TrackerPort {
  /** The tracker this host drives. */
  readonly tracker: CvhrcTracker;
  /** References between scans. */
  readonly scanEvery: number;

  /** State bits (SEEN | PROTECTED | REFERENCED) by page while pages are dense; else null. */
  private state: Uint8Array<ArrayBuffer> | null;
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
    this.state = new Uint8Array(Math.min(DIRECT_FREE, 2 * this.initialCapacity));
    this.tracker = new CvhrcTracker(this, options);
  }

  /** Feeds one reference to page `page` (an integer in [0, 2^53 − 1]). */
  access(page: number): void {
    if (!isPageId(page)) throw new InvalidPageError(page);
    if (this.state !== null && page >= this.state.length) this.widen(page);
    const state = this.state;
    if (state !== null) {
      const s = state[page]!;
      if (s === 0) {
        state[page] = SEEN;
        this.seen++;
        this.tracker.firstTouch(page);
      } else if ((s & PROTECTED) !== 0) this.tracker.fakeFault(page);
      else state[page] = s | REFERENCED;
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
    const n = pages.length;
    let k = 0;
    while (k < n) {
      k = this.state !== null ? this.runDirect(pages, k) : this.runHashed(pages, k);
      if (k < n) this.access(pages[k++]!);
    }
  }

  /** References to known pages in the direct array, from pages[k]; returns where it stopped. */
  private runDirect(pages: ArrayLike<number>, k: number): number {
    const n = pages.length;
    const tracker = this.tracker;
    const scanEvery = this.scanEvery;
    // The port methods change state in place; it is only replaced when a page is added.
    const state = this.state!;
    const size = state.length;
    let sinceScan = this.sinceScan;
    let refs = this.refs;
    for (; k < n; k++) {
      const page = pages[k]!;
      if (!(page >= 0 && page < size && page === (page | 0))) break;
      const s = state[page]!;
      if ((s & PROTECTED) === 0) {
        if (s === 0) break; // a new page: the general path
        state[page] = s | REFERENCED; // the common case: one read, one write
      } else tracker.fakeFault(page);
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

  /** References to known pages in the hash table, from pages[k]; returns where it stopped. */
  private runHashed(pages: ArrayLike<number>, k: number): number {
    const n = pages.length;
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
    const size = directLengthFor(page, state.length, this.seen + 1, DIRECT_RATIO);
    if (size > 0) {
      const wider = new Uint8Array(size);
      wider.set(state);
      this.state = wider;
      return;
    }
    const table = new RecordTable(Math.max(this.initialCapacity, 2 * this.seen), 0.5);
    for (let id = 0; id < state.length; id++) {
      const s = state[id]!;
      if (s !== 0) table.insertAt(table.probe(id), id, s & ~SEEN);
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
      if (!(id < state.length)) return false;
      const s = state[id]!;
      if ((s & REFERENCED) === 0) return false;
      state[id] = s & ~REFERENCED;
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
      if (id < state.length && state[id] !== 0) state[id] = SEEN | PROTECTED;
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
      if (id < state.length) state[id] = state[id]! & ~PROTECTED;
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
