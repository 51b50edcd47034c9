// Contexts running programs on the Scheduler: spawn, the scan timer on the kernel thread,
// windows of the curve, and /proc/virtual/<xid>/hrc.
import { expect, test } from 'vitest';
import { Scheduler, type Program } from '@cvhrc/mm';
import { readProcVirtual, VServerHost } from '@cvhrc/vserver';
import { errnoOf, smallKernel } from './helpers.js';

/** A loop over `pages` anonymous pages, `passes` times, with a child doing the same. */
const loop = (pages: number, passes: number): Program => [
  { op: 'mmap', name: 'ws', pages },
  { op: 'touch', mapping: 'ws', pages, write: true },
  { op: 'touch', mapping: 'ws', pages, write: false, repeat: passes },
];

test('spawned tasks run in their context; scans run as a kernel thread; the run ends', () => {
  const k = smallKernel(128);
  const host = new VServerHost(k, { cvhrc: { scanList: 512, group: 64, scanIntervalMs: 5 } });
  const sched = new Scheduler(k);
  host.createContext(100);
  host.createContext(200);
  const a = host.spawn(sched, 100, loop(256, 400), 'small');
  const b = host.spawn(sched, 200, [
    ...loop(1024, 10),
    { op: 'fork', program: loop(64, 5) },
    { op: 'wait' },
  ]);
  expect(host.xidOf(a)).toBe(100);
  expect(host.xidOf(b)).toBe(200);
  expect(host.context(100)!.initPid).toBe(a.pid);
  const mark = host.hrcMark(100);
  const result = sched.run();
  expect(result.finished).toBe(true); // the scan and watchdog timers stopped with the tasks
  expect(sched.exits.map((e) => e.signal)).toEqual([null, null, null]);
  const small = host.hrc(100);
  const big = host.hrc(200);
  expect(small.counters.scans).toBeGreaterThan(10);
  expect(small.counters.firstTouches).toBe(256);
  expect(small.entities).toBe(0); // everything unmapped at exit
  // A sequential loop over n pages: every re-reference is at LRU position n − 1, so the
  // curve is 0 up to the last group and jumps there; the need is n.
  expect(small.curve.at(192)).toBe(0);
  expect(small.curve.at(256)).toBeGreaterThan(0.9);
  expect(small.pageNeed).toBe(256);
  // 1024 pages looped with a 512-entity scan list: the hits are fake faults.
  expect(big.counters.fakeFaults).toBeGreaterThanOrEqual(9 * 1024);
  expect(big.curve.at(960)).toBe(0);
  expect(big.curve.at(1024)).toBeGreaterThan(0.8);
  expect(big.pageNeed).toBe(1024);
  // The window since the mark is the whole run here.
  expect(host.hrc(100, mark).hits.accesses).toBe(small.hits.accesses);
  expect(host.hrc(100, mark).counters.scans).toBe(small.counters.scans);
  expect(errnoOf(() => host.hrc(100, host.hrcMark(200)))).toBe('EINVAL');
  // The scan's time was charged to the kernel thread.
  expect(small.counters.trackingNs).toBeGreaterThan(0);
});

test('windows: reset and marks give the curve of a later interval', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k, { cvhrc: { scanList: 128, group: 32, scanIntervalMs: 2 } });
  const sched = new Scheduler(k);
  host.createContext(100);
  host.spawn(sched, 100, [
    { op: 'mmap', name: 'ws', pages: 96 },
    { op: 'touch', mapping: 'ws', pages: 96, write: true, repeat: 30 },
    { op: 'sleep', ns: 1e6 },
    { op: 'touch', mapping: 'ws', pages: 96, write: false, repeat: 30 },
  ]);
  sched.run(k.clock.now + 5e6);
  host.resetHrcWindow(100);
  const start = host.hrcMark(100);
  expect(host.hrc(100).hits.accesses).toBe(0);
  sched.run();
  const w = host.hrc(100);
  expect(w.hits.misses).toBe(0); // every page was touched before the window
  expect(w.hits.accesses).toBeGreaterThan(0);
  expect(host.hrc(100, start).hits.accesses).toBe(w.hits.accesses);
  expect(w.counters.firstTouches).toBe(0);
});

test('/proc/virtual/<xid>/hrc: curve, page need, counters; a guest sees only its own', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k, { cvhrc: { scanList: 64, group: 16, oracle: true } });
  host.createContext(100);
  host.createContext(200);
  const a = host.startTask(100, 'a');
  const b = host.startTask(200, 'b');
  const v = k.mmap(a, { pages: 32, prot: 3, flags: 0x22 });
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < 32; i++) k.userAccess(a, v + i, true);
    host.scanNow(100);
  }
  const text = readProcVirtual(host, a, '/proc/virtual/100/hrc');
  expect(text).toMatch(/^PageNeed:\t\d+\n/);
  expect(text).toContain('Misses:\t32\n');
  expect(text).toContain('Scans:\t3\n');
  expect(text).toMatch(/MAE:\t0\.\d{4}\n/);
  expect(text).toMatch(/Pages\tHitRatio\n16\t0\.\d{4}\n32\t0\.\d{4}\n$/);
  const root = k.createTask('root');
  expect(readProcVirtual(host, root, '/proc/virtual/100/hrc')).toBe(text);
  expect(errnoOf(() => readProcVirtual(host, b, '/proc/virtual/100/hrc'))).toBe('ENOENT');
  expect(errnoOf(() => readProcVirtual(host, a, '/proc/virtual/200/hrc'))).toBe('ENOENT');
  expect(readProcVirtual(host, b, '/proc/virtual/200/hrc')).toContain('Misses:\t0\n');
});
