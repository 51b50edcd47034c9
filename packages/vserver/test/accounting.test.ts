// Per-context accounting (§E): RSS counts a page shared inside the context once, VM (and
// ANON) count it per process; memory is charged to the context that owns the mm.
import { expect, test } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '@cvhrc/mm';
import { VServerHost } from '@cvhrc/vserver';
import { smallKernel } from './helpers.js';

const ANON = { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS } as const;

test('a COW page shared by parent and child counts once in RSS, twice in VM and ANON', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  const a = host.startTask(100, 'a');
  const v = k.mmap(a, { ...ANON, pages: 16 });
  for (let i = 0; i < 16; i++) k.userAccess(a, v + i, true);
  const cur = (r: 'VM' | 'RSS' | 'ANON'): number => host.usage(100, r).cur;
  expect([cur('VM'), cur('RSS'), cur('ANON')]).toEqual([16, 16, 16]);

  const b = k.fork(a); // 16 frames, each mapped by both mms
  expect([cur('VM'), cur('RSS'), cur('ANON')]).toEqual([32, 16, 32]);

  for (let i = 0; i < 4; i++) k.userAccess(b, v + i, true); // 4 COW copies
  expect([cur('VM'), cur('RSS'), cur('ANON')]).toEqual([32, 20, 32]);

  k.exit(b);
  expect([cur('VM'), cur('RSS'), cur('ANON')]).toEqual([16, 16, 16]);
  expect(host.usage(100, 'RSS').max).toBe(20);
  expect(host.usage(100, 'VM').max).toBe(32);
  k.checkInvariants();
});

test('a file page mapped by two tasks of one context counts once; another context counts its own', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  host.createContext(200);
  const lib = k.createFile('/lib/libc.so', 1 << 20);
  const tasks = [host.startTask(100, 'a'), host.startTask(100, 'b'), host.startTask(200, 'c')];
  for (const t of tasks) {
    const v = k.mmap(t, { pages: 256, prot: PROT_READ, flags: MAP_SHARED, file: lib });
    for (let i = 0; i < 4; i++) k.userAccess(t, v + i, false);
  }
  expect(host.usage(100, 'RSS').cur).toBe(4);
  expect(host.usage(100, 'VM').cur).toBe(512);
  expect(host.usage(100, 'ANON').cur).toBe(0);
  expect(host.usage(200, 'RSS').cur).toBe(4);
  expect(host.usage(200, 'VM').cur).toBe(256);
  // Host tasks are not accounted anywhere.
  const h = k.createTask('host');
  const hv = k.mmap(h, { pages: 256, prot: PROT_READ, flags: MAP_SHARED, file: lib });
  k.userAccess(h, hv + 8, false);
  expect(host.usage(100, 'RSS').cur + host.usage(200, 'RSS').cur).toBe(8);
});

test('SHM counts the pages of the segments the context attaches, once per segment', () => {
  const k = smallKernel(64);
  const host = new VServerHost(k);
  host.createContext(100);
  const a = host.startTask(100, 'a');
  const b = host.startTask(100, 'b');
  const id = k.shmget(42, 8 * 4096);
  const va = k.shmat(a, id);
  const vb = k.shmat(b, id);
  for (let i = 0; i < 8; i++) {
    k.userAccess(a, va + i, true);
    k.userAccess(b, vb + i, false);
  }
  expect(host.usage(100, 'SHM').cur).toBe(8);
  expect(host.usage(100, 'RSS').cur).toBe(8); // the same 8 shmem pages in both
  expect(host.usage(100, 'VM').cur).toBe(16);
  k.shmdt(a, va);
  k.shmdt(b, vb);
  expect(host.usage(100, 'SHM')).toMatchObject({ cur: 0, max: 8 });
  expect(host.usage(100, 'RSS').cur).toBe(0);
});
