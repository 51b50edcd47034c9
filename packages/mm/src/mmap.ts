/**
 * Unmapping (mm/mmap.c): split_vma, do_munmap, remove_vma and exit_mmap; and dup_mmap of
 * fork (kernel/fork.c).
 */
import type { Kernel } from './kernel.js';
import { copyPageRange, zapPageRange } from './memory.js';
import { PTE_DIRTY, PTE_FLAGS_MASK, PTE_PRESENT, PTE_TRACKING } from '@cvhrc/hw';
import {
  VM_DONTCOPY,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_WRITE,
  Vma,
  vmPageProt,
  type MmStruct,
} from './mm.js';
import { anonVmaLink, anonVmaUnlink } from './rmap.js';

/** vm_stat_account with a sign: the mm's total/shared/exec/stack counters for a VMA's pages. */
function vmStatAccount(mm: MmStruct, vma: Vma, pages: number): void {
  mm.totalVm += pages;
  if (vma.flags & VM_LOCKED) mm.lockedVm += pages;
  if (vma.file !== null) {
    mm.sharedVm += pages;
    if ((vma.flags & (VM_EXEC | VM_WRITE)) === VM_EXEC) mm.execVm += pages;
  } else if (vma.flags & VM_GROWSDOWN) {
    mm.stackVm += pages;
  }
}

/** Accounts a newly inserted VMA. */
export function accountNewVma(mm: MmStruct, vma: Vma): void {
  vmStatAccount(mm, vma, vma.pages);
}

/** Links a VMA into its file's i_mmap, right after `after` when given (vma_prio_tree_add). */
function linkFile(vma: Vma, after: Vma | null): void {
  const list = vma.file?.iMmap;
  if (list === undefined) return;
  const i = after === null ? -1 : list.indexOf(after);
  if (i < 0) list.push(vma);
  else list.splice(i + 1, 0, vma);
}

function unlinkFile(vma: Vma): void {
  const list = vma.file?.iMmap;
  if (list === undefined) return;
  const i = list.indexOf(vma);
  if (i >= 0) list.splice(i, 1);
}

/**
 * split_vma: cuts a VMA in two at `at`; the new VMA is the part below `at` when
 * `newBelow`, else the part above. The new one shares the anon_vma and joins i_mmap.
 */
export function splitVma(vma: Vma, at: number, newBelow: boolean): Vma {
  const mm = vma.mm;
  const part = new Vma(mm, vma.start, vma.end, vma.flags, vma.pgoff, vma.file);
  if (newBelow) {
    part.end = at;
    vma.pgoff += at - vma.start;
    vma.start = at;
  } else {
    part.start = at;
    part.pgoff += at - vma.start;
    vma.end = at;
  }
  if (vma.anonVma !== null) anonVmaLink(part, vma.anonVma);
  linkFile(part, vma);
  mm.insertVma(part);
  return part;
}

/** remove_vma: the VMA leaves its mm, its file's i_mmap and its anon_vma. */
function removeVma(k: Kernel, vma: Vma): void {
  vmStatAccount(vma.mm, vma, -vma.pages);
  vma.mm.removeVma(vma);
  unlinkFile(vma);
  anonVmaUnlink(k, vma);
  // shm_close: the last detach of a removed segment destroys it.
  if (vma.file?.kind === 'shmem') k.shmClosed(vma.file);
}

/**
 * do_munmap: unmaps [start, start + pages): VMAs straddling an end are split, the pages of
 * the range are zapped, empty page tables freed, the VMAs removed. Returns the pages
 * unmapped from page tables.
 */
export function doMunmap(k: Kernel, mm: MmStruct, start: number, pages: number): number {
  const end = start + pages;
  let vma = mm.findVma(start);
  if (vma === null || vma.start >= end) return 0;
  if (vma.start < start) splitVma(vma, start, true);
  const last = mm.findVma(end - 1);
  if (last !== null && last.start < end && last.end > end) splitVma(last, end, false);
  mm.updateHiwater();
  let zapped = 0;
  const doomed = mm.vmas.filter((v) => v.start >= start && v.end <= end);
  for (vma of doomed) zapped += zapPageRange(k, vma, vma.start, vma.end);
  mm.pageTable.freeEmptyTables(start, pages);
  for (vma of doomed) removeVma(k, vma);
  return zapped;
}

/**
 * do_brk: [start, start + pages) becomes anonymous heap: the VMA ending at `start` is
 * extended when it is an anonymous VMA of the same flags (vma_merge), else a new VMA is made.
 */
export function doBrk(mm: MmStruct, start: number, pages: number, flags: number): void {
  const prev = mm.findVma(start - 1);
  if (
    prev !== null &&
    prev.end === start &&
    prev.file === null &&
    prev.flags === flags &&
    mm.isFree(start, start + pages)
  ) {
    prev.end += pages;
    mm.mmapCache = null;
    vmStatAccount(mm, prev, pages);
    return;
  }
  const vma = new Vma(mm, start, start + pages, flags, start, null);
  mm.insertVma(vma);
  accountNewVma(mm, vma);
}

/**
 * mprotect_fixup + change_protection: the VMA's part [start, end) gets `newFlags` (split off
 * as needed) and every present PTE in it the new protection (pte_modify keeps the frame and
 * the dirty bit; x86's protections set the accessed bit). Swap entries are left alone.
 */
export function mprotectFixup(
  k: Kernel,
  vma: Vma,
  start: number,
  end: number,
  newFlags: number,
): void {
  if (vma.flags === newFlags) return;
  if (vma.start < start) splitVma(vma, start, true);
  if (vma.end > end) splitVma(vma, end, false);
  const mm = vma.mm;
  vmStatAccount(mm, vma, -vma.pages);
  vma.flags = newFlags;
  vma.pageProt = vmPageProt(newFlags);
  vmStatAccount(mm, vma, vma.pages);
  const prot = vma.pageProt;
  let changed = 0;
  mm.pageTable.walk(vma.start, vma.pages, (_vpn, pte) => {
    if ((pte & PTE_PRESENT) === 0) return undefined;
    changed++;
    return ((pte & ~PTE_FLAGS_MASK) | (pte & (PTE_DIRTY | PTE_TRACKING)) | prot) >>> 0;
  });
  // flush_tlb_range
  if (changed > 0) k.chargeSystem(k.costs.tlbFlushAllNs + changed * k.costs.pteScanNs);
}

/** exit_mmap: the last user of the mm is gone: everything is unmapped. */
export function exitMmap(k: Kernel, mm: MmStruct): void {
  mm.updateHiwater();
  for (const vma of [...mm.vmas]) zapPageRange(k, vma, vma.start, vma.end);
  for (const vma of [...mm.vmas]) removeVma(k, vma);
  mm.pageTable.clear();
}

/**
 * dup_mmap: the child's mm gets a copy of every VMA except VM_DONTCOPY ones (VM_LOCKED is
 * not inherited); a copied VMA joins the parent's anon_vma and, after the parent's VMA, the
 * file's i_mmap; its PTEs are copied by copy_page_range (§C).
 */
export function dupMmap(k: Kernel, child: MmStruct, parent: MmStruct): void {
  child.mmapBase = parent.mmapBase;
  child.startBrk = parent.startBrk;
  child.brk = parent.brk;
  for (const vma of parent.vmas) {
    if (vma.flags & VM_DONTCOPY) continue;
    const copy = new Vma(child, vma.start, vma.end, vma.flags & ~VM_LOCKED, vma.pgoff, vma.file);
    if (vma.anonVma !== null) anonVmaLink(copy, vma.anonVma);
    linkFile(copy, vma);
    child.insertVma(copy);
    accountNewVma(child, copy);
    copyPageRange(k, child, parent, vma);
  }
  child.hiwaterRss = child.rss;
  child.hiwaterVm = child.totalVm;
}
