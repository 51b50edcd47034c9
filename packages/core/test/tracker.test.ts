import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CvhrcTracker,
  DEFAULT_GROUP_SIZE,
  DEFAULT_SCAN_LIST_SIZE,
  InvalidOptionError,
  InvalidPageError,
  TrackerStateError,
} from '@cvhrc/core';
import { NaiveTracker, RecordingPort } from './helpers/naive.js';

type Op =
  | { kind: 'ref'; id: number }
  | { kind: 'scan' }
  | { kind: 'remove'; id: number }
  | { kind: 'reset' }
  | { kind: 'sweep'; from: number; pages: number; mod?: number };

/**
 * Drives a tracker as a host would: unseen → first touch, protected → fake fault, else a
 * reference bit. With `unported`, a fake fault goes through fakeFaultUnported and the driver
 * makes its two port calls, as a host flipping its own bits does.
 */
function drive(
  tracker: Pick<CvhrcTracker, 'firstTouch' | 'fakeFault' | 'scan' | 'remove'> &
    Partial<Pick<CvhrcTracker, 'fakeFaultUnported'>>,
  port: RecordingPort,
  seen: Set<number>,
  op: Op,
  unported = false,
): void {
  switch (op.kind) {
    case 'ref':
      if (!seen.has(op.id)) {
        seen.add(op.id);
        tracker.firstTouch(op.id);
      } else if (port.protectedIds.has(op.id)) {
        if (unported) {
          const fallen = tracker.fakeFaultUnported!(op.id);
          if (fallen >= 0) {
            port.unprotect(op.id);
            port.protect(fallen);
          }
        } else tracker.fakeFault(op.id);
      } else {
        port.referenced.add(op.id);
      }
      break;
    case 'scan':
      tracker.scan();
      break;
    case 'remove':
      if (seen.delete(op.id)) {
        port.referenced.delete(op.id);
        port.protectedIds.delete(op.id);
        expect(tracker.remove(op.id)).toBe(true);
      } else {
        expect(tracker.remove(op.id)).toBe(false);
      }
      break;
    case 'reset':
      break;
    case 'sweep':
      // References to `pages` consecutive ids (mod 25 unless said) in order: once the loop is
      // longer than the scan list, each fake-faults the LRU end of the protected part.
      for (let i = 0; i < op.pages; i++) {
        drive(tracker, port, seen, { kind: 'ref', id: (op.from + i) % (op.mod ?? 25) }, unported);
      }
      break;
  }
}

/** Two trackers driven alike end alike: the same list, port calls, counters and hits. */
function expectSameTrackers(
  a: CvhrcTracker,
  aPort: RecordingPort,
  b: CvhrcTracker,
  bPort: RecordingPort,
): void {
  expect(Array.from(a.entities())).toEqual(Array.from(b.entities()));
  expect(aPort.log).toEqual(bPort.log);
  expect(a.counters).toEqual(b.counters);
  const sa = a.snapshot();
  const sb = b.snapshot();
  const groups = Math.max(sa.groups, sb.groups);
  expect(Array.from({ length: groups }, (_, g) => sa.hitsIn(g))).toEqual(
    Array.from({ length: groups }, (_, g) => sb.hitsIn(g)),
  );
}

/** The tracker and the naive list side by side, each driven by the same ops through its own port. */
function twin(scanListSize: number, groupSize: number, initialCapacity?: number) {
  const port = new RecordingPort();
  const naivePort = new RecordingPort();
  const fast = new CvhrcTracker(port, {
    scanListSize,
    groupSize,
    ...(initialCapacity !== undefined ? { initialCapacity } : {}),
  });
  const naive = new NaiveTracker(naivePort, scanListSize, groupSize);
  const seen = new Set<number>();
  const seenNaive = new Set<number>();
  return {
    fast,
    naive,
    port,
    naivePort,
    apply(op: Op): void {
      drive(fast, port, seen, op);
      drive(naive, naivePort, seenNaive, op);
    },
    /** The tracker and the naive list agree: the same order, port calls and hits. */
    expectSameAsNaive(): void {
      expect(Array.from(fast.entities())).toEqual(naive.list);
      expect(port.log).toEqual(naivePort.log);
      const [hits, naiveHits] = this.hits();
      expect(hits).toEqual(naiveHits);
    },
    /** The hit counts of every group, tracker and naive list. */
    hits(): [number[], number[]] {
      const snap = fast.snapshot();
      return [
        Array.from({ length: snap.groups }, (_, g) => snap.hitsIn(g)),
        Array.from({ length: snap.groups }, (_, g) => naive.hits[g] ?? 0),
      ];
    },
  };
}

describe('CvhrcTracker against the naive list (property)', () => {
  const universe = fc.integer({ min: 0, max: 30 }).map((k) => (k < 25 ? k : 2 ** 40 + k));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 12, arbitrary: universe.map((id) => ({ kind: 'ref' as const, id })) },
    { weight: 3, arbitrary: fc.constant({ kind: 'scan' as const }) },
    { weight: 2, arbitrary: universe.map((id) => ({ kind: 'remove' as const, id })) },
    {
      weight: 2,
      arbitrary: fc
        .record({ from: fc.integer({ min: 0, max: 24 }), pages: fc.integer({ min: 1, max: 40 }) })
        .map((r) => ({ kind: 'sweep' as const, ...r })),
    },
  );
  const settings = fc.record({
    scanListSize: fc.integer({ min: 1, max: 8 }),
    groupSize: fc.integer({ min: 1, max: 5 }),
    initialCapacity: fc.integer({ min: 1, max: 6 }),
  });

  it('counts the same hits per group, calls the port the same way and keeps the same order', () => {
    fc.assert(
      fc.property(settings, fc.array(op, { maxLength: 300 }), (s, ops) => {
        const fastPort = new RecordingPort();
        const naivePort = new RecordingPort();
        const fast = new CvhrcTracker(fastPort, s);
        const naive = new NaiveTracker(naivePort, s.scanListSize, s.groupSize);
        const seenFast = new Set<number>();
        const seenNaive = new Set<number>();
        for (const o of ops) {
          drive(fast, fastPort, seenFast, o);
          drive(naive, naivePort, seenNaive, o);
          fast.checkInvariants();
        }
        expect(Array.from(fast.entities())).toEqual(naive.list);
        expect(fastPort.log).toEqual(naivePort.log);
        expect([...fastPort.protectedIds].sort()).toEqual([...naivePort.protectedIds].sort());
        const snap = fast.snapshot();
        const hits = Array.from({ length: Math.max(snap.groups, naive.hits.length) }, (_, g) =>
          snap.hitsIn(g),
        );
        const naiveHits = hits.map((_, g) => naive.hits[g] ?? 0);
        expect(hits).toEqual(naiveHits);
        expect(snap.misses).toBe(naive.misses);
        const { compactions: _c, ...counters } = fast.counters;
        expect(counters).toEqual(naive.counters);
        expect(fast.size).toBe(naive.list.length);
        expect(fast.scanListLength).toBe(Math.min(naive.list.length, s.scanListSize));
        for (const id of naive.list) {
          expect(fast.has(id)).toBe(true);
          expect(fast.isProtected(id)).toBe(naive.isProtected(id));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('fakeFaultUnported with the host’s own port calls leaves all as fakeFault does', () => {
    let direct = 0;
    let general = 0;
    fc.assert(
      fc.property(settings, fc.array(op, { maxLength: 300 }), (s, ops) => {
        const onePort = new RecordingPort();
        const hostPort = new RecordingPort();
        const one = new CvhrcTracker(onePort, s);
        const host = new CvhrcTracker(hostPort, s);
        const seenOne = new Set<number>();
        const seenHost = new Set<number>();
        const counting: Pick<CvhrcTracker, 'fakeFaultUnported'> = {
          fakeFaultUnported(id: number): number {
            const fallen = host.fakeFaultUnported(id);
            if (fallen >= 0) direct++;
            else general++;
            return fallen;
          },
        };
        const driven = {
          firstTouch: (id: number) => host.firstTouch(id),
          fakeFault: (id: number) => host.fakeFault(id),
          scan: () => host.scan(),
          remove: (id: number) => host.remove(id),
          ...counting,
        };
        for (const o of ops) {
          drive(one, onePort, seenOne, o);
          drive(driven, hostPort, seenHost, o, true);
          host.checkInvariants();
        }
        expectSameTrackers(host, hostPort, one, onePort);
      }),
      { numRuns: 300 },
    );
    // Both paths were taken: the direct one (the host's calls) and the general one (ids of
    // 2^40 and up put the nodes in the hash table, where the tracker calls the port itself).
    expect(direct).toBeGreaterThan(100);
    expect(general).toBeGreaterThan(100);
  });

  it('gives the LRU end’s groups on cyclic sweeps longer than the scan list, with removals', () => {
    const t = twin(4, 2, 2);
    for (let round = 0; round < 60; round++) {
      t.apply({ kind: 'sweep', from: round % 3, pages: 11 + (round % 5) });
      t.fast.checkInvariants();
      if (round % 7 === 6) {
        t.apply({ kind: 'remove', id: (round * 5) % 15 });
        t.fast.checkInvariants();
      }
      if (round % 4 === 3) t.apply({ kind: 'scan' });
    }
    expect(t.fast.counters.fakeFaults).toBeGreaterThan(500);
    expect(t.fast.counters.compactions).toBeGreaterThan(5);
    t.expectSameAsNaive();
  });

  it('keeps positions right around dead marks: cold entities below, removals, a lowered top', () => {
    const t = twin(2, 1);
    const ops: Op[] = [
      ...[1, 2, 3, 4].map((id) => ({ kind: 'ref' as const, id })),
      { kind: 'ref', id: 2 }, // fake fault above the cold entity 1: its mark goes dead
      { kind: 'remove', id: 3 }, // the next one above the dead mark: dead too
      { kind: 'remove', id: 4 }, // a scan-list entity: the cold 1 comes in, the top drops
      ...[5, 1, 6, 2, 7, 5, 1, 8, 6, 2].map((id) => ({ kind: 'ref' as const, id })),
      { kind: 'remove', id: 7 },
      { kind: 'sweep', from: 1, pages: 8 },
    ];
    for (const o of ops) {
      t.apply(o);
      t.fast.checkInvariants();
      expect(Array.from(t.fast.entities())).toEqual(t.naive.list);
    }
    expect(t.port.log).toEqual(t.naivePort.log);
    const [hits, naiveHits] = t.hits();
    expect(hits).toEqual(naiveHits);
  });

  it('survives many compactions and growths on long runs', () => {
    const port = new RecordingPort();
    const naivePort = new RecordingPort();
    const fast = new CvhrcTracker(port, { scanListSize: 5, groupSize: 3, initialCapacity: 1 });
    const naive = new NaiveTracker(naivePort, 5, 3);
    const seen = new Set<number>();
    const seenNaive = new Set<number>();
    let x = 1;
    for (let i = 0; i < 20000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const r = x % 100;
      const id = (x >>> 8) % 200;
      const o: Op =
        r < 85 ? { kind: 'ref', id } : r < 95 ? { kind: 'scan' } : { kind: 'remove', id };
      drive(fast, port, seen, o);
      drive(naive, naivePort, seenNaive, o);
    }
    fast.checkInvariants();
    expect(fast.counters.compactions).toBeGreaterThan(10);
    expect(Array.from(fast.entities())).toEqual(naive.list);
    expect(port.log).toEqual(naivePort.log);
  });
});

/**
 * `drive`, except that after each fake fault of a sweep the following references of the sweep
 * go through planSweep and commitSweep (the first `take(planned)` of those planned), the test
 * doing the port calls the tracker leaves to its host.
 */
function driveBatched(
  tracker: CvhrcTracker,
  port: RecordingPort,
  seen: Set<number>,
  op: Op,
  take: (planned: number) => number,
): void {
  if (op.kind !== 'sweep') {
    drive(tracker, port, seen, op);
    return;
  }
  const ids = Array.from({ length: op.pages }, (_, i) => (op.from + i) % (op.mod ?? 25));
  const fallen = new Float64Array(64);
  for (let i = 0; i < ids.length; ) {
    const id = ids[i++]!;
    const fake = seen.has(id) && port.protectedIds.has(id);
    drive(tracker, port, seen, { kind: 'ref', id });
    if (!fake) continue;
    const rest = ids.slice(i);
    const planned = tracker.planSweep(rest, rest.length, fallen);
    if (planned === 0) continue;
    const k = take(planned);
    tracker.commitSweep(rest, k);
    for (let j = 0; j < k; j++) {
      port.unprotect(rest[j]!);
      port.protect(fallen[j]!);
    }
    i += k;
  }
}

describe('CvhrcTracker runs of sweep faults (planSweep, commitSweep)', () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.integer({ min: 0, max: 30 }).map((id) => ({ kind: 'ref' as const, id })),
    },
    { weight: 2, arbitrary: fc.constant({ kind: 'scan' as const }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0, max: 30 }).map((id) => ({ kind: 'remove' as const, id })),
    },
    {
      weight: 5,
      arbitrary: fc
        .record({ from: fc.integer({ min: 0, max: 24 }), pages: fc.integer({ min: 1, max: 80 }) })
        .map((r) => ({ kind: 'sweep' as const, ...r })),
    },
  );
  const settings = fc.record({
    scanListSize: fc.integer({ min: 1, max: 8 }),
    groupSize: fc.integer({ min: 1, max: 5 }),
    initialCapacity: fc.integer({ min: 1, max: 6 }),
  });

  it('leave the tracker, the hits, the counters and the port as fakeFault one at a time does', () => {
    fc.assert(
      fc.property(settings, fc.array(op, { maxLength: 120 }), fc.nat(), (s, ops, seed) => {
        const onePort = new RecordingPort();
        const runPort = new RecordingPort();
        const one = new CvhrcTracker(onePort, s);
        const run = new CvhrcTracker(runPort, s);
        const seenOne = new Set<number>();
        const seenRun = new Set<number>();
        let x = seed;
        let batched = 0;
        const take = (planned: number): number => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const k = x % 3 === 0 ? x % (planned + 1) : planned; // often all, sometimes fewer
          batched += k;
          return k;
        };
        for (const o of ops) {
          drive(one, onePort, seenOne, o);
          driveBatched(run, runPort, seenRun, o, take);
          run.checkInvariants();
        }
        expectSameTrackers(run, runPort, one, onePort);
        return batched >= 0;
      }),
      { numRuns: 300 },
    );
  });

  it('takes long runs of a cyclic sweep, and refuses what is not the sweep’s next entity', () => {
    const port = new RecordingPort();
    const t = new CvhrcTracker(port, { scanListSize: 4, groupSize: 2 });
    const seen = new Set<number>();
    let batched = 0;
    for (let round = 0; round < 20; round++) {
      driveBatched(t, port, seen, { kind: 'sweep', from: 0, pages: 25 }, (planned) => {
        batched += planned;
        return planned;
      });
    }
    t.checkInvariants();
    // Each pass: one fault through fakeFault, the rest of its 21 sweep faults in a run, in
    // runs of at most the scan list's 4.
    expect(batched).toBeGreaterThan(200);
    const fallen = new Float64Array(8);
    // The last pass ended at 24: 21–24 are the scan list, 0 is the sweep's next entity.
    expect(t.planSweep([24], 1, fallen)).toBe(0);
    expect(t.planSweep([0, 2], 2, fallen)).toBe(1); // 2 is not next after 0
    expect(t.planSweep([0, 1, 2], 3, fallen)).toBe(3);
    expect(Array.from(fallen.subarray(0, 3))).toEqual([21, 22, 23]);
    // A refused commit changes nothing: the list, the counters and the marks stay as they were.
    const before = Array.from(t.entities());
    const counted = { ...t.counters };
    expect(() => t.commitSweep([2], 1)).toThrow(TrackerStateError);
    expect(Array.from(t.entities())).toEqual(before);
    expect(t.counters).toEqual(counted);
    t.checkInvariants();
    // A commit takes no more than the plan holds, once, and only of an unchanged tracker.
    expect(t.planSweep([0, 1, 2], 3, fallen)).toBe(3);
    expect(() => t.commitSweep([0, 1, 2, 3], 4)).toThrow(InvalidOptionError);
    expect(t.planSweep([0, 1, 2], 3, fallen)).toBe(3);
    t.scan();
    expect(() => t.commitSweep([0, 1, 2], 3)).toThrow(TrackerStateError);
    expect(t.planSweep([0, 1, 2], 3, fallen)).toBe(3);
    t.commitSweep([0, 1], 2);
    expect(() => t.commitSweep([2], 1)).toThrow(InvalidOptionError);
    t.checkInvariants();
    expect(Array.from(t.entities().subarray(0, 4))).toEqual([1, 0, 24, 23]);
  });

  it('follows a sweep that skips the open interval’s next entity, once 64 faults show it', () => {
    const t = twin(4, 2);
    const fallen = new Float64Array(4);
    const ref = (from: number, to: number): void => {
      for (let id = from; id < to; id++) {
        t.apply({ kind: 'ref', id });
        if (id % 16 === 0) t.fast.checkInvariants();
      }
    };
    ref(0, 300); // 0…295 protected in order, 296…299 the scan list
    ref(0, 50); // a sweep: 0…49's marks go dead, 50 is its next entity
    expect(t.fast.planSweep([50], 1, fallen)).toBe(1);
    // A second sweep from 51 leaves 50 behind: its faults are cleared one by one until 64 in
    // a row show a sweep the interval does not follow; the interval then closes, the next
    // fault opens one at its own place, and the sweep's next entity can be taken in a run.
    ref(51, 51 + 63);
    expect(t.fast.planSweep([51 + 63], 1, fallen)).toBe(0);
    ref(51 + 63, 51 + 66);
    expect(t.fast.planSweep([51 + 66, 51 + 67], 2, fallen)).toBe(2);
    ref(51 + 66, 250);
    t.apply({ kind: 'ref', id: 50 }); // the entity left behind, now below the interval
    ref(250, 296);
    t.fast.checkInvariants();
    t.expectSameAsNaive();
  });

  it('match the naive list on long passes that skip entities (intervals left and reopened)', () => {
    const pass = fc.record({
      from: fc.integer({ min: 0, max: 199 }),
      len: fc.integer({ min: 60, max: 260 }),
      skip: fc.integer({ min: 0, max: 9 }),
      scans: fc.boolean(),
      remove: fc.integer({ min: 0, max: 199 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(pass, { minLength: 1, maxLength: 10 }),
        (scanListSize, groupSize, passes) => {
          const t = twin(scanListSize, groupSize);
          for (const p of passes) {
            // A pass over ids from…from + len − 1 (mod 200) that leaves out one id in ten.
            for (let i = 0; i < p.len; i++) {
              if (p.skip > 0 && i % 10 === p.skip) continue;
              t.apply({ kind: 'ref', id: (p.from + i) % 200 });
              if (p.scans && i % 37 === 36) t.apply({ kind: 'scan' });
            }
            t.apply({ kind: 'remove', id: p.remove });
            t.fast.checkInvariants();
          }
          t.expectSameAsNaive();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('CvhrcTracker node lookup: direct array and hash table', () => {
  /** Runs the same pseudo-random ops on the tracker and the naive list; returns the tracker. */
  function runBoth(ids: (x: number, step: number) => number, steps: number): CvhrcTracker {
    const port = new RecordingPort();
    const naivePort = new RecordingPort();
    const fast = new CvhrcTracker(port, { scanListSize: 7, groupSize: 4, initialCapacity: 1 });
    const naive = new NaiveTracker(naivePort, 7, 4);
    const seen = new Set<number>();
    const seenNaive = new Set<number>();
    let x = 7;
    for (let i = 0; i < steps; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const r = x % 100;
      const id = ids(x >>> 8, i);
      const o: Op =
        i === 0 || r < 88
          ? { kind: 'ref', id }
          : r < 96
            ? { kind: 'scan' }
            : { kind: 'remove', id };
      drive(fast, port, seen, o);
      drive(naive, naivePort, seenNaive, o);
      if (i % 997 === 0) fast.checkInvariants();
    }
    fast.checkInvariants();
    expect(Array.from(fast.entities())).toEqual(naive.list);
    expect(port.log).toEqual(naivePort.log);
    const { compactions: _c, ...counters } = fast.counters;
    expect(counters).toEqual(naive.counters);
    return fast;
  }
  const lookup = (t: CvhrcTracker): string =>
    t.spaceReport().parts.find((p) => p.name.startsWith('nodes'))!.name;

  it('moves to the hash table on a sparse id and back to the direct array once capacity covers the ids', () => {
    // An id of 1000 first (too far for a small capacity), then 400 small ids: the capacity
    // grows past 1000 / 4 and the nodes move back to a direct array.
    const t = runBoth((r, i) => (i === 0 || r % 500 === 0 ? 1000 : r % 400), 30_000);
    expect(lookup(t)).toContain('link by entity id');
    expect(t.spaceReport().bytesPerNode).toBeLessThanOrEqual(40);
  });

  it('stays in the hash table for sparse ids, with the same behaviour', () => {
    const t = runBoth((r) => 2 ** 40 + (r % 300) * 2 ** 20, 20_000);
    expect(lookup(t)).toContain('hash table');
  });
});

describe('CvhrcTracker events', () => {
  it('protects what falls out of the scan list and fake-faults it back', () => {
    const port = new RecordingPort();
    const t = new CvhrcTracker(port, { scanListSize: 2, groupSize: 1 });
    t.firstTouch(10);
    t.firstTouch(11);
    expect(port.log).toEqual([]);
    t.firstTouch(12); // list 12 11 | 10
    expect(port.log).toEqual(['protect 10']);
    expect(t.isProtected(10)).toBe(true);
    t.fakeFault(10); // hit at position 2; list 10 12 | 11
    expect(port.log).toEqual(['protect 10', 'unprotect 10', 'protect 11']);
    expect(Array.from(t.entities())).toEqual([10, 12, 11]);
    expect(t.snapshot().hitsIn(2)).toBe(1);
    expect(t.counters.fakeFaults).toBe(1);
    expect(() => t.fakeFault(12)).toThrow(TrackerStateError);
    expect(() => t.fakeFault(99)).toThrow(TrackerStateError);
    expect(() => t.firstTouch(12)).toThrow(TrackerStateError);
    expect(() => t.firstTouch(-3)).toThrow(InvalidPageError);
  });

  it('scans from the LRU end of the scan list, counting hits at current positions', () => {
    const port = new RecordingPort();
    const t = new CvhrcTracker(port, { scanListSize: 4, groupSize: 1 });
    for (const id of [1, 2, 3, 4]) t.firstTouch(id); // 4 3 2 1
    port.referenced.add(1);
    port.referenced.add(3);
    t.scan();
    // 1 at position 3 moves first (hit at 3): 1 4 3 2; then 3 at 1 + 1 moved = 2: 3 1 4 2.
    expect(Array.from(t.entities())).toEqual([3, 1, 4, 2]);
    expect(t.snapshot().hitsPerGroup().slice(0, 4)).toEqual(new Float64Array([0, 0, 1, 1]));
    expect(port.log).toEqual(['ref 1', 'ref 3']);
    expect(t.counters.entitiesScanned).toBe(4);
    expect(t.counters.referencesFound).toBe(2);
    expect(t.counters.listMoves).toBe(2);
    // The MRU entity, referenced again, counts at position 0 and stays.
    port.referenced.add(3);
    t.scan();
    expect(t.snapshot().hitsIn(0)).toBe(1);
    expect(t.counters.listMoves).toBe(2);
  });

  it('tells a port with testSoon of the entities the scan will test, 8 ahead, in order', () => {
    // A port that logs every test and every hint; about half the entities are referenced,
    // so that the scan moves some to the MRU end while the look-ahead runs ahead of it.
    class HintedPort extends RecordingPort {
      readonly tested: number[] = [];
      readonly hinted: number[] = [];
      override testAndClearReferenced(id: number): boolean {
        this.tested.push(id);
        return super.testAndClearReferenced(id);
      }
      testSoon(id: number): number {
        this.hinted.push(id);
        return id;
      }
    }
    for (const size of [1, 8, 9, 40]) {
      const port = new HintedPort();
      const t = new CvhrcTracker(port, { scanListSize: size, groupSize: 4 });
      for (let id = 0; id < size + 5; id++) t.firstTouch(id);
      for (let pass = 0; pass < 3; pass++) {
        for (let id = 0; id < size + 5; id++)
          if ((id * 7 + pass) % 3 !== 0) port.referenced.add(id);
        port.tested.length = 0;
        port.hinted.length = 0;
        t.scan();
        expect(port.tested).toHaveLength(size);
        // Each entity the scan tests from the ninth on was named 8 tests before.
        expect(port.hinted).toEqual(port.tested.slice(8));
      }
    }
  });

  it('lets the first protected entity into the scan list when a scan-list entity leaves', () => {
    const port = new RecordingPort();
    const t = new CvhrcTracker(port, { scanListSize: 2 });
    for (const id of [1, 2, 3, 4]) t.firstTouch(id); // 4 3 | 2 1
    port.log.length = 0;
    expect(t.remove(3)).toBe(true); // 4 2 | 1
    expect(port.log).toEqual(['unprotect 2']);
    expect(Array.from(t.entities())).toEqual([4, 2, 1]);
    expect(t.isProtected(2)).toBe(false);
    expect(t.remove(1)).toBe(true); // a protected entity leaves: nothing else happens
    expect(port.log).toEqual(['unprotect 2']);
    expect(t.remove(1)).toBe(false);
    expect(t.remove(-1)).toBe(false);
    expect(Array.from(t.entities())).toEqual([4, 2]);
    expect(t.counters.removes).toBe(2);
    t.checkInvariants();
  });

  it('keeps windows: reset, and snapshot differences', () => {
    const port = new RecordingPort();
    const t = new CvhrcTracker(port, { scanListSize: 2, groupSize: 1 });
    for (const id of [1, 2, 3]) t.firstTouch(id); // 3 2 | 1
    const first = t.snapshot();
    expect(first.misses).toBe(3);
    expect(first.hits).toBe(0);
    t.fakeFault(1); // hit at 2
    port.referenced.add(3);
    t.scan(); // 3 at position 1
    const second = t.snapshot();
    const window = second.minus(first);
    expect(window.misses).toBe(0);
    expect(window.hits).toBe(2);
    expect(window.hitsIn(1)).toBe(1);
    expect(window.hitsIn(2)).toBe(1);
    expect(window.curve().at(2)).toBe(0.5);
    expect(window.curve().at(3)).toBe(1);
    expect(() => first.minus(second)).toThrow(InvalidOptionError);
    t.resetWindow();
    expect(t.snapshot().accesses).toBe(0);
    expect(t.curve().at(1000)).toBe(0);
    expect(t.size).toBe(3); // the list is kept
    t.resetCounters();
    expect(t.counters.fakeFaults).toBe(0);
  });

  it('rejects bad options', () => {
    const port = new RecordingPort();
    expect(() => new CvhrcTracker(port, { scanListSize: 0 })).toThrow(InvalidOptionError);
    expect(() => new CvhrcTracker(port, { groupSize: 1.5 })).toThrow(InvalidOptionError);
    expect(() => new CvhrcTracker(port, { initialCapacity: -1 })).toThrow(InvalidOptionError);
  });
});

describe('CvhrcTracker scan-list layout (host speed only)', () => {
  /** The slot numbers of the scan list, from its tail toward its head (private fields). */
  function slotsFromTail(t: CvhrcTracker): number[] {
    const inner = t as unknown as { sLink: Int32Array; sTail: number };
    const out: number[] = [];
    for (let s = inner.sTail; s >= 0 && out.length <= 1 << 16; s = inner.sLink[4 * s]!) out.push(s);
    return out;
  }
  /** Whether each step from the tail goes to the next slot, wrapping once at most. */
  function inOrder(slots: number[]): boolean {
    let wraps = 0;
    for (let i = 1; i < slots.length; i++) {
      if (slots[i] !== slots[i - 1]! + 1 && ++wraps > 1) return false;
    }
    return true;
  }
  const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  /**
   * A tracker that takes its sweeps in runs (planSweep, commitSweep), beside the naive list
   * driven one fault at a time. Ids are `id(i)`.
   */
  function runTwin(scanListSize: number, id: (i: number) => number) {
    const t = twin(scanListSize, 4);
    const seenFast = new Set<number>();
    const seenNaive = new Set<number>();
    const apply = (op: Op): void => {
      driveBatched(t.fast, t.port, seenFast, op, (planned) => planned);
      drive(t.naive, t.naivePort, seenNaive, op);
    };
    return {
      t,
      ref: (i: number) => apply({ kind: 'ref', id: id(i) }),
      remove: (i: number) => apply({ kind: 'remove', id: id(i) }),
      scan: () => apply({ kind: 'scan' }),
      /** A loop over ids id(from)…id(from + pages − 1), taken in runs. */
      sweep(from: number, pages: number): void {
        if (id(1) !== 1) {
          for (let i = from; i < from + pages; i++) apply({ kind: 'ref', id: id(i) });
        } else apply({ kind: 'sweep', from, pages, mod: 1 << 20 });
      },
    };
  }
  const ids = {
    direct: (i: number) => i,
    hashed: (i: number) => i * 1_000_003 + 7, // sparse: the hash table
  };

  for (const [mode, id] of Object.entries(ids)) {
    it(`lays the records out again after a scan that strews them, behind runs (${mode} ids)`, () => {
      const r = runTwin(64, id);
      const { t } = r;
      r.sweep(0, 200); // first touches: a full list rotates
      const direct = (t.fast as unknown as { dlink: Int32Array | null }).dlink !== null;
      expect(direct).toBe(mode === 'direct');
      r.sweep(0, 200); // fake faults, in runs when the ids are direct
      expect(inOrder(slotsFromTail(t.fast))).toBe(true);
      // Every third entity of the scan list referenced: the scan moves them ahead of the
      // others, which changes the list's cyclic order; relaid after runs of sweep faults.
      for (let i = 136; i < 200; i += 3) r.ref(i);
      r.scan();
      t.fast.checkInvariants();
      t.expectSameAsNaive();
      if (direct) expect(slotsFromTail(t.fast)).toEqual(upTo(64));
      else expect(inOrder(slotsFromTail(t.fast))).toBe(false); // no runs, no relaying
      // Removals and first touches into the freed slots strew the records; a scan that finds
      // them strewn lays them out again, though it moves nothing, after runs of faults.
      for (let i = 140; i < 200; i += 2) r.remove(i);
      for (let i = 40; i < 100; i += 2) r.remove(i);
      for (let i = 300; i < 330; i++) r.ref(i);
      r.sweep(0, 40);
      expect(inOrder(slotsFromTail(t.fast))).toBe(false);
      r.scan();
      t.fast.checkInvariants();
      expect(inOrder(slotsFromTail(t.fast))).toBe(direct);
      // The tracker goes on as the naive list does: faults, sweeps, scans, removals.
      for (let i = 0; i < 140; i += 5) r.ref(i);
      r.scan();
      for (let i = 0; i < 330; i += 7) r.remove(i);
      r.sweep(0, 330);
      r.scan();
      r.sweep(0, 330);
      t.fast.checkInvariants();
      t.expectSameAsNaive();
    });
  }

  it('leaves the records where they are when a scan keeps the cyclic order', () => {
    const r = runTwin(32, ids.direct);
    r.sweep(0, 100);
    r.sweep(0, 100);
    r.sweep(0, 10); // rotated: the tail is not slot 0
    const before = slotsFromTail(r.t.fast);
    expect(before[0]).not.toBe(0);
    expect(inOrder(before)).toBe(true);
    // The tail half referenced: moved to the head in order, a rotation.
    for (let i = 78; i < 94; i++) r.ref(i);
    r.scan();
    const after = slotsFromTail(r.t.fast);
    expect(after).not.toEqual(upTo(32)); // not relaid
    expect(inOrder(after)).toBe(true);
    r.t.expectSameAsNaive();
  });

  it('leaves them strewn for a host that fakes faults one at a time (the trace host)', () => {
    const t = twin(64, 4);
    for (let i = 0; i < 200; i++) t.apply({ kind: 'ref', id: i });
    for (let i = 0; i < 200; i++) t.apply({ kind: 'ref', id: i });
    for (let i = 136; i < 200; i += 3) t.apply({ kind: 'ref', id: i });
    t.apply({ kind: 'scan' });
    expect(inOrder(slotsFromTail(t.fast))).toBe(false);
    t.fast.checkInvariants();
    t.expectSameAsNaive();
  });
});

describe('CvhrcTracker space report', () => {
  it('stays within the paper’s Table 2 with default settings (169 KB static, 40 B per node)', () => {
    expect(DEFAULT_SCAN_LIST_SIZE).toBe(8192);
    expect(DEFAULT_GROUP_SIZE).toBe(256);
    const t = new CvhrcTracker(new RecordingPort());
    const r = t.spaceReport();
    expect(r.staticBytes).toBeLessThanOrEqual(169 * 1024);
    expect(r.bytesPerNode).toBeLessThanOrEqual(40);
    expect(r.nodeCapacity).toBeGreaterThanOrEqual(8192);
    expect(r.totalBytes).toBe(r.staticBytes + r.nodeBytes);
    expect(r.parts.reduce((s, p) => s + p.bytes, 0)).toBe(r.totalBytes);
  });

  it('grows per node and keeps the same bytes per node', () => {
    const t = new CvhrcTracker(new RecordingPort(), { initialCapacity: 16 });
    const before = t.spaceReport();
    for (let i = 0; i < 100_000; i++) t.firstTouch(i);
    const after = t.spaceReport();
    expect(after.nodes).toBe(100_000);
    expect(after.nodeCapacity).toBeGreaterThanOrEqual(100_000);
    expect(after.bytesPerNode).toBeLessThanOrEqual(40);
    expect(after.nodeBytes).toBeGreaterThan(before.nodeBytes);
    expect(after.staticBytes).toBeLessThanOrEqual(169 * 1024);
  });
});
