import { InvalidOptionError, InvalidPageError } from './errors.js';
import type { GroupHits } from './group-hits.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';
import { isPageId } from './internal/ids.js';
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
 * host keeps its bits in a hash table keyed by page number whose slots are the records
 * [page, bits], so that one cache miss finds a page's bits.
 */
export class TraceHost implements TrackerPort {
  /** The tracker this host drives. */
  readonly tracker: CvhrcTracker;
  /** References between scans. */
  readonly scanEvery: number;

  /** Hash table whose slot per page is the record [page, state bits]. */
  private readonly pages: RecordTable;
  private sinceScan = 0;
  private refs = 0;

  constructor(options: TraceHostOptions = {}) {
    const scanEvery = options.scanEvery ?? DEFAULT_SCAN_EVERY;
    if (!Number.isInteger(scanEvery) || scanEvery < 1) {
      throw new InvalidOptionError('scanEvery', `must be an integer ≥ 1, got ${String(scanEvery)}`);
    }
    this.scanEvery = scanEvery;
    this.pages = new RecordTable(options.initialCapacity ?? 8192, 0.5);
    this.tracker = new CvhrcTracker(this, options);
  }

  /** Feeds one reference to page `page` (an integer in [0, 2^53 − 1]). */
  access(page: number): void {
    if (!isPageId(page)) throw new InvalidPageError(page);
    const table = this.pages;
    let x = table.probe(page);
    if (table.recs[2 * x] !== page) {
      if (table.full) {
        table.grow();
        x = table.probe(page);
      }
      table.insertAt(x, page, 0);
      this.tracker.firstTouch(page);
    } else {
      const recs = table.recs;
      const s = recs[2 * x + 1]!;
      if ((s & PROTECTED) !== 0) this.tracker.fakeFault(page);
      else recs[2 * x + 1] = s | REFERENCED;
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
    const tracker = this.tracker;
    const scanEvery = this.scanEvery;
    let k = 0;
    while (k < n) {
      const table = this.pages;
      const recs = table.recs;
      const mask = table.mask;
      const hbits = table.bits;
      let sinceScan = this.sinceScan;
      let refs = this.refs;
      for (; k < n; k++) {
        const page = pages[k]!;
        if (!(page >= 0 && page < 4294967296 && page === page >>> 0)) break;
        // slotOf(page, hbits), inlined for ids below 2^32.
        let x = ((page >>> 0) ^ Math.imul(page >>> hbits, 0x9e3779b1)) & mask;
        let key: number;
        for (;;) {
          key = recs[2 * x]!;
          if (key === page || key === -1) break;
          x = (x + 1) & mask;
        }
        if (key === -1) break; // a new page: the general path below
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
      if (k < n) this.access(pages[k++]!);
    }
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
    return this.pages.size;
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
    const x = this.pages.probe(id);
    const recs = this.pages.recs;
    const s = recs[2 * x + 1]!;
    if (recs[2 * x] !== id || (s & REFERENCED) === 0) return false;
    recs[2 * x + 1] = s & ~REFERENCED;
    return true;
  }

  /** Port: sets the protection bit (and clears the reference bit). */
  protect(id: number): void {
    const x = this.pages.probe(id);
    if (this.pages.recs[2 * x] === id) this.pages.recs[2 * x + 1] = PROTECTED;
  }

  /** Port: clears the protection bit. */
  unprotect(id: number): void {
    const x = this.pages.probe(id);
    const recs = this.pages.recs;
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
