// msync (mm/msync.c of 2.6.17) with known answers: dirty PTEs of a shared file mapping move
// to their pages; MS_SYNC writes each dirty page once and waits; MS_ASYNC only marks them.
import { PTE_DIRTY } from '@cvhrc/hw';
import { describe, expect, test } from 'vitest';
import {
  type Kernel,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  MS_ASYNC,
  MS_INVALIDATE,
  MS_SYNC,
  PG_DIRTY,
  PG_WRITEBACK,
  PROT_READ,
  PROT_WRITE,
  Scheduler,
  type Task,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

const RW = PROT_READ | PROT_WRITE;

function setup(pages = 16): { k: Kernel; t: Task; at: number; file: string } {
  const k = smallKernel(64);
  const f = k.createFile('/data', pages * 4096);
  const t = k.createTask('t');
  const at = k.mmap(t, { pages, prot: RW, flags: MAP_SHARED, file: f });
  return { k, t, at, file: '/data' };
}

function pteDirty(k: Kernel, t: Task, vpn: number): boolean {
  return (t.mm!.pageTable.get(vpn) & PTE_DIRTY) !== 0;
}

describe('msync', () => {
  test('MS_SYNC writes each dirty page once, waits, and leaves them clean', () => {
    const { k, t, at } = setup(16);
    const frames: number[] = [];
    for (let i = 0; i < 16; i++) {
      k.userStore(t, at + i);
      frames.push(k.userAccess(t, at + i, false));
    }
    k.runEvents();
    // do_no_page on a write fault: the PTE is dirty, the page not yet.
    for (const f of frames) expect(k.pages.test(f, PG_DIRTY)).toBe(false);
    expect(pteDirty(k, t, at)).toBe(true);
    const pgpgout = k.vm.pgpgout;
    const writes = k.disk.stats().writes;
    const t0 = k.clock.now;
    expect(k.msync(t, at, 16, MS_SYNC)).toBe(16);
    expect(k.vm.pgpgout - pgpgout).toBe(16 * 4);
    expect(k.disk.stats().writes).toBeGreaterThan(writes);
    expect(k.clock.now).toBeGreaterThan(t0); // waited for the disk
    const file = k.file('/data')!;
    for (let i = 0; i < 16; i++) {
      const f = frames[i]!;
      expect(k.pages.test(f, PG_DIRTY | PG_WRITEBACK)).toBe(false);
      expect(pteDirty(k, t, at + i)).toBe(false);
      expect(file.diskStamp[i]).toBe(k.pages.stamp[f]);
    }
    expect(k.nrDirty).toBe(0);
    expect(k.nrWriteback).toBe(0);
    // Clean now: a second MS_SYNC writes nothing.
    expect(k.msync(t, at, 16, MS_SYNC)).toBe(0);
    expect(k.vm.pgpgout - pgpgout).toBe(16 * 4);
    k.checkInvariants();
  });

  test('MS_SYNC over part of the mapping writes only the pages dirtied there', () => {
    const { k, t, at } = setup(16);
    for (let i = 0; i < 8; i++) k.userStore(t, at + i);
    const pgpgout = k.vm.pgpgout;
    expect(k.msync(t, at + 2, 3, MS_SYNC)).toBe(3);
    expect(k.vm.pgpgout - pgpgout).toBe(3 * 4);
    expect(pteDirty(k, t, at + 1)).toBe(true);
    expect(pteDirty(k, t, at + 2)).toBe(false);
    expect(pteDirty(k, t, at + 5)).toBe(true);
    k.checkInvariants();
  });

  test('MS_ASYNC moves the dirty bits to the pages and writes nothing', () => {
    const { k, t, at } = setup(16);
    const frames: number[] = [];
    for (let i = 0; i < 10; i++) {
      k.userStore(t, at + i);
      frames.push(k.userAccess(t, at + i, false));
    }
    k.runEvents();
    const pgpgout = k.vm.pgpgout;
    const dirty = k.nrDirty;
    expect(k.msync(t, at, 16, MS_ASYNC)).toBe(0);
    expect(k.vm.pgpgout).toBe(pgpgout);
    expect(k.nrDirty - dirty).toBe(10);
    for (let i = 0; i < 10; i++) {
      expect(k.pages.test(frames[i]!, PG_DIRTY)).toBe(true);
      expect(pteDirty(k, t, at + i)).toBe(false);
    }
    k.checkInvariants();
    // The pages stay dirty for later writeback: MS_SYNC then writes all 10, once.
    expect(k.msync(t, at, 16, MS_SYNC | MS_INVALIDATE)).toBe(10);
    expect(k.vm.pgpgout - pgpgout).toBe(10 * 4);
    expect(k.nrDirty).toBe(0);
    k.checkInvariants();
  });

  test('private file and anonymous mappings have nothing to write', () => {
    const k = smallKernel(64);
    const f = k.createFile('/data', 16 * 4096);
    const t = k.createTask('t');
    const priv = k.mmap(t, { pages: 16, prot: RW, flags: MAP_PRIVATE, file: f });
    const anon = k.mmap(t, { pages: 16, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    for (let i = 0; i < 16; i++) {
      k.userStore(t, priv + i);
      k.userStore(t, anon + i);
    }
    k.runEvents();
    const pgpgout = k.vm.pgpgout;
    expect(k.msync(t, priv, 16, MS_SYNC)).toBe(0);
    expect(k.msync(t, anon, 16, MS_SYNC)).toBe(0);
    expect(k.msync(t, anon, 16, MS_ASYNC)).toBe(0);
    expect(k.vm.pgpgout).toBe(pgpgout);
    expect(k.nrDirty).toBe(0);
    k.checkInvariants();
  });

  test('errors as the kernel gives them', () => {
    const { k, t, at } = setup(16);
    const errno = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as { errno?: string }).errno;
      }
      return undefined;
    };
    expect(errno(() => k.msync(t, at, 16, 8))).toBe('EINVAL'); // unknown flag
    expect(errno(() => k.msync(t, at, 16, MS_ASYNC | MS_SYNC))).toBe('EINVAL');
    expect(errno(() => k.msync(t, 0.5, 16, MS_SYNC))).toBe('EINVAL');
    expect(errno(() => k.msync(t, at, -1, MS_SYNC))).toBe('ENOMEM');
    expect(k.msync(t, at, 0, MS_SYNC)).toBe(0); // empty range: 0
    expect(k.msync(t, at, 16, 0)).toBe(0); // no flags: allowed
    expect(errno(() => k.msync(t, 0x1000, 4, MS_SYNC))).toBe('ENOMEM'); // nothing mapped
    // A hole before the mapping: the mapped part is still synced, then ENOMEM.
    for (let i = 0; i < 4; i++) k.userStore(t, at + i);
    const pgpgout = k.vm.pgpgout;
    expect(errno(() => k.msync(t, at - 2, 6, MS_SYNC))).toBe('ENOMEM');
    expect(k.vm.pgpgout - pgpgout).toBe(4 * 4);
    // Past the end of the last mapping: ENOMEM.
    expect(errno(() => k.msync(t, at + 15, 1 << 20, MS_ASYNC))).toBe('ENOMEM');
    k.checkInvariants();
  });

  test('the msync operation of a program, under the scheduler', () => {
    const k = smallKernel(64);
    k.createFile('/data', 32 * 4096);
    const s = new Scheduler(k);
    s.spawn([
      { op: 'mmap', name: 'f', file: '/data', shared: true },
      { op: 'touch', mapping: 'f', pages: 32, write: true },
      { op: 'msync', name: 'f', offset: 8, pages: 8, async: true },
      { op: 'msync', name: 'f', offset: 0, pages: 16 },
    ]);
    const pgpgout = k.vm.pgpgout;
    s.run();
    // Pages 0–15 written by MS_SYNC (8–15 dirtied by MS_ASYNC first); 16–31 only at exit's
    // unmap, which leaves them dirty in the page cache.
    expect(k.vm.pgpgout - pgpgout).toBe(16 * 4);
    expect(k.nrDirty).toBe(16);
    k.checkInvariants();
  });
});
