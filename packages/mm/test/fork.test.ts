// fork (copy_page_range, §C), COW after fork (§B), page_referenced for a page mapped by
// parent and child (§A2), munmap and exit.
import { PTE_ACCESSED, PTE_RW } from '@cvhrc/hw';
import { describe, expect, test } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  pageReferenced,
  PG_ACTIVE,
  PROT_READ,
  PROT_WRITE,
  rmapWalk,
  ZONE_NORMAL,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

const RW = PROT_READ | PROT_WRITE;

describe('fork', () => {
  test('COW after fork: both write-protected; the child copies, then the parent reuses', () => {
    const k = smallKernel(64);
    const parent = k.createTask('parent');
    const v = k.mmap(parent, { pages: 4, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const orig = k.userAccess(parent, v, true);
    const child = k.fork(parent, 'child');
    const ppt = parent.mm!.pageTable;
    const cpt = child.mm!.pageTable;
    expect(ppt.get(v) & PTE_RW).toBe(0);
    expect(cpt.get(v) & PTE_RW).toBe(0);
    expect(ppt.get(v) & PTE_ACCESSED).toBe(PTE_ACCESSED);
    expect(cpt.get(v) & PTE_ACCESSED).toBe(0); // child PTEs are old
    expect([k.pages.mapCount(orig), k.pages.count[orig]]).toEqual([2, 2]);
    expect([child.mm!.anonRss, child.mm!.totalVm]).toEqual([1, 4]);
    k.checkInvariants();

    // The child writes: do_wp_page copies the page.
    const copy = k.userAccess(child, v, true);
    expect(copy).not.toBe(orig);
    expect(k.pages.mapCount(orig)).toBe(1);
    expect(child.minFlt).toBe(1);
    expect(cpt.get(v) & PTE_RW).toBe(PTE_RW);
    // The parent writes: its page has a single user now, so it is reused, not copied.
    const free = k.freePages;
    expect(k.userAccess(parent, v, true)).toBe(orig);
    expect(k.freePages).toBe(free);
    expect(ppt.get(v) & PTE_RW).toBe(PTE_RW);
    expect(parent.minFlt).toBe(2);
    k.checkInvariants();
  });

  test('page_referenced walks parent and child through the shared anon_vma', () => {
    const k = smallKernel(64);
    const parent = k.createTask('parent');
    const v = k.mmap(parent, { pages: 1, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const f = k.userAccess(parent, v, true);
    const child = k.fork(parent);
    const where: number[] = [];
    rmapWalk(k, f, (mm) => {
      where.push(mm.id);
    });
    expect(where).toEqual([parent.mm!.id, child.mm!.id]);
    // Only the parent's PTE is young after fork.
    expect(pageReferenced(k, f)).toBe(1);
    expect(pageReferenced(k, f)).toBe(0);
    k.userAccess(child, v, false);
    expect(pageReferenced(k, f)).toBe(1);
    k.userAccess(child, v, false);
    k.userAccess(parent, v, false);
    expect(pageReferenced(k, f)).toBe(2);
    expect(parent.mm!.pageTable.get(v) & PTE_ACCESSED).toBe(0);
    expect(child.mm!.pageTable.get(v) & PTE_ACCESSED).toBe(0);
    k.checkInvariants();
  });

  test('file-only VMAs are not copied: the child faults them lazily (minor)', () => {
    const k = smallKernel(64);
    const file = k.createFile('/bin/sh', 16 * 4096);
    const parent = k.createTask('sh');
    const v = k.mmap(parent, { pages: 16, prot: PROT_READ, flags: MAP_SHARED, file });
    const f = k.userAccess(parent, v, false);
    const child = k.fork(parent);
    expect(child.mm!.pageTable.get(v)).toBe(0);
    expect(child.mm!.totalVm).toBe(16);
    expect(k.userAccess(child, v, false)).toBe(f);
    expect([child.minFlt, child.majFlt]).toEqual([1, 0]);
    k.checkInvariants();
  });

  test('a private file VMA with COW pages is copied whole, write-protected', () => {
    const k = smallKernel(64);
    const file = k.createFile('/data', 16 * 4096);
    const parent = k.createTask('p');
    const v = k.mmap(parent, { pages: 16, prot: RW, flags: MAP_PRIVATE, file });
    const cached = k.userAccess(parent, v, false);
    const anon = k.userAccess(parent, v + 1, true);
    const child = k.fork(parent);
    expect(child.mm!.pageTable.get(v) >>> 12).toBe(cached);
    expect(child.mm!.pageTable.get(v + 1) >>> 12).toBe(anon);
    expect([child.mm!.fileRss, child.mm!.anonRss]).toEqual([1, 1]);
    expect(parent.mm!.pageTable.get(v + 1) & PTE_RW).toBe(0);
    k.checkInvariants();
  });
});

describe('munmap and exit', () => {
  test('munmap of the middle of a VMA splits it and frees those pages', () => {
    const k = smallKernel(64);
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 10, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    for (let i = 0; i < 10; i++) k.userAccess(t, v + i, true);
    const free = k.freePages;
    expect(k.munmap(t, v + 3, 4)).toBe(4);
    expect(k.freePages).toBe(free + 4);
    expect(t.mm!.vmas.map((x) => [x.start - v, x.end - v])).toEqual([
      [0, 3],
      [7, 10],
    ]);
    expect([t.mm!.anonRss, t.mm!.totalVm]).toEqual([6, 6]);
    k.checkInvariants();
    // The split VMAs still share the anon_vma: rmap finds the pages on both sides.
    const f = t.mm!.pageTable.get(v + 8) >>> 12;
    let found = 0;
    rmapWalk(k, f, () => {
      found++;
    });
    expect(found).toBe(1);
  });

  test('exit frees everything; a young file page is marked accessed (§A1)', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const file = k.createFile('/lib/libc.so', 32 * 4096);
    const free0 = k.freePages;
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 32, prot: PROT_READ, flags: MAP_PRIVATE, file });
    const f = k.userAccess(t, v, false); // fault: PG_referenced set
    const a = k.mmap(t, { pages: 8, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    for (let i = 0; i < 8; i++) k.userAccess(t, a + i, true);
    const child = k.fork(t);
    k.exit(child);
    k.checkInvariants();
    k.exit(t);
    // The young PTE at exit is the second touch: the page is promoted.
    expect(k.pages.test(f, PG_ACTIVE)).toBe(true);
    expect(zone.nrActive + zone.nrInactive).toBe(32); // only the page cache is left
    expect(k.freePages).toBe(free0 - 32);
    expect(k.nrMapped).toBe(0);
    k.checkInvariants();
  });
});
