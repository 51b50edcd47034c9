import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactLru, InvalidOptionError, InvalidPageError, createRng } from '@cvhrc/core';
import { naiveStackDistances } from './helpers/naive.js';

const I = Infinity;

function distances(pages: readonly number[], options = {}): number[] {
  const lru = new ExactLru(options);
  return pages.map((p) => lru.access(p));
}

describe('ExactLru stack distances', () => {
  it('matches a hand-computed example', () => {
    // a b c a b d a: stacks [a] [b a] [c b a] [a c b] [b a c] [d b a c] [a d b c]
    expect(distances([1, 2, 3, 1, 2, 4, 1])).toEqual([I, I, I, 3, 3, I, 3]);
    // Re-referencing the most recent page is distance 1.
    expect(distances([7, 7, 7, 8, 7])).toEqual([I, 1, 1, I, 2]);
  });

  it("gives Belady's sequence the known LRU hits at 3, 4 and 5 pages", () => {
    const belady = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
    // Stacks: … [4 3 2 1] →1 at 4 →2 at 4 → 5 new [5 2 1 4 3] →1 at 3 →2 at 3 →3 at 5 →4 at 5 →5 at 5
    expect(distances(belady)).toEqual([I, I, I, I, 4, 4, I, 3, 3, 5, 5, 5]);
    const lru = new ExactLru();
    lru.accessAll(belady);
    // LRU faults on this sequence: 10 with 3 frames, 8 with 4, 5 with 5.
    expect(lru.hits(3)).toBe(2);
    expect(lru.hits(4)).toBe(4);
    expect(lru.hits(5)).toBe(7);
    expect(lru.references).toBe(12);
    expect(lru.distinct).toBe(5);
    const curve = lru.curve([3, 4, 5]);
    expect(curve.points()).toEqual([
      { size: 3, hitRatio: 2 / 12 },
      { size: 4, hitRatio: 4 / 12 },
      { size: 5, hitRatio: 7 / 12 },
    ]);
    expect(Array.from(lru.histogram())).toEqual([0, 0, 0, 2, 2, 3]);
  });

  it('gives a loop over n + 1 pages hit ratio 0 at n pages and 1 at n + 1 after the cold misses', () => {
    const n = 50;
    const passes = 20;
    const loop: number[] = [];
    for (let p = 0; p < passes; p++) for (let i = 0; i <= n; i++) loop.push(40_000_000 + i * 8);
    const lru = new ExactLru();
    lru.accessAll(loop);
    const warm = lru.references - lru.distinct; // references after the first pass
    expect(lru.hits(n) / warm).toBe(0);
    expect(lru.hits(n + 1) / warm).toBe(1);
    // With the cold misses counted, the curve at n + 1 is (passes − 1) / passes.
    expect(lru.curve([n, n + 1]).points()).toEqual([
      { size: n, hitRatio: 0 },
      { size: n + 1, hitRatio: (passes - 1) / passes },
    ]);
  });

  it('defines its default curve at every distance that occurred', () => {
    const lru = new ExactLru();
    lru.accessAll([1, 2, 1, 3, 1, 2]); // distances ∞ ∞ 2 ∞ 2 3
    expect(lru.curve().points()).toEqual([
      { size: 2, hitRatio: 2 / 6 },
      { size: 3, hitRatio: 3 / 6 },
    ]);
    expect(lru.curve().at(1)).toBe(0);
    expect(lru.curve().at(1000)).toBe(0.5);
    expect(new ExactLru().curve().length).toBe(0);
    expect(new ExactLru().curve([1, 2]).at(2)).toBe(0);
  });

  it('accepts ids up to 2^53 − 1 and rejects others', () => {
    const big = Number.MAX_SAFE_INTEGER;
    expect(distances([big, 0, big, 2 ** 32, 2 ** 32 + 1, 0])).toEqual([I, I, 2, I, I, 4]);
    const lru = new ExactLru();
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, Infinity]) {
      expect(() => lru.access(bad)).toThrow(InvalidPageError);
      expect(() => lru.accessAll([1, bad])).toThrow(InvalidPageError);
    }
  });

  it('rejects bad options', () => {
    expect(() => new ExactLru({ initialCapacity: 0 })).toThrow(InvalidOptionError);
    expect(() => new ExactLru({ initialTimeCapacity: 1 })).toThrow(InvalidOptionError);
  });

  it('moves from the direct array to the hash table on a sparse id and stays exact', () => {
    const pages: number[] = [];
    for (let pass = 0; pass < 3; pass++) for (let i = 0; i < 300; i++) pages.push((i * 37) % 300);
    pages.push(5_000_000, 7, 5_000_000, 2 ** 40, 7, 299, 2 ** 40);
    for (let i = 0; i < 300; i++) pages.push((i * 11) % 301);
    const expected = naiveStackDistances(pages);
    expect(distances(pages)).toEqual(expected);
    expect(distances(pages, { initialCapacity: 1, initialTimeCapacity: 2 })).toEqual(expected);
    const bulk = new ExactLru();
    bulk.accessAll(pages.slice(0, 900));
    const direct = bulk.memoryBytes();
    bulk.accessAll(pages.slice(900));
    expect(bulk.memoryBytes()).not.toBe(direct);
    expect(bulk.distinct).toBe(new Set(pages).size);
  });

  it('keeps dense ids past 2^20 in the direct array, with the same distances as hashed ids', () => {
    // 140 000 distinct pages 8 apart (up to 1.12 M), visited three times in a shuffled order.
    const n = 140_000;
    const pages = new Float64Array(3 * n);
    for (let k = 0; k < pages.length; k++) pages[k] = ((k * 7919) % n) * 8;
    const dense = new ExactLru();
    dense.accessAll(pages);
    const hashed = new ExactLru();
    hashed.access(2 ** 40); // a sparse id first: every page goes to the hash table
    hashed.accessAll(pages);
    expect(dense.distinct).toBe(n);
    expect(hashed.distinct).toBe(n + 1);
    // The sparse page sits at the bottom of the stack: the distances are the same.
    expect(Array.from(hashed.histogram()).slice(0, n + 1)).toEqual(Array.from(dense.histogram()));
    expect(dense.hits(n)).toBe(2 * n);
    // 2^21 Int32 slots, the marks and the histogram: no hash table of 16-byte slots.
    expect(dense.memoryBytes()).toBeLessThan(12_000_000);
  });

  it('carries distance counts past the 1-byte counters (and past 2^16) into the histogram', () => {
    const bulk = new ExactLru();
    bulk.accessAll(new Uint32Array(200_000).fill(3));
    const single = new ExactLru();
    for (let i = 0; i < 140_000; i++) single.access(i % 2);
    expect(bulk.hits(1)).toBe(199_999);
    expect(bulk.histogram()[1]).toBe(199_999);
    bulk.accessAll(new Uint32Array(70_000).fill(3)); // after a read, counting goes on
    expect(bulk.hits(1)).toBe(269_999);
    expect(single.hits(1)).toBe(0);
    expect(single.hits(2)).toBe(139_998);
  });

  it('compacts its time array and stays exact', () => {
    const lru = new ExactLru({ initialCapacity: 1, initialTimeCapacity: 2 });
    const pages: number[] = [];
    for (let i = 0; i < 2000; i++) pages.push((i * 7919) % 37);
    const got = pages.map((p) => lru.access(p));
    expect(lru.compactions).toBeGreaterThan(10);
    expect(got).toEqual(naiveStackDistances(pages));
  });
});

describe('ExactLru against a naive Mattson stack (property)', () => {
  const page = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 20 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((k) => 2 ** 32 + k) },
  );
  const adversarial = fc.oneof(
    // cyclic loops
    fc
      .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 10 }))
      .map(([n, passes]) => Array.from({ length: n * passes }, (_, i) => i % n)),
    // all distinct
    fc.integer({ min: 0, max: 300 }).map((n) => Array.from({ length: n }, (_, i) => i * 4096)),
    // the same page over and over
    fc.integer({ min: 0, max: 300 }).map((n) => Array.from({ length: n }, () => 42)),
    // a loop with a hot page in between
    fc
      .integer({ min: 2, max: 50 })
      .map((n) => Array.from({ length: 6 * n }, (_, i) => (i % 2 === 0 ? 0 : 1 + (i % n)))),
  );
  const trace = fc.oneof(fc.array(page, { maxLength: 400 }), adversarial);
  const options = fc.record({
    initialCapacity: fc.integer({ min: 1, max: 64 }),
    initialTimeCapacity: fc.integer({ min: 2, max: 64 }),
  });

  it('gives the same distance for every reference, one by one or in bulk', () => {
    fc.assert(
      fc.property(trace, options, (pages, opts) => {
        const expected = naiveStackDistances(pages);
        expect(distances(pages, opts)).toEqual(expected);
        const bulk = new ExactLru(opts);
        bulk.accessAll(pages);
        const histogram = new Array<number>(bulk.distinct + 1).fill(0);
        for (const d of expected) if (d !== Infinity) histogram[d]!++;
        expect(Array.from(bulk.histogram())).toEqual(histogram);
        expect(bulk.references).toBe(pages.length);
        expect(bulk.distinct).toBe(new Set(pages).size);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same curve when the trace is split across calls', () => {
    fc.assert(
      fc.property(trace, fc.integer({ min: 0, max: 400 }), (pages, cut) => {
        const whole = new ExactLru({ initialTimeCapacity: 4 });
        whole.accessAll(pages);
        const split = new ExactLru({ initialTimeCapacity: 4 });
        split.accessAll(pages.slice(0, cut));
        for (const p of pages.slice(cut)) split.access(p);
        expect(split.curve().points()).toEqual(whole.curve().points());
      }),
      { numRuns: 100 },
    );
  });
});

describe('ExactLru.feed', () => {
  it('records chunks of a reused buffer exactly as access() on each reference', () => {
    const rng = createRng(7);
    // Skewed ranks with a sparse id midway, so that both the direct array and the hash table
    // run; small capacities, so that the time array compacts and grows.
    const pages = Array.from({ length: 30_000 }, (_, i) =>
      i === 12_345 ? 4_000_000_000 : Math.floor(2000 * rng.nextFloat() ** 3),
    );
    const options = { initialCapacity: 4, initialTimeCapacity: 64 };
    const reference = new ExactLru(options);
    for (const p of pages) reference.access(p);
    for (const Buffer of [Uint32Array, Float64Array]) {
      const fed = new ExactLru(options);
      const chunk = new Buffer(1000);
      for (let k = 0; k < pages.length; ) {
        const n = Math.min(1 + (k % 977), pages.length - k); // uneven chunk lengths
        for (let i = 0; i < n; i++) chunk[i] = pages[k + i]!;
        chunk.fill(99_999, n); // stale entries past n must be ignored
        fed.feed(chunk, n);
        k += n;
      }
      expect(fed.references).toBe(pages.length);
      expect(fed.distinct).toBe(reference.distinct);
      expect(Array.from(fed.histogram())).toEqual(Array.from(reference.histogram()));
      expect(fed.compactions).toBe(reference.compactions);
      expect(fed.compactions).toBeGreaterThan(0);
    }
  });

  it('rejects a count that is not an integer in [0, length]', () => {
    const lru = new ExactLru();
    const chunk = new Uint32Array(4);
    expect(() => lru.feed(chunk, 5)).toThrow(InvalidOptionError);
    expect(() => lru.feed(chunk, -1)).toThrow(InvalidOptionError);
    expect(() => lru.feed(chunk, 1.5)).toThrow(/\[0, 4\]/);
    lru.feed(chunk, 0);
    expect(lru.references).toBe(0);
  });
});

describe('ExactLru.repeatLastPass', () => {
  it('equals feeding the same pass again, in any order', () => {
    const orders = [
      [5, 6, 7, 8],
      [8, 6, 5, 7],
    ];
    for (const pass of orders) {
      const a = new ExactLru();
      const b = new ExactLru();
      for (const p of [1, 2, 3, 5, 9, 1]) {
        a.access(p);
        b.access(p);
      }
      a.accessAll(pass);
      b.accessAll(pass);
      for (let k = 0; k < 3; k++) a.accessAll(pass);
      expect(b.repeatLastPass(pass.length, 3)).toBe(true);
      expect(b.references).toBe(a.references);
      expect(Array.from(b.histogram())).toEqual(Array.from(a.histogram()));
      // The LRU order is the same afterwards: a later reference sees the same distance.
      expect(b.access(2)).toBe(a.access(2));
      expect(b.access(7)).toBe(a.access(7));
    }
  });

  it('records nothing when the last n references were not distinct pages', () => {
    const e = new ExactLru();
    e.accessAll([1, 2, 3, 2]);
    expect(e.repeatLastPass(3, 5)).toBe(false); // 3, 2 … with 2 twice among the last 3
    expect(e.repeatLastPass(5, 5)).toBe(false); // more than the distinct pages
    expect(e.references).toBe(4);
    expect(e.repeatLastPass(2, 1)).toBe(true); // 3, 2
    expect(e.references).toBe(6);
    expect(() => e.repeatLastPass(0, 1)).toThrow(/n/);
    expect(() => e.repeatLastPass(2, -1)).toThrow(/passes/);
    expect(e.repeatLastPass(2, 0)).toBe(true);
  });

  it('records nothing across a compaction of the time marks', () => {
    const e = new ExactLru({ initialTimeCapacity: 16 });
    for (let i = 0; e.compactions === 0; i++) e.access(i % 5);
    expect(e.compactions).toBeGreaterThan(0);
    expect(e.repeatLastPass(5, 1)).toBe(false);
    e.accessAll([0, 1, 2, 3, 4]);
    expect(e.repeatLastPass(5, 1)).toBe(true);
  });
});
