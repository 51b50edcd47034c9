import { describe, expect, test } from 'vitest';
import {
  Clock,
  CostModel,
  defaultMachineConfig,
  Disk,
  EventQueue,
  type DiskCompletion,
} from '@cvhrc/hw';

// The model's formula, written out independently of the implementation (Table 1 defaults):
// seek(d) = t2t + (full − t2t)·√(d / capacity), full = t2t + (avg − t2t)·15/8;
// rotation = half of 60e9 / 7200 ns; transfer = bytes / 60 MB/s; each part rounded.
const CAPACITY = 160e9;
const T2T = 1e6;
const AVG = 9e6;
const FULL = T2T + ((AVG - T2T) * 15) / 8; // 16 ms
const ROTATION = Math.round(60e9 / 7200 / 2); // 4,166,667 ns
const transfer = (bytes: number): number => Math.round((bytes * 1e9) / 60e6);
const seek = (distance: number): number =>
  Math.round(T2T + (FULL - T2T) * Math.sqrt(Math.abs(distance) / CAPACITY));
const random = (distance: number, bytes: number): number =>
  seek(distance) + ROTATION + transfer(bytes);

function setup(): { q: EventQueue; disk: Disk; done: DiskCompletion[] } {
  const q = new EventQueue(new Clock());
  const disk = new Disk(q, new CostModel(defaultMachineConfig()));
  return { q, disk, done: [] };
}

describe('Disk latency', () => {
  test('known values', () => {
    expect(FULL).toBe(16e6);
    expect(ROTATION).toBe(4_166_667);
    expect(transfer(4096)).toBe(68_267);
    // Half-stroke random 4 KiB read: 1 + 15·√0.5 ms seek + 4.17 ms + 68 µs ≈ 15.8 ms.
    expect(random(80e9, 4096)).toBe(11_606_602 + 4_166_667 + 68_267);
  });

  test('a random request pays seek + rotation + transfer; a sequential one transfer only', () => {
    const { q, disk, done } = setup();
    const onComplete = (c: DiskCompletion): void => {
      done.push(c);
    };
    disk.submit({ op: 'read', offsetBytes: 80e9, lengthBytes: 4096, onComplete });
    disk.submit({ op: 'read', offsetBytes: 80e9 + 4096, lengthBytes: 65536, onComplete });
    disk.submit({ op: 'write', offsetBytes: 1e9, lengthBytes: 8192, tag: 42, onComplete });
    expect(disk.busy).toBe(true);
    expect(disk.queueLength).toBe(2);
    q.run();
    const t1 = random(80e9, 4096);
    const t2 = t1 + transfer(65536);
    const t3 = t2 + random(1e9 - (80e9 + 4096 + 65536), 8192);
    expect(done.map((c) => c.completedNs)).toEqual([t1, t2, t3]);
    expect(done.map((c) => c.sequential)).toEqual([false, true, false]);
    expect(done[1]).toMatchObject({ seekNs: 0, rotationNs: 0, transferNs: transfer(65536) });
    expect(done[2]).toMatchObject({ tag: 42, op: 'write', startedNs: t2, submittedNs: 0 });
    expect(done[2]!.seekNs).toBe(seek(1e9 - (80e9 + 4096 + 65536)));
    expect(q.clock.now).toBe(t3);
    expect(disk.headBytes).toBe(1e9 + 8192);
    expect(disk.busy).toBe(false);
  });

  test('the head starts at 0: a first request at 0 is sequential', () => {
    const { q, disk } = setup();
    expect(disk.latencyNs(0, 4096)).toBe(transfer(4096));
    expect(disk.latencyNs(512, 4096)).toBe(random(512, 4096));
    disk.submit({ op: 'read', offsetBytes: 0, lengthBytes: 4096 });
    q.run();
    expect(q.clock.now).toBe(transfer(4096));
  });

  test('a sequential run after idle time is still sequential', () => {
    const { q, disk } = setup();
    disk.submit({ op: 'read', offsetBytes: 4096, lengthBytes: 4096 });
    q.run();
    const t = q.clock.now;
    q.clock.advance(1e9);
    disk.submit({ op: 'read', offsetBytes: 8192, lengthBytes: 4096 });
    q.run();
    expect(q.clock.now).toBe(t + 1e9 + transfer(4096));
  });

  test('counters', () => {
    const { q, disk } = setup();
    disk.submit({ op: 'read', offsetBytes: 4096, lengthBytes: 4096 });
    disk.submit({ op: 'read', offsetBytes: 8192, lengthBytes: 4096 });
    disk.submit({ op: 'write', offsetBytes: 50e9, lengthBytes: 16384 });
    q.run();
    const s = disk.stats();
    expect(s).toMatchObject({
      submitted: 3,
      requests: 3,
      reads: 2,
      writes: 1,
      bytesRead: 8192,
      bytesWritten: 16384,
      seeks: 2,
      sequential: 1,
    });
    expect(s.busyNs).toBe(q.clock.now); // never idle
    expect(s.busyNs).toBe(s.seekNs + s.rotationNs + s.transferNs);
    expect(s.rotationNs).toBe(2 * ROTATION);
    // Second request waited for the first, third for both.
    const first = random(4096, 4096);
    expect(s.queueWaitNs).toBe(first + (first + transfer(4096)));
  });

  test('a callback may submit more I/O; it is served in FIFO order', () => {
    const { q, disk } = setup();
    const order: number[] = [];
    disk.submit({
      op: 'read',
      offsetBytes: 0,
      lengthBytes: 4096,
      tag: 1,
      onComplete: (c) => {
        order.push(c.tag);
        disk.submit({
          op: 'read',
          offsetBytes: 4096,
          lengthBytes: 4096,
          tag: 3,
          onComplete: (d) => order.push(d.tag),
        });
      },
    });
    disk.submit({
      op: 'read',
      offsetBytes: 1e9,
      lengthBytes: 4096,
      tag: 2,
      onComplete: (c) => order.push(c.tag),
    });
    q.run();
    expect(order).toEqual([1, 2, 3]);
  });

  test('requests outside the disk or not whole sectors are refused', () => {
    const { disk } = setup();
    expect(() => disk.submit({ op: 'read', offsetBytes: 100, lengthBytes: 4096 })).toThrow(
      RangeError,
    );
    expect(() => disk.submit({ op: 'read', offsetBytes: 0, lengthBytes: 0 })).toThrow(RangeError);
    expect(() => disk.submit({ op: 'read', offsetBytes: CAPACITY, lengthBytes: 512 })).toThrow(
      /within 160000000000 bytes/,
    );
  });
});
