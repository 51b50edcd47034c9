// SysV shm on shmem inodes (§C): shared by two tasks, swapped out and back (a major fault).
import { expect, test } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PG_ANON, PG_LRU, PROT_READ, PROT_WRITE } from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

test('a segment attached by two tasks shares its pages (page cache, not anonymous)', () => {
  const k = smallKernel(64);
  const a = k.createTask('a');
  const b = k.createTask('b');
  const id = k.shmget(42, 16 * 4096);
  expect(k.shmget(42, 16 * 4096)).toBe(id);
  const va = k.shmat(a, id);
  const vb = k.shmat(b, id);
  const seg = k.shmSegment(id)!;
  expect(seg.nattch).toBe(2);
  const stamp = k.userStore(a, va + 3);
  expect(k.userLoad(b, vb + 3)).toBe(stamp);
  const f = a.mm!.pageTable.get(va + 3) >>> 12;
  expect(b.mm!.pageTable.get(vb + 3) >>> 12).toBe(f);
  expect(k.pages.test(f, PG_LRU)).toBe(true);
  expect(k.pages.test(f, PG_ANON)).toBe(false);
  expect(seg.file.nrpages).toBe(1);
  expect([a.minFlt, b.minFlt, a.majFlt + b.majFlt]).toEqual([1, 1, 0]);
  expect(k.userLoad(b, vb + 4)).toBe(0); // a hole reads zeros
  k.checkInvariants();

  // A fork attaches it once more; detaches and IPC_RMID destroy it at the last detach.
  const c = k.fork(a);
  expect(seg.nattch).toBe(3);
  k.exit(c);
  k.shmdt(a, va);
  k.shmRemove(id);
  expect(k.shmSegment(id)).toBe(seg);
  k.shmdt(b, vb);
  expect(k.shmSegment(id)).toBeUndefined();
  expect(seg.file.nrpages).toBe(0);
  k.checkInvariants();
});

test('shm pages go to swap under pressure and come back with a major fault, data intact', () => {
  const k = smallKernel(32);
  const a = k.createTask('a');
  const b = k.createTask('b');
  const pages = 8 * 256;
  const id = k.shmget(0, pages * 4096);
  const va = k.shmat(a, id);
  const vb = k.shmat(b, id);
  const stamps: number[] = [];
  for (let i = 0; i < pages; i++) stamps.push(k.userStore(a, va + i));
  // A memory hog pushes the segment out.
  const hog = k.createTask('hog');
  const h = k.mmap(hog, {
    pages: 36 * 256,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  for (let i = 0; i < 36 * 256; i++) k.userAccess(hog, h + i, true);
  k.runEvents();
  const seg = k.shmSegment(id)!;
  const onSwap = Array.from(seg.file.shmemSwap!).filter((s) => s !== 0).length;
  expect(onSwap).toBeGreaterThan(0);
  k.checkInvariants();
  const before = b.majFlt;
  for (let i = 0; i < pages; i++) expect(k.userLoad(b, vb + i)).toBe(stamps[i]);
  expect(b.majFlt).toBeGreaterThan(before);
  k.checkInvariants();
  k.exit(hog);
  k.exit(a);
  k.exit(b);
  k.shmRemove(id);
  k.runEvents();
  k.checkInvariants();
  expect(k.swap!.inusePages).toBe(k.nrSwapcache);
});
