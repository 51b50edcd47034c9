import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeMarks } from '../../src/internal/time-marks.js';

/** The obvious model: a sorted array of marked times and a top. */
class NaiveMarks {
  marks: number[] = [];
  top = -1;
  /** Marks below t (marks are kept sorted): a binary search. */
  below(t: number): number {
    let lo = 0;
    let hi = this.marks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.marks[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function checkAgainst(m: TimeMarks, naive: NaiveMarks, probes: readonly number[]): void {
  expect(m.live).toBe(naive.marks.length);
  expect(m.top).toBe(naive.top);
  for (const t of naive.marks) expect(m.below(t)).toBe(naive.below(t));
  for (const t of probes) if (t <= naive.top + 1) expect(m.below(t)).toBe(naive.below(t));
  if (naive.top >= 0) expect(m.highestAtOrBelow(naive.top)).toBe(naive.marks.at(-1) ?? -1);
}

describe('TimeMarks', () => {
  it('counts across every level (times past 2^19 and 2^20) and after a refill', () => {
    const cap = 3 << 20;
    const m = new TimeMarks(cap);
    const naive = new NaiveMarks();
    const alive: number[] = [];
    let seed = 1;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    // Mark every 7th time up to near the capacity, clearing old marks at random as we go.
    for (let t = 0; t < cap - 64; t += 7) {
      m.push(t);
      alive.push(t);
      if (rand(3) === 0 && alive.length > 1) {
        // Any mark but the newest.
        const i = rand(alive.length - 1);
        m.clear(alive[i]!);
        alive[i] = alive[alive.length - 2]!;
        alive[alive.length - 2] = alive[alive.length - 1]!;
        alive.pop();
      }
    }
    naive.marks = alive.sort((a, b) => a - b);
    naive.top = m.top;
    const sample = naive.marks.filter((_, i) => i % 97 === 0);
    for (const t of sample) expect(m.below(t)).toBe(naive.below(t));
    expect(m.live).toBe(naive.marks.length);
    expect(m.below(m.top + 1)).toBe(naive.marks.length);
    // Clears far below the top walk every level, including the a6 loop.
    for (const t of naive.marks.slice(0, 50)) m.clear(t);
    naive.marks = naive.marks.slice(50);
    for (const t of naive.marks.filter((_, i) => i % 101 === 0)) {
      expect(m.below(t)).toBe(naive.below(t));
    }
    m.fillFirst(600_000);
    expect(m.live).toBe(600_000);
    expect(m.top).toBe(599_999);
    for (const t of [0, 1, 31, 32, 255, 256, 2047, 2048, 16_384, 65_536, 524_288, 599_999]) {
      expect(m.below(t)).toBe(t);
    }
    m.push(700_000);
    m.clear(3);
    expect(m.below(700_000)).toBe(599_999);
    expect(m.below(524_288)).toBe(524_287);
  });

  it('adds levels above 4 Mi times and counts through them', () => {
    const m = new TimeMarks(40 << 20); // 40 Mi times: a6 (80 units), then 10 units, then 2
    expect(m.up.length).toBe(3);
    const naive = new NaiveMarks();
    for (let t = 0; t < m.cap; t += 211) {
      m.push(t);
      naive.marks.push(t);
    }
    naive.top = m.top;
    // Clear some far below the top, some near it.
    for (const i of [0, 5, 1000, 50_000, 100_000, naive.marks.length - 2]) {
      m.clear(naive.marks[i]!);
      naive.marks[i] = -1;
    }
    naive.marks = naive.marks.filter((t) => t >= 0);
    for (const t of naive.marks.filter((_, i) => i % 1009 === 0)) {
      expect(m.below(t)).toBe(naive.below(t));
    }
    expect(m.below(m.top + 1)).toBe(naive.marks.length);
    m.fillFirst(9 << 20);
    for (const t of [0, 524_287, 524_288, 4 << 20, (9 << 20) - 1]) expect(m.below(t)).toBe(t);
  });

  it('agrees with a naive model on random pushes, clears, moves and lowered tops', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), gap: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('clear' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('move' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('lower' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const m = new TimeMarks(400_000);
        const naive = new NaiveMarks();
        for (const o of ops) {
          if (o.kind === 'push') {
            const t = naive.top + o.gap;
            if (t >= m.cap) continue;
            m.push(t);
            naive.marks.push(t);
            naive.top = t;
          } else if (naive.marks.length > 0) {
            const i = o.pick % naive.marks.length;
            const t0 = naive.marks[i]!;
            if (o.kind === 'clear') {
              m.clear(t0);
              naive.marks.splice(i, 1);
            } else if (o.kind === 'move') {
              const t = naive.top + 1;
              if (t >= m.cap) continue;
              m.move(t0, t);
              naive.marks.splice(i, 1);
              naive.marks.push(t);
              naive.top = t;
            } else {
              // Lower the top to the highest mark (clearing it first, as the tracker does).
              const hi = naive.marks.pop()!;
              m.clear(hi);
              m.lower(hi - 1);
              naive.top = hi - 1;
            }
          }
        }
        checkAgainst(m, naive, [0, 1, 255, 256, 2048, 16_384, 65_536]);
      }),
      { numRuns: 300 },
    );
  });
});
