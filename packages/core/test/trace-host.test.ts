import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCAN_EVERY,
  ExactLru,
  InvalidOptionError,
  InvalidPageError,
  TraceHost,
  createRng,
  geometricSizes,
  pageNeed,
  meanAbsoluteError,
  runTrackerOnTrace,
} from '@cvhrc/core';

/** The group ends (g + 1)·groupSize up to `max`. */
function groupEnds(groupSize: number, max: number): number[] {
  const out: number[] = [];
  for (let s = groupSize; s <= max; s += groupSize) out.push(s);
  return out;
}

function exactCurve(pages: readonly number[]) {
  const lru = new ExactLru();
  lru.accessAll(pages);
  return lru;
}

describe('TraceHost', () => {
  it('gives the same results with its direct state array and with its hash table, and when it moves between them', () => {
    const rng = createRng(11);
    const ranks = Array.from({ length: 30_000 }, () => rng.nextInt(1 + rng.nextInt(3000)));
    const options = { scanListSize: 64, groupSize: 16, scanEvery: 50, initialCapacity: 16 };
    const dense = runTrackerOnTrace(ranks, options);
    // Page numbers far apart: the hash table from the first reference on.
    const sparse = runTrackerOnTrace(
      ranks.map((r) => 2 ** 40 + r * 2 ** 21),
      options,
    );
    // Dense at first, then one far page: everything moves to the hash table mid-trace.
    const mixed = new TraceHost(options);
    mixed.accessAll(ranks.slice(0, 20_000));
    for (const p of ranks.slice(20_000, 20_010)) mixed.access(p);
    mixed.accessAll(Float64Array.from(ranks.slice(20_010)));
    mixed.finish();
    const withFar = new TraceHost(options);
    withFar.accessAll([...ranks.slice(0, 20_000), 2 ** 50, ...ranks.slice(20_000)]);
    withFar.finish();
    for (const other of [sparse, mixed]) {
      expect(other.curve().points()).toEqual(dense.curve().points());
      expect(other.tracker.counters).toEqual(dense.tracker.counters);
      expect(other.distinct).toBe(dense.distinct);
    }
    expect(withFar.distinct).toBe(dense.distinct + 1);
    expect(withFar.tracker.counters.firstTouches).toBe(dense.distinct + 1);
    withFar.tracker.checkInvariants();
    // The port on pages it never saw: no effect.
    expect(dense.testAndClearReferenced(10 ** 9)).toBe(false);
    dense.protect(10 ** 9);
    dense.unprotect(10 ** 9);
    expect(sparse.testAndClearReferenced(5)).toBe(false);
  });

  it('matches the exact curve at group resolution when the working set fits in the scan list and every reference is scanned', () => {
    // Condition: scanEvery = 1 and at most scanListSize distinct pages. Each reference is then
    // seen by the scan right after it, alone, at its page's exact LRU position.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 500 }),
        fc.integer({ min: 1, max: 8 }),
        (raw, groupSize) => {
          const pages = raw.map((p) => 1_000_000 + 97 * p);
          const host = runTrackerOnTrace(pages, { scanListSize: 64, groupSize, scanEvery: 1 });
          expect(host.tracker.counters.fakeFaults).toBe(0);
          const sizes = groupEnds(groupSize, 64);
          expect(host.curve(sizes).points()).toEqual(exactCurve(pages).curve(sizes).points());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('matches exact on a loop inside the scan list for any scan interval up to the loop length', () => {
    // A loop references the LRU end of the list first, in order, so each scan sees its
    // references at their exact positions.
    const n = 50;
    const pages = Array.from({ length: n * 30 }, (_, i) => i % n);
    for (const scanEvery of [1, 7, 25, 50]) {
      const host = runTrackerOnTrace(pages, { scanListSize: 64, groupSize: 5, scanEvery });
      const sizes = groupEnds(5, 100);
      expect(host.curve(sizes).points()).toEqual(exactCurve(pages).curve(sizes).points());
    }
  });

  it('catches the tail of a loop larger than the scan list with fake faults', () => {
    const scanListSize = 64;
    const groupSize = 8;
    const n = 100; // loop length > scan list
    const passes = 20;
    const pages = Array.from({ length: n * passes }, (_, i) => 4096 * (i % n));
    const exact = exactCurve(pages);
    for (const scanEvery of [1, 100, DEFAULT_SCAN_EVERY]) {
      const host = runTrackerOnTrace(pages, { scanListSize, groupSize, scanEvery });
      // Every reference after the first pass hits the LRU end, which is protected.
      expect(host.tracker.counters.fakeFaults).toBe(n * (passes - 1));
      expect(host.tracker.counters.referencesFound).toBe(0);
      const sizes = groupEnds(groupSize, 200);
      expect(host.curve(sizes).points()).toEqual(exact.curve(sizes).points());
      // Hit ratio 0 below the loop, (passes − 1)/passes from the group holding position n − 1.
      expect(host.curve().at(96)).toBe(0);
      expect(host.curve().at(104)).toBe((passes - 1) / passes);
    }
  });

  it('stays close to exact on a random trace with scans after every reference', () => {
    const rng = createRng(7);
    const pages = Array.from({ length: 20000 }, () => rng.nextInt(300));
    const host = runTrackerOnTrace(pages, { scanListSize: 64, groupSize: 8, scanEvery: 1 });
    const sizes = groupEnds(8, 320);
    const exact = exactCurve(pages).curve(sizes);
    // Only references to pages that fell out of the scan list with their bit set are lost.
    expect(meanAbsoluteError(exact, host.curve(sizes), sizes)).toBeLessThan(0.02);
  });

  it('counts what it was fed and scans every scanEvery references', () => {
    const host = new TraceHost({ scanEvery: 10, scanListSize: 4 });
    host.accessAll([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(host.references).toBe(12);
    expect(host.distinct).toBe(3);
    expect(host.tracker.counters.scans).toBe(1);
    host.finish();
    expect(host.tracker.counters.scans).toBe(2);
    host.finish(); // nothing new to scan
    expect(host.tracker.counters.scans).toBe(2);
    expect(host.snapshot().misses).toBe(3);
  });

  it('gives the same result through access and accessAll', () => {
    const rng = createRng(3);
    const pages = Array.from({ length: 5000 }, () =>
      rng.nextFloat() < 0.1 ? 2 ** 40 + rng.nextInt(50) : rng.nextInt(500),
    );
    const a = new TraceHost({ scanListSize: 32, groupSize: 4, scanEvery: 64, initialCapacity: 1 });
    a.accessAll(pages);
    a.finish();
    const b = new TraceHost({ scanListSize: 32, groupSize: 4, scanEvery: 64, initialCapacity: 1 });
    for (const p of pages) b.access(p);
    b.finish();
    expect(a.curve().points()).toEqual(b.curve().points());
    expect({ ...a.tracker.counters }).toEqual({ ...b.tracker.counters });
    a.tracker.checkInvariants();
  });

  it('rejects bad pages and options', () => {
    const host = new TraceHost();
    expect(() => host.access(-1)).toThrow(InvalidPageError);
    expect(() => host.accessAll([0.5])).toThrow(InvalidPageError);
    expect(() => new TraceHost({ scanEvery: 0 })).toThrow(InvalidOptionError);
  });
});

describe('curve end at the list length', () => {
  it('a loop over 4000 pages (inside the scan list) ends its curve at 4000, not at the group end', () => {
    const host = new TraceHost();
    const pages = new Float64Array(400_000);
    for (let i = 0; i < pages.length; i++) pages[i] = i % 4000;
    host.accessAll(pages);
    host.finish();
    const curve = host.curve();
    expect(curve.size(curve.length - 1)).toBe(4000);
    expect(curve.at(3999)).toBeLessThan(0.01);
    expect(curve.at(4000)).toBeGreaterThan(0.9);
    const grid = geometricSizes(4000, 16);
    expect(pageNeed(curve.resample(grid))).toBe(4000);
  });

  it('a snapshot difference keeps the larger bound; a reset window starts from the current length', () => {
    const host = new TraceHost({ scanListSize: 16, groupSize: 8, scanEvery: 4 });
    host.accessAll([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    const a = host.snapshot();
    expect(a.maxListLength).toBe(3);
    host.accessAll([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const b = host.snapshot();
    expect(b.minus(a).maxListLength).toBe(13);
    host.tracker.resetWindow();
    expect(host.snapshot().maxListLength).toBe(13);
    expect(host.snapshot().curve().length).toBe(2);
  });
});

describe('TraceHost.feed', () => {
  it('feeds chunks of a reused buffer exactly as access() on each reference', () => {
    const rng = createRng(11);
    // Skewed ranks past the scan list (fake faults, scans, protection) with a sparse page
    // midway, so that both the direct state array and the hash table run.
    const pages = Array.from({ length: 40_000 }, (_, i) =>
      i === 20_000 ? 3_000_000_000 : Math.floor(3000 * rng.nextFloat() ** 2),
    );
    const options = { scanListSize: 64, groupSize: 16, scanEvery: 50, initialCapacity: 8 };
    const single = new TraceHost(options);
    for (const p of pages) single.access(p);
    single.finish();
    expect(single.tracker.counters.fakeFaults).toBeGreaterThan(1000);
    for (const Buffer of [Uint32Array, Float64Array]) {
      const fed = new TraceHost(options);
      const chunk = new Buffer(1500);
      for (let k = 0; k < pages.length; ) {
        const n = Math.min(1 + (k % 1499), pages.length - k); // uneven chunk lengths
        for (let i = 0; i < n; i++) chunk[i] = pages[k + i]!;
        chunk.fill(2999, n); // stale entries past n must be ignored
        fed.feed(chunk, n);
        k += n;
      }
      fed.finish();
      expect(fed.references).toBe(pages.length);
      expect(fed.distinct).toBe(single.distinct);
      expect({ ...fed.tracker.counters }).toEqual({ ...single.tracker.counters });
      expect(Array.from(fed.snapshot().hitsPerGroup())).toEqual(
        Array.from(single.snapshot().hitsPerGroup()),
      );
      expect(fed.snapshot().accesses).toBe(single.snapshot().accesses);
      expect(Array.from(fed.tracker.entities())).toEqual(Array.from(single.tracker.entities()));
      fed.tracker.checkInvariants();
    }
  });

  it('rejects a count that is not an integer in [0, length]', () => {
    const host = new TraceHost();
    const chunk = new Float64Array(3);
    expect(() => host.feed(chunk, 4)).toThrow(InvalidOptionError);
    expect(() => host.feed(chunk, Number.NaN)).toThrow(/\[0, 3\]/);
    host.feed(chunk, 0);
    expect(host.references).toBe(0);
  });
});
