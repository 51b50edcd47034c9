// Page faults (§B), rmap (§C) and page_referenced (§A2), driven through user accesses.
import { PTE_ACCESSED, PTE_DIRTY, PTE_RW } from '@cvhrc/hw';
import { describe, expect, test } from 'vitest';
import {
  ACCESS_SIGBUS,
  ACCESS_SIGSEGV,
  findPage,
  listFrames,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  pageReferenced,
  PG_ACTIVE,
  PG_ANON,
  PG_LRU,
  PG_REFERENCED,
  PG_UPTODATE,
  PROT_READ,
  PROT_WRITE,
  rmapWalk,
  VM_RAND_READ,
  ZONE_NORMAL,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

const RW = PROT_READ | PROT_WRITE;

describe('anonymous faults', () => {
  test('a read maps ZERO_PAGE read-only; a write then copies it (COW) into a zeroed page', () => {
    const k = smallKernel(64);
    const t = k.createTask('a');
    const mm = t.mm!;
    const v = k.mmap(t, { pages: 4, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    expect(k.userAccess(t, v, false)).toBe(k.zeroPage);
    expect(mm.pageTable.get(v) & PTE_RW).toBe(0);
    expect(k.pages.mapCount(k.zeroPage)).toBe(1);
    expect([mm.fileRss, mm.anonRss, t.minFlt]).toEqual([1, 0, 1]);
    k.checkInvariants();

    const time = k.clock.now;
    const f = k.userAccess(t, v, true);
    expect(f).not.toBe(k.zeroPage);
    expect(k.pages.test(f, PG_ANON | PG_LRU | PG_ACTIVE)).toBe(true);
    expect(k.pages.mapCount(k.zeroPage)).toBe(0);
    expect([mm.fileRss, mm.anonRss, t.minFlt, t.majFlt]).toEqual([0, 1, 2, 0]);
    // trap + zeroing + TLB flush
    expect(k.clock.now - time).toBe(
      k.costs.minorFaultNs + k.costs.zeroPageNs + k.costs.tlbFlushPageNs,
    );
    k.checkInvariants();
  });

  test('a write fault gets a zero-filled page on the active list, mapped through anon_vma', () => {
    const k = smallKernel(64);
    const t = k.createTask('a');
    const v = k.mmap(t, { pages: 8, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const frames = [0, 1, 2].map((i) => k.userAccess(t, v + i, true));
    const vma = t.mm!.vmaAt(v)!;
    for (const [i, f] of frames.entries()) {
      expect(k.pages.mapping[f]).toBe(vma.anonVma!.id);
      expect(k.pages.index[f]).toBe(v + i); // vm_pgoff of an anonymous VMA is its start
      expect(t.mm!.pageTable.get(v + i) & (PTE_RW | PTE_DIRTY | PTE_ACCESSED)).toBe(
        PTE_RW | PTE_DIRTY | PTE_ACCESSED,
      );
    }
    const zone = k.zones[ZONE_NORMAL]!;
    expect(listFrames(k, zone.activeHead)).toEqual([...frames].reverse());
    expect([t.minFlt, k.vm.pgfault]).toEqual([3, 3]);
    // A second access is a hit: no fault.
    expect(k.userAccess(t, v, true)).toBe(frames[0]);
    expect(t.minFlt).toBe(3);
    k.checkInvariants();
  });

  test('accesses outside a VMA or against its protection are SIGSEGV', () => {
    const k = smallKernel(64);
    const t = k.createTask('a');
    const v = k.mmap(t, { pages: 2, prot: PROT_READ, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    expect(k.userAccess(t, v + 2, false)).toBe(ACCESS_SIGSEGV);
    expect(k.userAccess(t, v, true)).toBe(ACCESS_SIGSEGV);
    expect(k.vm.pgfault).toBe(0);
  });
});

describe('file faults', () => {
  test('a miss is major and reads 32 pages around the fault in one disk request', () => {
    const k = smallKernel(64);
    const file = k.createFile('/data', 100 * 4096);
    const t = k.createTask('reader');
    const v = k.mmap(t, { pages: 100, prot: PROT_READ, flags: MAP_PRIVATE, file });
    const f = k.userAccess(t, v + 40, false);
    // Read-around: start = 40 − 32/2 = 24, pages 24…55.
    expect([t.majFlt, t.minFlt, k.vm.pgmajfault]).toEqual([1, 0, 1]);
    expect(file.nrpages).toBe(32);
    const disk = k.disk.stats();
    expect([disk.reads, disk.bytesRead]).toEqual([1, 32 * 4096]);
    expect(k.clock.now).toBeGreaterThan(disk.busyNs);
    for (let i = 0; i < 100; i++) expect(findPage(k, file.id, i) >= 0).toBe(i >= 24 && i <= 55);
    // Page-cache pages go to the inactive list; the faulted one was marked accessed once.
    const zone = k.zones[ZONE_NORMAL]!;
    expect([zone.nrInactive, zone.nrActive]).toEqual([32, 0]);
    expect(k.pages.test(f, PG_REFERENCED | PG_UPTODATE)).toBe(true);
    expect(k.pages.index[f]).toBe(40);
    k.checkInvariants();

    // A neighbour is in the cache already: minor, no I/O.
    const g = k.userAccess(t, v + 41, false);
    expect(k.pages.index[g]).toBe(41);
    expect([t.majFlt, t.minFlt]).toEqual([1, 1]);
    expect(k.disk.stats().reads).toBe(1);
    // Outside the window: another major fault; a fault near the start reads from page 0.
    k.userAccess(t, v + 5, false);
    expect(t.majFlt).toBe(2);
    expect(file.nrpages).toBe(32 + 24); // 0…23 were missing, 24…31 cached
    k.checkInvariants();
  });

  test('every fault on a file page marks it accessed: the second fault promotes it', () => {
    const k = smallKernel(64);
    const file = k.createFile('/lib', 8 * 4096);
    const a = k.createTask('a');
    const b = k.createTask('b');
    const va = k.mmap(a, { pages: 8, prot: PROT_READ, flags: MAP_SHARED, file });
    const vb = k.mmap(b, { pages: 8, prot: PROT_READ, flags: MAP_SHARED, file });
    const f = k.userAccess(a, va + 3, false);
    expect(k.pages.test(f, PG_ACTIVE)).toBe(false);
    expect(k.userAccess(b, vb + 3, false)).toBe(f);
    expect(k.pages.test(f, PG_ACTIVE)).toBe(true);
    expect(k.pages.mapCount(f)).toBe(2);
    expect([b.minFlt, b.majFlt]).toEqual([1, 0]);
    k.checkInvariants();
  });

  test('a fault beyond the end of the file is SIGBUS', () => {
    const k = smallKernel(64);
    const file = k.createFile('/small', 4096 + 1);
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 4, prot: PROT_READ, flags: MAP_PRIVATE, file });
    expect(k.userAccess(t, v + 1, false)).toBeGreaterThanOrEqual(0);
    expect(k.userAccess(t, v + 2, false)).toBe(ACCESS_SIGBUS);
    k.checkInvariants();
  });

  test('VM_RAND_READ: a miss reads only the faulting page', () => {
    const k = smallKernel(64);
    const file = k.createFile('/db', 64 * 4096);
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 64, prot: PROT_READ, flags: MAP_SHARED, file });
    t.mm!.vmaAt(v)!.flags |= VM_RAND_READ;
    k.userAccess(t, v + 10, false);
    expect(file.nrpages).toBe(1);
    expect(t.majFlt).toBe(1);
    expect(k.vm.pgmajfault).toBe(1);
  });

  test('pgoff: a mapping from file page 10 faults file page 10 at its start', () => {
    const k = smallKernel(64);
    const file = k.createFile('/f', 64 * 4096);
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 4, prot: PROT_READ, flags: MAP_PRIVATE, file, pgoff: 10 });
    expect(k.pages.index[k.userAccess(t, v, false)]).toBe(10);
  });
});

describe('write-protect faults and COW (§B)', () => {
  test('a write to a private file mapping copies at fault time; the file page stays cached', () => {
    const k = smallKernel(64);
    const file = k.createFile('/f', 16 * 4096);
    const t = k.createTask('t');
    const mm = t.mm!;
    const v = k.mmap(t, { pages: 16, prot: RW, flags: MAP_PRIVATE, file });
    const f = k.userAccess(t, v + 2, true);
    expect(k.pages.test(f, PG_ANON | PG_ACTIVE)).toBe(true);
    expect(k.pages.index[f]).toBe(2);
    expect([mm.anonRss, mm.fileRss, t.majFlt]).toEqual([1, 0, 1]);
    expect(file.nrpages).toBe(16);
    k.checkInvariants();
  });

  test('read then write of a private file page: do_wp_page copies it', () => {
    const k = smallKernel(64);
    const file = k.createFile('/f', 16 * 4096);
    const t = k.createTask('t');
    const mm = t.mm!;
    const v = k.mmap(t, { pages: 16, prot: RW, flags: MAP_PRIVATE, file });
    const cached = k.userAccess(t, v, false);
    expect(mm.pageTable.get(v) & PTE_RW).toBe(0);
    const copy = k.userAccess(t, v, true);
    expect(copy).not.toBe(cached);
    expect(k.pages.mapCount(cached)).toBe(0);
    expect(k.pages.count[cached]).toBe(1); // the page cache's reference
    expect([mm.anonRss, mm.fileRss, t.minFlt, t.majFlt]).toEqual([1, 0, 1, 1]);
    // The copy is writable now: a second write is a hit.
    expect(k.userAccess(t, v, true)).toBe(copy);
    expect(t.minFlt).toBe(1);
    k.checkInvariants();
  });

  test('a shared writable mapping is mapped writable: no copy, the PTE goes dirty', () => {
    const k = smallKernel(64);
    const file = k.createFile('/f', 16 * 4096);
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 16, prot: RW, flags: MAP_SHARED, file });
    const f = k.userAccess(t, v, false);
    expect(t.mm!.pageTable.get(v) & (PTE_RW | PTE_DIRTY)).toBe(PTE_RW);
    expect(k.userAccess(t, v, true)).toBe(f);
    expect(t.mm!.pageTable.get(v) & PTE_DIRTY).toBe(PTE_DIRTY);
    expect(t.minFlt + t.majFlt).toBe(1);
    k.checkInvariants();
  });
});

describe('rmap and page_referenced (§A2, §C)', () => {
  test('the rmap walk finds every mm and address mapping a shared file page', () => {
    const k = smallKernel(64);
    const file = k.createFile('/lib', 8 * 4096);
    const tasks = [k.createTask('a'), k.createTask('b'), k.createTask('c')];
    const starts = tasks.map((t, i) =>
      k.mmap(t, { pages: 8, prot: PROT_READ, flags: MAP_SHARED, file, vpn: 0x10000 + i * 64 }),
    );
    const f = k.userAccess(tasks[0]!, starts[0]! + 5, false);
    k.userAccess(tasks[2]!, starts[2]! + 5, false);
    const seen: [number, number][] = [];
    rmapWalk(k, f, (mm, vpn) => {
      seen.push([mm.id, vpn]);
    });
    expect(seen).toEqual([
      [tasks[0]!.mm!.id, 0x10000 + 5],
      [tasks[2]!.mm!.id, 0x10000 + 128 + 5],
    ]);
  });

  test('page_referenced counts PG_referenced and young PTEs, clearing them', () => {
    const k = smallKernel(64);
    const file = k.createFile('/lib', 8 * 4096);
    const a = k.createTask('a');
    const b = k.createTask('b');
    const va = k.mmap(a, { pages: 8, prot: PROT_READ, flags: MAP_SHARED, file });
    const vb = k.mmap(b, { pages: 8, prot: PROT_READ, flags: MAP_SHARED, file });
    const f = k.userAccess(a, va, false); // PG_referenced set by the fault
    k.userAccess(b, vb, false); // second mark_page_accessed: activated, referenced cleared
    k.pages.set(f, PG_REFERENCED);
    // PG_referenced + two young PTEs (x86 PTEs are made young)
    const time = k.clock.now;
    expect(pageReferenced(k, f)).toBe(3);
    expect(k.clock.now - time).toBe(2 * (k.costs.pteScanNs + k.costs.tlbFlushPageNs));
    expect(a.mm!.pageTable.get(va) & PTE_ACCESSED).toBe(0);
    expect(b.mm!.pageTable.get(vb) & PTE_ACCESSED).toBe(0);
    expect(pageReferenced(k, f)).toBe(0);
    // One task touches it again: the MMU sets young in that PTE only.
    k.userAccess(b, vb, false);
    expect(pageReferenced(k, f)).toBe(1);
    k.checkInvariants();
  });

  test('an anonymous page is found through its anon_vma', () => {
    const k = smallKernel(64);
    const t = k.createTask('t');
    const v = k.mmap(t, {
      pages: 4,
      prot: RW,
      flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
      vpn: 0x20000,
    });
    expect(v).toBe(0x20000);
    const f = k.userAccess(t, v + 3, true);
    const seen: number[] = [];
    rmapWalk(k, f, (_mm, vpn) => {
      seen.push(vpn);
    });
    expect(seen).toEqual([v + 3]);
    expect(pageReferenced(k, f)).toBe(1);
    expect(pageReferenced(k, f)).toBe(0);
  });
});
