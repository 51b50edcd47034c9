// Limits enforced (§E): RSS over its hard limit → an OOM kill inside the guest only; VM over
// its limit → ENOMEM from mmap, brk and fork. And the PlanetLab watchdog (pl_mom).
import { expect, test } from 'vitest';
import {
  ACCESS_KILLED,
  getSwapPage,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
  Scheduler,
  SyscallError,
} from '@cvhrc/mm';
import { VServerHost } from '@cvhrc/vserver';
import { smallKernel } from './helpers.js';

const ANON = { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };

const syscallErrno = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SyscallError) return e.errno;
    throw e;
  }
  return 'ok';
};

test('RSS over the hard limit kills a task of that context only (the biggest)', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  host.createContext(200);
  host.setLimit(100, 'RSS', 40);
  const big = host.startTask(100, 'big');
  const small = host.startTask(100, 'small');
  const other = host.startTask(200, 'other');
  const vb = k.mmap(big, { pages: 32, ...ANON });
  for (let i = 0; i < 32; i++) k.userAccess(big, vb + i, true);
  const vo = k.mmap(other, { pages: 64, ...ANON });
  for (let i = 0; i < 64; i++) k.userAccess(other, vo + i, true); // no limit in 200
  const vs = k.mmap(small, { pages: 16, ...ANON });
  for (let i = 0; i < 8; i++) k.userAccess(small, vs + i, true); // 40 pages: at the limit
  expect(host.oomKills).toEqual([]);
  expect(k.userAccess(small, vs + 8, true)).toBeGreaterThan(0); // 41 > 40: a hit, a kill
  expect(host.oomKills.map((o) => [o.xid, o.comm, o.rss, o.limit])).toEqual([[100, 'big', 41, 40]]);
  expect(k.task(big.pid)).toBeUndefined(); // the biggest task of the guest
  expect(k.task(small.pid)).toBe(small);
  expect(k.task(other.pid)).toBe(other);
  expect(host.usage(100, 'RSS')).toMatchObject({ cur: 9, hits: 1 });
  expect(host.usage(200, 'RSS')).toMatchObject({ cur: 64, hits: 0 });
  expect(k.oomKills.map((o) => o.comm)).toEqual(['big']);
});

test('a lone task over its context RSS limit is killed at its fault', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  host.setLimit(100, 'RSS', 8);
  const t = host.startTask(100, 't');
  const v = k.mmap(t, { pages: 16, ...ANON });
  for (let i = 0; i < 8; i++) expect(k.userAccess(t, v + i, true)).toBeGreaterThan(0);
  expect(k.userAccess(t, v + 8, true)).toBe(ACCESS_KILLED);
  expect(k.task(t.pid)).toBeUndefined();
  expect(host.usage(100, 'RSS')).toMatchObject({ cur: 0, max: 9, hits: 1 });
  // On the scheduler too: the program dies with SIGKILL, the other context runs on.
  const sched = new Scheduler(k);
  host.spawn(sched, 100, [
    { op: 'mmap', name: 'a', pages: 32 },
    { op: 'touch', mapping: 'a', pages: 32, write: true },
  ]);
  host.createContext(200);
  host.spawn(sched, 200, [
    { op: 'mmap', name: 'a', pages: 32 },
    { op: 'touch', mapping: 'a', pages: 32, write: true },
  ]);
  sched.run();
  expect(sched.exits.map((e) => e.signal)).toEqual(['SIGKILL', null]);
  expect(host.oomKills.map((o) => o.xid)).toEqual([100, 100]);
});

test('VM over its limit: ENOMEM from mmap and fork, brk refused; hits counted', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  host.setLimit(100, 'VM', 20);
  const t = host.startTask(100, 't');
  k.mmap(t, { pages: 12, ...ANON });
  expect(syscallErrno(() => k.mmap(t, { pages: 9, ...ANON }))).toBe('ENOMEM');
  k.mmap(t, { pages: 8, ...ANON }); // 20: at the limit
  const brk = t.mm!.brk;
  expect(k.brk(t, brk + 1)).toBe(brk);
  expect(syscallErrno(() => k.fork(t))).toBe('ENOMEM'); // the child would add 20
  expect(host.usage(100, 'VM')).toMatchObject({ cur: 20, hits: 3 });
  expect(host.usage(100, 'PROC').cur).toBe(1);
  host.setLimit(100, 'VM', 40);
  expect(host.xidOf(k.fork(t))).toBe(100);
  // Another context and the host are not limited by it.
  const root = k.createTask('root');
  k.mmap(root, { pages: 100, ...ANON });
});

/** Takes swap slots until `pct` percent of the swap area is in use. */
function fillSwap(k: ReturnType<typeof smallKernel>, pct: number): void {
  const total = k.totalSwapPages;
  while (100 * (total - k.freeSwapPages) < pct * total) {
    if (getSwapPage(k) === 0) throw new Error('swap full');
  }
}

test('the watchdog: 85 % logged, 90 % resets the biggest context, 95 % reboots', () => {
  const k = smallKernel(64, { swapBytes: 4 << 20 });
  const host = new VServerHost(k);
  expect(host.watchdog!.armed).toBe(false); // no context has tasks yet
  host.createContext(100);
  host.createContext(200);
  const a = host.startTask(100, 'a');
  const b1 = host.startTask(200, 'b1');
  const b2 = host.startTask(200, 'b2');
  expect(host.watchdog!.armed).toBe(true);
  const touch = (t: typeof a, pages: number): void => {
    const v = k.mmap(t, { pages, ...ANON });
    for (let i = 0; i < pages; i++) k.userAccess(t, v + i, true);
  };
  touch(a, 40);
  touch(b1, 30);
  touch(b2, 30);
  k.runEvents(k.clock.now + 1.5e9);
  expect(host.watchdogLog()).toEqual([]);
  fillSwap(k, 86);
  k.runEvents(k.clock.now + 1e9);
  k.runEvents(k.clock.now + 1e9); // logged once per crossing
  expect(host.watchdogLog().map((e) => e.level)).toEqual(['log']);
  fillSwap(k, 91);
  k.runEvents(k.clock.now + 1e9);
  const reset = host.watchdogLog()[1]!;
  expect(reset).toMatchObject({ level: 'reset', xid: 200 });
  expect(reset.reason).toMatch(
    /swap 9\d\.\d % ≥ 90 %: reset context 200, the most physical memory \(60 pages\)/,
  );
  expect([b1, b2].map((t) => k.task(t.pid))).toEqual([undefined, undefined]);
  expect(k.task(a.pid)).toBe(a);
  expect(host.rebooted).toBe(false);
  fillSwap(k, 96);
  k.runEvents(k.clock.now + 1e9);
  expect(host.watchdogLog().at(-1)).toMatchObject({ level: 'reboot', xid: 0 });
  expect(host.rebooted).toBe(true);
  expect(k.tasks()).toEqual([]); // the node went down
  expect(host.watchdog!.armed).toBe(false);
  const n = host.watchdogLog().length;
  k.runEvents(k.clock.now + 5e9);
  expect(host.watchdogLog().length).toBe(n);
});

test('the watchdog ends a scheduler run at 95 % swap; it can be switched off', () => {
  const k = smallKernel(64, { swapBytes: 4 << 20 });
  const host = new VServerHost(k, { watchdog: { intervalMs: 10 } });
  const sched = new Scheduler(k);
  host.createContext(100);
  host.spawn(sched, 100, [{ op: 'compute', ns: 60e9 }]);
  fillSwap(k, 97);
  const r = sched.run();
  expect(r.finished).toBe(true);
  expect(r.nowNs).toBeLessThan(1e9);
  expect(host.rebooted).toBe(true);
  expect(sched.exits[0]!.signal).toBe('SIGKILL');
  const quiet = new VServerHost(smallKernel(64), { watchdog: { enabled: false } });
  expect(quiet.watchdog).toBeNull();
  expect(quiet.watchdogLog()).toEqual([]);
});
