import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  InvalidPageError,
  TraceHost,
  TrackerStateError,
  ZipfSampler,
  createRng,
  type TraceHostOptions,
} from '@cvhrc/core';
import { ParallelTraceHost } from '@cvhrc/core/parallel';
import { ProtectedOrder } from '../src/internal/protected-order.js';
import { WorkerChannel } from '../src/internal/worker-channel.js';

const open: ParallelTraceHost[] = [];
afterEach(() => {
  for (const host of open.splice(0)) host.close();
});

function parallel(options: ConstructorParameters<typeof ParallelTraceHost>[0]): ParallelTraceHost {
  const host = new ParallelTraceHost(options);
  open.push(host);
  return host;
}

/** Everything a TraceHost reports, less the count of compactions. */
function report(host: TraceHost | ParallelTraceHost) {
  const snap = host.snapshot();
  const { compactions: _c, ...counters } =
    host instanceof TraceHost ? { ...host.tracker.counters } : host.counters();
  return {
    references: host.references,
    distinct: host.distinct,
    hits: Array.from(snap.hitsPerGroup()),
    misses: snap.misses,
    curve: snap.curve().toJSON(),
    counters,
  };
}

/** Feeds both hosts the same pages in the same chunks; compares after each chunk. */
function feedBoth(
  a: TraceHost,
  b: ParallelTraceHost,
  pages: readonly number[],
  chunks: readonly number[],
): void {
  let k = 0;
  for (let i = 0; k < pages.length; i++) {
    const n = Math.min(pages.length - k, Math.max(1, chunks[i % chunks.length]!));
    const part = Float64Array.from(pages.slice(k, k + n));
    if (i % 3 === 2) {
      for (const p of part) {
        a.access(p);
        b.access(p);
      }
    } else {
      a.feed(part, n);
      b.feed(part, n);
    }
    k += n;
    if (i % 4 === 1) expect(report(b)).toEqual(report(a));
  }
  a.finish();
  b.finish();
  expect(report(b)).toEqual(report(a));
}

const idSets = [
  (x: number) => x, // dense
  (x: number) => x * 7919 + 2 ** 40, // sparse: the hash table from the start
  (x: number) => (x < 40 ? x : x * 104729 + 2 ** 26), // dense, then moves to the hash table
];

describe('ParallelTraceHost (both halves in this thread)', () => {
  it('gives TraceHost’s curve and counters on random traces, options and chunks', () => {
    fc.assert(
      fc.property(
        fc.record({
          scanListSize: fc.integer({ min: 1, max: 24 }),
          groupSize: fc.integer({ min: 1, max: 9 }),
          scanEvery: fc.integer({ min: 1, max: 40 }),
        }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 1500 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: idSets.length - 1 }),
        (options, universe, raw, chunks, ids) => {
          const pages = raw.map((x) => idSets[ids]!(x % universe));
          const a = new TraceHost(options);
          const b = parallel({ ...options, inThread: true, ringWords: 8192 });
          feedBoth(a, b, pages, chunks);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('matches on long Zipf traces that wrap the ring many times and renumber the times', () => {
    for (const [pagesN, alpha, options] of [
      [5000, 0.9, { scanListSize: 64, groupSize: 16, scanEvery: 50 }],
      [3000, 1.1, { scanListSize: 100, groupSize: 10, scanEvery: 128 }],
      [20_000, 0.7, {}],
    ] as [number, number, TraceHostOptions][]) {
      const zipf = new ZipfSampler(pagesN, alpha, createRng(3));
      const pages = Array.from({ length: 200_000 }, () => zipf.next());
      const a = new TraceHost(options);
      const b = parallel({ ...options, inThread: true, ringWords: 8192 });
      feedBoth(a, b, pages, [65_536, 1, 999]);
      const counters = b.counters();
      expect(counters.fakeFaults).toBeGreaterThan(10_000);
      expect(counters.compactions).toBeGreaterThan(0);
    }
  });

  it('refuses bad pages and options as TraceHost does, and use after close', () => {
    for (const bad of [{ scanEvery: 0 }, { groupSize: 1.5 }, { scanListSize: -1 }]) {
      expect(() => new TraceHost(bad)).toThrow(InvalidOptionError);
      expect(() => parallel({ ...bad, inThread: true })).toThrow(InvalidOptionError);
      expect(() => parallel(bad)).toThrow(InvalidOptionError);
    }
    expect(() => parallel({ inThread: true, ringWords: 5000 })).toThrow(/ringWords/);
    const b = parallel({ inThread: true });
    expect(() => b.access(-1)).toThrow(InvalidPageError);
    expect(() => b.feed([1, 2.5], 2)).toThrow(InvalidPageError);
    expect(() => b.feed([1], 2)).toThrow(InvalidOptionError);
    expect(b.references).toBe(1);
    b.close();
    expect(() => b.access(1)).toThrow(/after close/);
  });
});

describe('ProtectedOrder', () => {
  it('counts a fake fault at the scan list plus the entities protected after it', () => {
    const order = new ProtectedOrder(4, 2, 4);
    const ring = new Int32Array(64);
    // Protect 0..9 (first touches push them out in that order), then fault on 3: the
    // entities protected after it are 4..9 (six), so its position is 4 + 6 = 10, group 5.
    let w = 0;
    for (let e = 0; e < 10; e++) ring[w++] = -1 - e;
    ring[w++] = 3;
    ring[w++] = 10;
    // Then on 9: protected after it, only 10 (3 left): position 5, group 2.
    ring[w++] = 9;
    ring[w++] = 11;
    expect(order.consume(ring, 0, w)).toBe(w);
    expect(Array.from(order.hits.subarray(0, 6))).toEqual([0, 0, 1, 0, 0, 1]);
    expect(order.markerShifts).toBe(7);
    expect(order.size).toBe(10);
  });

  it('refuses a fault on an entity that is not protected', () => {
    const order = new ProtectedOrder(4, 2);
    const ring = Int32Array.from([-1 - 5, 6, 7, 0, 0, 0, 0, 0]);
    expect(() => order.consume(ring, 0, 3)).toThrow(TrackerStateError);
  });
});

describe('ParallelTraceHost (worker)', () => {
  it('gives TraceHost’s curve and counters with the protected part on a worker', () => {
    const zipf = new ZipfSampler(50_000, 1, createRng(11));
    const pages = Array.from({ length: 400_000 }, () => zipf.next());
    // The last: more groups than the first result buffer holds (a bigger one is sent).
    for (const options of [
      {},
      { scanListSize: 512, groupSize: 32, scanEvery: 300 },
      { scanListSize: 64, groupSize: 1, scanEvery: 100 },
    ]) {
      const a = new TraceHost(options);
      const b = parallel(options);
      feedBoth(a, b, pages, [100_000, 7, 4096]);
      expect(b.positionBytes()).toBeGreaterThan(0);
    }
  });

  it('passes on the worker’s error, naming the entity', () => {
    const channel = new WorkerChannel(4, 2, 8192);
    try {
      channel.ring.set([-1 - 5, 6, 7]);
      channel.flush(3);
      expect(() => channel.sync(3, 8)).toThrow(TrackerStateError);
      expect(() => channel.sync(3, 8)).toThrow(/entity 6: fake fault/);
    } finally {
      channel.close();
    }
  });
});
