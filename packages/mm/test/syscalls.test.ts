// brk, mprotect and exec; zap_page_range.
import { PTE_ACCESSED, PTE_DIRTY, PTE_RW } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import {
  ACCESS_SIGSEGV,
  DEFAULT_START_BRK,
  ELF_TEXT_START,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PG_ANON,
  PROT_READ,
  PROT_WRITE,
  STACK_TOP_PAGES,
  SyscallError,
  zapPageRange,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

test('brk grows the heap as one VMA and shrinking frees its pages', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const mm = t.mm!;
  expect(k.brk(t, DEFAULT_START_BRK + 4)).toBe(DEFAULT_START_BRK + 4);
  expect(k.brk(t, DEFAULT_START_BRK + 10)).toBe(DEFAULT_START_BRK + 10);
  expect(mm.vmas.map((v) => [v.start - DEFAULT_START_BRK, v.end - DEFAULT_START_BRK])).toEqual([
    [0, 10],
  ]);
  for (let i = 0; i < 10; i++) k.userAccess(t, DEFAULT_START_BRK + i, true);
  const free = k.freePages;
  expect(k.brk(t, DEFAULT_START_BRK + 3)).toBe(DEFAULT_START_BRK + 3);
  expect(k.freePages).toBe(free + 7);
  expect([mm.totalVm, mm.anonRss]).toEqual([3, 3]);
  expect(k.userAccess(t, DEFAULT_START_BRK + 5, true)).toBe(ACCESS_SIGSEGV);
  // Below start_brk, or into another mapping: refused, brk unchanged.
  expect(k.brk(t, DEFAULT_START_BRK - 1)).toBe(DEFAULT_START_BRK + 3);
  k.mmap(t, {
    pages: 1,
    prot: PROT_READ,
    flags: MAP_PRIVATE | MAP_ANONYMOUS | 0x10,
    vpn: DEFAULT_START_BRK + 20,
  });
  expect(k.brk(t, DEFAULT_START_BRK + 30)).toBe(DEFAULT_START_BRK + 3);
  k.checkInvariants();
});

test('mprotect splits the VMA; read-only PTEs then a write reuses the exclusive page', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const mm = t.mm!;
  const v = k.mmap(t, {
    pages: 8,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  const frames = [0, 1, 2, 3].map((i) => k.userAccess(t, v + 2 + i, true));
  mm.pageTable.clearFlags(v + 2, PTE_ACCESSED);
  k.mprotect(t, v + 2, 4, PROT_READ);
  expect(mm.vmas.map((x) => [x.start - v, x.end - v])).toEqual([
    [0, 2],
    [2, 6],
    [6, 8],
  ]);
  const pte = mm.pageTable.get(v + 2);
  expect(pte & (PTE_RW | PTE_DIRTY | PTE_ACCESSED)).toBe(PTE_DIRTY | PTE_ACCESSED); // x86 prots set A
  expect(k.userAccess(t, v + 2, true)).toBe(ACCESS_SIGSEGV);
  k.mprotect(t, v, 8, PROT_READ | PROT_WRITE);
  // Private writable PTEs stay read-only (PAGE_COPY); the write fault reuses the page.
  expect(mm.pageTable.get(v + 3) & PTE_RW).toBe(0);
  expect(k.userAccess(t, v + 3, true)).toBe(frames[1]);
  expect(t.minFlt).toBe(5);
  expect(() => k.mprotect(t, v + 6, 4, PROT_READ)).toThrow(SyscallError);
  k.checkInvariants();
});

test('exec maps text, data, heap and stack; the old address space is freed', () => {
  const k = smallKernel(64);
  const sh = k.createFile('/bin/sh', 40 * 4096);
  const libc = k.createFile('/lib/libc.so.6', 300 * 4096);
  const cc1 = k.createFile('/usr/libexec/gcc/cc1', 2000 * 4096);
  const t = k.createTask('make');
  k.exec(t, sh, { textPages: 30, dataPages: 10, libs: [libc] });
  const child = k.fork(t);
  const oldMm = child.mm!;
  k.userAccess(child, ELF_TEXT_START, false);
  k.exec(child, cc1, { textPages: 1800, dataPages: 200, stackPages: 16, libs: [libc] });
  expect(child.comm).toBe('cc1');
  expect(child.mm).not.toBe(oldMm);
  const mm = child.mm!;
  expect(mm.vmas.map((x) => x.pages)).toEqual([1800, 200, 300, 16]);
  expect(mm.startBrk).toBe(ELF_TEXT_START + 2000);
  expect(mm.totalVm).toBe(2316);
  // Text is a file fault; a data write copies the file page; the heap and stack are anonymous.
  k.userAccess(child, ELF_TEXT_START, false);
  const data = k.userAccess(child, ELF_TEXT_START + 1800, true);
  expect(k.pages.test(data, PG_ANON)).toBe(true);
  k.brk(child, mm.startBrk + 64);
  k.userAccess(child, mm.startBrk, true);
  k.userAccess(child, STACK_TOP_PAGES - 1, true);
  expect(child.majFlt).toBeGreaterThanOrEqual(1);
  k.checkInvariants();
  k.exit(child);
  k.exit(t);
  expect(k.nrMapped).toBe(0);
  k.checkInvariants();
});

test('zapPageRange unmaps the pages of a range across page tables, and refuses a bad range', () => {
  const k = smallKernel(64);
  const t = k.createTask('t');
  const mm = t.mm!;
  const vpn = k.mmap(t, {
    pages: 3000,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  const vma = mm.vmas.find((v) => v.start === vpn)!;
  // Every other page written: present PTEs on three page tables, none between them.
  for (let i = 0; i < 3000; i += 2) k.userAccess(t, vpn + i, true);
  const free = k.freePages;
  const unmapped: number[] = [];
  k.hooks.pageUnmapped = (_mm, v) => void unmapped.push(v - vpn);
  expect(zapPageRange(k, vma, vpn + 1000, vpn + 2101)).toBe(551);
  expect(unmapped).toEqual(Array.from({ length: 551 }, (_, j) => 1000 + 2 * j));
  expect(k.freePages).toBe(free + 551);
  expect(mm.anonRss).toBe(1500 - 551);
  for (const i of [998, 1000, 2100, 2102]) {
    expect(mm.pageTable.get(vpn + i) !== 0, `page ${i}`).toBe(i < 1000 || i > 2100);
  }
  k.checkInvariants();
  expect(() => zapPageRange(k, vma, vpn + 10, vpn + 5)).toThrow(/zapPageRange: bad range/);
});
