// The hook surface: tracking faults, fault observers, lifecycle events, kernel timers.
import { PTE_TRACKING } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
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
