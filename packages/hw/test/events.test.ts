import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Clock, EventQueue, formatNs, NS_PER_MS, NS_PER_S, NS_PER_US } from '@cvhrc/hw';

describe('Clock', () => {
  test('advances and never goes back', () => {
    const c = new Clock();
    expect(c.now).toBe(0);
    expect(c.advance(1500)).toBe(1500);
    c.advanceTo(2000);
    expect(c.now).toBe(2000);
    expect(() => c.advanceTo(1999)).toThrow(RangeError);
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(() => c.advance(Number.NaN)).toThrow(RangeError);
  });

  test('units and formatting', () => {
    expect([NS_PER_US, NS_PER_MS, NS_PER_S]).toEqual([1e3, 1e6, 1e9]);
    expect(formatNs(850)).toBe('850 ns');
    expect(formatNs(12_500)).toBe('12.5 µs');
    expect(formatNs(13_241_536)).toBe('13.2 ms');
    expect(formatNs(4_010_000_000)).toBe('4.01 s');
  });
});

describe('EventQueue', () => {
  test('events come out in time order and advance the clock', () => {
    const q = new EventQueue(new Clock());
    const log: string[] = [];
    q.at(300, (t) => log.push(`c@${t}`));
    q.at(100, (t) => log.push(`a@${t}`));
    q.at(200, (t) => log.push(`b@${t}`));
    expect(q.size).toBe(3);
    expect(q.peekTime()).toBe(100);
    expect(q.run()).toBe(3);
    expect(log).toEqual(['a@100', 'b@200', 'c@300']);
    expect(q.clock.now).toBe(300);
    expect(q.peekTime()).toBe(Infinity);
  });

  test('equal times come out in insertion order', () => {
    const q = new EventQueue(new Clock());
    const log: number[] = [];
    for (let i = 0; i < 50; i++) q.at(i % 3 === 0 ? 500 : 100, () => log.push(i));
    q.run();
    const at100 = [...Array(50).keys()].filter((i) => i % 3 !== 0);
    const at500 = [...Array(50).keys()].filter((i) => i % 3 === 0);
    expect(log).toEqual([...at100, ...at500]);
  });

  test('property: order is by (time, insertion) for any schedule, with cancels', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }),
        (items) => {
          const q = new EventQueue(new Clock());
          const kind = q.defineKind('k');
          const ids = items.map(([time], i) => q.schedule(time, kind, i));
          items.forEach(([, cancel], i) => {
            if (cancel) expect(q.cancel(ids[i]!)).toBe(true);
          });
          const expected = items
            .map(([time, cancel], i) => ({ time, cancel, i }))
            .filter((e) => !e.cancel)
            .sort((a, b) => a.time - b.time || a.i - b.i)
            .map((e) => e.i);
          const got: number[] = [];
          for (let e = q.pop(); e !== undefined; e = q.pop()) got.push(e.payload);
          expect(got).toEqual(expected);
        },
      ),
    );
  });

  test('kinds with handlers, payloads and ids', () => {
    const q = new EventQueue(new Clock());
    const seen: [number, number, number][] = [];
    const done = q.defineKind('io-done', (payload, time, id) => seen.push([payload, time, id]));
    expect(q.kindName(done)).toBe('io-done');
    const id = q.schedule(40, done, 7);
    expect(q.isPending(id)).toBe(true);
    expect(q.timeOf(id)).toBe(40);
    q.step();
    expect(seen).toEqual([[7, 40, id]]);
    expect(q.isPending(id)).toBe(false);
    expect(q.cancel(id)).toBe(false);
  });

  test('a kind without a handler must be popped', () => {
    const q = new EventQueue(new Clock());
    const k = q.defineKind('raw');
    q.scheduleIn(5, k, 3);
    expect(() => q.step()).toThrow(/no handler/);
    expect(q.size).toBe(1);
    const e = q.pop();
    expect(e).toMatchObject({ kind: k, payload: 3, timeNs: 5, callback: undefined });
    expect(q.clock.now).toBe(5);
  });

  test('cancel removes exactly one event; stale ids do not cancel reused slots', () => {
    const q = new EventQueue(new Clock());
    const log: string[] = [];
    const a = q.at(10, () => log.push('a'));
    q.at(20, () => log.push('b'));
    expect(q.cancel(a)).toBe(true);
    expect(q.cancel(a)).toBe(false);
    q.at(15, () => log.push('c')); // reuses a's slot
    expect(q.cancel(a)).toBe(false);
    q.run();
    expect(log).toEqual(['c', 'b']);
  });

  test('runUntil runs due events, including ones they schedule, then sets the clock', () => {
    const q = new EventQueue(new Clock());
    const log: number[] = [];
    q.at(10, (t) => {
      log.push(t);
      q.after(5, (t2) => log.push(t2));
      q.after(500, (t3) => log.push(t3));
    });
    expect(q.runUntil(100)).toBe(2);
    expect(log).toEqual([10, 15]);
    expect(q.clock.now).toBe(100);
    expect(q.size).toBe(1);
    expect(q.runUntil(510)).toBe(1);
    expect(log).toEqual([10, 15, 510]);
  });

  test('events in the past are refused', () => {
    const clock = new Clock(1000);
    const q = new EventQueue(clock);
    expect(() => q.at(999, () => undefined)).toThrow(RangeError);
    expect(() => q.at(Number.NaN, () => undefined)).toThrow(RangeError);
    expect(() => q.schedule(1000, 0)).toThrow(/defineKind/);
    q.at(1000, () => undefined);
    expect(q.run()).toBe(1);
  });

  test('many events: the heap grows and stays ordered', () => {
    const q = new EventQueue(new Clock());
    const k = q.defineKind('n');
    let x = 1;
    for (let i = 0; i < 5000; i++) {
      x = (x * 48271) % 2147483647;
      q.schedule(x % 1000, k, i);
    }
    let last = -1;
    let lastSeq = -1;
    let n = 0;
    for (let e = q.pop(); e !== undefined; e = q.pop()) {
      expect(e.timeNs > last || (e.timeNs === last && e.seq > lastSeq)).toBe(true);
      last = e.timeNs;
      lastSeq = e.seq;
      n++;
    }
    expect(n).toBe(5000);
  });
});
