// Contexts (§E): create / destroy, tasks started in one, fork inheritance, migration.
import { expect, test } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '@cvhrc/mm';
import { MIN_D_CONTEXT, VServerHost, XID_HOST } from '@cvhrc/vserver';
import { errnoOf, smallKernel } from './helpers.js';

test('contexts are created with a free xid and destroyed when empty', () => {
  const host = new VServerHost(smallKernel(64));
  expect(host.createContext(100).xid).toBe(100);
  expect(host.createContext().xid).toBe(MIN_D_CONTEXT);
  expect(host.createContext().xid).toBe(MIN_D_CONTEXT + 1);
  expect(host.xids()).toEqual([100, MIN_D_CONTEXT, MIN_D_CONTEXT + 1]);
  expect(errnoOf(() => host.createContext(100))).toBe('EEXIST');
  expect(errnoOf(() => host.createContext(0))).toBe('EINVAL'); // the host
  expect(errnoOf(() => host.createContext(1))).toBe('EINVAL'); // the spectator
  expect(errnoOf(() => host.createContext(65535))).toBe('EINVAL');
  host.destroyContext(100);
  expect(host.context(100)).toBeUndefined();
  expect(errnoOf(() => host.destroyContext(100))).toBe('ENOENT');
  expect(host.createContext(100).xid).toBe(100); // the xid is free again
});

test('a context with tasks is busy; it can be destroyed once they have exited', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  const t = host.startTask(100, 'init');
  expect(host.context(100)!.initPid).toBe(t.pid);
  expect(errnoOf(() => host.destroyContext(100))).toBe('EBUSY');
  expect(errnoOf(() => host.startTask(101, 'x'))).toBe('ENOENT');
  k.exit(t);
  expect(host.context(100)!.tasks.size).toBe(0);
  host.destroyContext(100);
  expect(host.xids()).toEqual([]);
});

test('children inherit the xid; host tasks stay in xid 0', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  const init = host.startTask(100, 'init');
  const child = k.fork(init);
  const grandchild = k.fork(child);
  const hostTask = k.createTask('sshd');
  const hostChild = k.fork(hostTask);
  expect([init, child, grandchild].map((t) => host.xidOf(t))).toEqual([100, 100, 100]);
  expect([hostTask, hostChild].map((t) => host.xidOf(t))).toEqual([XID_HOST, XID_HOST]);
  expect(host.contextOfMm(grandchild.mm!)?.xid).toBe(100);
  expect(host.contextOfMm(hostChild.mm!)).toBeUndefined();
  expect(host.usage(100, 'PROC')).toEqual({ cur: 3, max: 3, lim: Infinity, hits: 0 });
  k.exit(grandchild);
  expect(host.usage(100, 'PROC')).toEqual({ cur: 2, max: 3, lim: Infinity, hits: 0 });
});

test('migrate moves the task; its address space stays charged where it was created', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  const t = k.createTask('vserver-start');
  const v = k.mmap(t, {
    pages: 4,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  for (let i = 0; i < 4; i++) k.userAccess(t, v + i, true);
  const hostMm = t.mm!;
  host.migrate(t, 100);
  expect(host.xidOf(t)).toBe(100);
  expect(host.contextOfMm(hostMm)).toBeUndefined(); // mm_vx_info was set at creation
  expect(host.usage(100, 'RSS').cur).toBe(0);
  const child = k.fork(t); // a new mm, created in the new context: charged to it
  expect(host.contextOfMm(child.mm!)?.xid).toBe(100);
  expect(host.usage(100, 'RSS').cur).toBe(4);
  expect(host.usage(100, 'PROC').cur).toBe(2);
  expect(errnoOf(() => host.migrate(t, 7))).toBe('ENOENT');
});

test('exec after migrate gives the task an address space charged to its new context', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  const bin = k.createFile('/bin/sh', 64 << 10);
  const t = k.createTask('sh');
  host.migrate(t, 100);
  k.exec(t, bin);
  expect(host.contextOfMm(t.mm!)?.xid).toBe(100);
  expect(host.usage(100, 'VM').cur).toBe(t.mm!.totalVm);
});
