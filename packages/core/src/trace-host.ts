import { InvalidOptionError, InvalidPageError } from './errors.js';
import type { GroupHits } from './group-hits.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';
import { DenseIdMap, isPageId } from './internal/dense-id-map.js';
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
 * Page numbers are arbitrary integers in [0, 2^53 − 1]; the host maps them to dense entity
 * ids 0, 1, 2, … (in order of first reference) for the tracker.
 */
export class TraceHost implements TrackerPort {
  /** The tracker this host drives. */
  readonly tracker: CvhrcTracker;
  /** References between scans. */
  readonly scanEvery: number;

  private readonly pages: DenseIdMap;
  private state: Uint8Array;
  private sinceScan = 0;
  private refs = 0;

  constructor(options: TraceHostOptions = {}) {
    const scanEvery = options.scanEvery ?? DEFAULT_SCAN_EVERY;
    if (!Number.isInteger(scanEvery) || scanEvery < 1) {
      throw new InvalidOptionError('scanEvery', `must be an integer ≥ 1, got ${String(scanEvery)}`);
    }
    this.scanEvery = scanEvery;
    this.tracker = new CvhrcTracker(this, options);
    const capacity = options.initialCapacity ?? 8192;
    this.pages = new DenseIdMap(capacity);
    this.state = new Uint8Array(Math.max(16, capacity));
  }

  /** Feeds one reference to page `page` (an integer in [0, 2^53 − 1]). */
  access(page: number): void {
    if (!isPageId(page)) throw new InvalidPageError(page);
    let e = this.pages.intern(page);
    if (e < 0) {
      e = ~e;
      if (e >= this.state.length) this.growState();
      this.tracker.firstTouch(e);
    } else {
      const s = this.state[e]!;
      if ((s & PROTECTED) !== 0) this.tracker.fakeFault(e);
      else this.state[e] = s | REFERENCED;
    }
    this.refs++;
    if (++this.sinceScan === this.scanEvery) {
      this.sinceScan = 0;
      this.tracker.scan();
    }
  }

  /** Feeds every page of `pages` in order. */
  accessAll(pages: ArrayLike<number>): void {
    for (let k = 0; k < pages.length; k++) this.access(pages[k]!);
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

  /** The page number of dense entity id `entity`. */
  pageOf(entity: number): number {
    const keys = this.pages.keys();
    const page = keys[entity];
    if (page === undefined) throw new InvalidOptionError('entity', `${entity} is not a known entity`);
    return page;
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
    const s = this.state[id]!;
    if ((s & REFERENCED) === 0) return false;
    this.state[id] = s & ~REFERENCED;
    return true;
  }

  /** Port: sets the protection bit (and clears the reference bit). */
  protect(id: number): void {
    this.state[id] = PROTECTED;
  }

  /** Port: clears the protection bit. */
  unprotect(id: number): void {
    this.state[id] = this.state[id]! & ~PROTECTED;
  }

  private growState(): void {
    const state = new Uint8Array(this.state.length * 2);
    state.set(this.state);
    this.state = state;
  }
}

/**
 * Runs a fresh {@link TraceHost} over `pages` (then `finish()`) and returns it: read the curve
 * with `host.curve(sizes)`, the work with `host.tracker.counters`.
 */
export function runTrackerOnTrace(pages: ArrayLike<number>, options: TraceHostOptions = {}): TraceHost {
  const host = new TraceHost(options);
  host.accessAll(pages);
  host.finish();
  return host;
}
