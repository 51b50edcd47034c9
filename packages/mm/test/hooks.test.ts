// The hook surface: tracking faults, fault observers, lifecycle events, kernel timers.
import { PTE_TRACKING } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  pageReferenced,
  PROT_READ,
  PROT_WRITE,
  Scheduler,
  SyscallError,
  VM_FAULT_MAJOR,
  VM_FAULT_MINOR,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

test('a tracking fault goes to the handler, which clears the bit; the access then succeeds', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const v = k.mmap(t, {
    pages: 4,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  const f = k.userAccess(t, v, true);
  t.mm!.pageTable.setFlags(v, PTE_TRACKING);
  const seen: [number, number, boolean][] = [];
  k.hooks.trackingFault = (task, vpn, write) => {
    seen.push([task.pid, vpn, write]);
    task.mm!.pageTable.clearFlags(vpn, PTE_TRACKING);
  };
  expect(k.userAccess(t, v, false)).toBe(f);
  expect(seen).toEqual([[t.pid, v, false]]);
  expect(t.minFlt).toBe(1); // a tracking fault is not a page fault of the task
});

test('a tracking fault with no handler is a bug', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const v = k.mmap(t, { pages: 1, prot: PROT_READ, flags: MAP_PRIVATE | MAP_ANONYMOUS });
  k.userAccess(t, v, false);
  t.mm!.pageTable.setFlags(v, PTE_TRACKING);
  expect(() => k.userAccess(t, v, false)).toThrow(/tracking fault/);
});

test('fault observers see minor and major faults; lifecycle hooks see tasks and mms', () => {
  const k = smallKernel(64);
  const events: string[] = [];
  k.hooks.fault = (task, vpn, write, result) => {
    events.push(
      `${task.comm} ${result === VM_FAULT_MAJOR ? 'major' : result === VM_FAULT_MINOR ? 'minor' : '?'}`,
    );
  };
  k.hooks.taskCreated = (task, parent) => events.push(`+${task.comm}<${parent?.comm ?? '-'}`);
  k.hooks.taskExited = (task) => events.push(`-${task.comm}`);
  k.hooks.mmCreated = (mm, owner) => events.push(`+mm ${owner.comm}`);
  k.hooks.mmDestroyed = () => events.push('-mm');
  let freed = 0;
  k.hooks.pageFreed = () => freed++;
  const file = k.createFile('/f', 4 * 4096);
  const t = k.createTask('t');
  const v = k.mmap(t, { pages: 4, prot: PROT_READ, flags: MAP_PRIVATE, file });
  k.userAccess(t, v, false);
  const a = k.mmap(t, {
    pages: 1,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  k.userAccess(t, a, true);
  const c = k.fork(t, 'c');
  k.exit(c);
  k.exit(t);
  expect(events).toEqual([
    '+t<-',
    '+mm t',
    't major',
    't minor',
    '+c<t',
    '+mm c',
    '-mm',
    '-c',
    '-mm',
    '-t',
  ]);
  expect(freed).toBe(1); // the anonymous page; the file pages stay cached
});

test('kernel timers: one-shot and periodic, cancellable', () => {
  const k = smallKernel(64);
  const fired: number[] = [];
  k.addTimer(5_000, () => fired.push(k.clock.now));
  const cancel = k.addTimer(1_000, () => fired.push(-k.clock.now), 2_000);
  k.runEvents(6_000);
  expect(fired).toEqual([-1_000, -3_000, 5_000, -5_000]);
  cancel();
  k.runEvents();
  expect(fired.length).toBe(4);
});

test('mayExpandVm can refuse mmap and fork (ENOMEM) and a growing brk', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const asked: [number, boolean, number][] = [];
  let allow = true;
  k.hooks.mayExpandVm = (task, mm, pages) => {
    asked.push([task.pid, mm === null, pages]);
    return allow;
  };
  const anon = { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };
  k.mmap(t, { pages: 8, ...anon });
  allow = false;
  const refused = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      if (e instanceof SyscallError) return e.errno;
      throw e;
    }
    return 'ok';
  };
  expect(refused(() => k.mmap(t, { pages: 4, ...anon }))).toBe('ENOMEM');
  expect(t.mm!.totalVm).toBe(8);
  const brk = t.mm!.brk;
  expect(k.brk(t, brk + 3)).toBe(brk);
  expect(refused(() => k.fork(t))).toBe('ENOMEM');
  expect(k.tasks().length).toBe(1);
  expect(asked).toEqual([
    [t.pid, false, 8],
    [t.pid, false, 4],
    [t.pid, false, 3],
    [t.pid, true, 8],
  ]);
  allow = true;
  expect(k.brk(t, brk + 3)).toBe(brk + 3);
  expect(k.fork(t).mm!.totalVm).toBe(11);
});

test('youngCleared reports every young bit reclaim clears', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const v = k.mmap(t, {
    pages: 2,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  const f = k.userAccess(t, v, true);
  const c = k.fork(t);
  k.userAccess(c, v, false); // the child's PTE (made old by fork) is young again
  const seen: [number, number, number][] = [];
  k.hooks.youngCleared = (mm, vpn, frame) => seen.push([mm.id, vpn, frame]);
  expect(pageReferenced(k, f)).toBe(2);
  expect(seen).toEqual([
    [t.mm!.id, v, f],
    [c.mm!.id, v, f],
  ]);
  expect(pageReferenced(k, f)).toBe(0);
  expect(seen.length).toBe(2);
});

test('accessObserver sees each completed access once, in userAccess and in the touch loop', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const v = k.mmap(t, { pages: 4, prot: PROT_READ, flags: MAP_PRIVATE | MAP_ANONYMOUS });
  const seen: string[] = [];
  t.mm!.accessObserver = (vpn, frame, write) => seen.push(`${vpn - v}:${frame}:${write}`);
  const f = k.userAccess(t, v + 2, false); // faults (ZERO_PAGE), then completes once
  expect(seen).toEqual([`2:${f}:false`]);

  const sched = new Scheduler(k);
  const log: number[] = [];
  const task = sched.spawn([
    { op: 'mmap', name: 'a', pages: 5 },
    { op: 'touch', mapping: 'a', pages: 5, write: true, order: 'reverse' },
    { op: 'touch', mapping: 'a', pages: 5, write: false, order: 'random', seed: 3, repeat: 2 },
    { op: 'touch', mapping: 'a', pages: 5, write: false },
  ]);
  let base = -1;
  task.mm!.accessObserver = (vpn) => {
    if (base < 0) base = vpn - 4; // the first access is the last page (reverse)
    log.push(vpn - base);
  };
  sched.run();
  expect(log.slice(0, 5)).toEqual([4, 3, 2, 1, 0]);
  for (const pass of [log.slice(5, 10), log.slice(10, 15)]) {
    expect([...pass].sort()).toEqual([0, 1, 2, 3, 4]);
  }
  expect(log.slice(15)).toEqual([0, 1, 2, 3, 4]);
  expect(log.length).toBe(20);
});

test('fault-free passes of a touch are charged at once; an observer with accessPasses gets them as repeats', () => {
  const program = [
    { op: 'mmap', name: 'a', pages: 8 },
    { op: 'touch', mapping: 'a', pages: 8, write: true },
    { op: 'touch', mapping: 'a', pages: 8, write: false, repeat: 1000, words: 64 },
  ] as const;
  const run = (mode: 'none' | 'every' | 'repeats' | 'refuse') => {
    const k = smallKernel(64);
    const sched = new Scheduler(k);
    const task = sched.spawn(program);
    let seen = 0;
    let repeated = 0;
    let pass = 0;
    if (mode !== 'none') {
      task.mm!.accessObserver = () => {
        seen++;
        pass++;
      };
    }
    if (mode === 'refuse') {
      task.mm!.accessPasses = { passStart: () => undefined, repeatPass: () => false };
    }
    if (mode === 'repeats') {
      task.mm!.accessPasses = {
        passStart: () => {
          pass = 0;
        },
        repeatPass: (passes) => {
          repeated += pass * passes;
          return true;
        },
      };
    }
    sched.run();
    return { now: k.clock.now, utime: task.utimeNs, seen, repeated };
  };
  const none = run('none');
  const every = run('every');
  const repeats = run('repeats');
  const refuse = run('refuse');
  expect(refuse.seen).toBe(8 + 8 * 1000);
  // Every access is accounted: seen one by one, or seen once per pass and repeated.
  expect(every.seen).toBe(8 + 8 * 1000);
  expect(repeats.seen + repeats.repeated).toBe(8 + 8 * 1000);
  expect(repeats.seen).toBeLessThan(100);
  // The clock is the same whichever way the passes ran.
  expect(none.now).toBeCloseTo(every.now, -1);
  expect(repeats.now).toBeCloseTo(every.now, -1);
  expect(none.utime).toBeCloseTo(every.utime, -1);
});
