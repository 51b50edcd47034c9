/**
 * Page-table copying and tearing down (mm/memory.c): copy_page_range for fork with the
 * rules of §C, and zap_page_range for munmap and exit.
 */
import {
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_RW,
  VPN_COUNT,
  pteIsSwap,
  pteSwapSlot,
} from '@cvhrc/hw';
import type { Kernel } from './kernel.js';
import { markPageAccessed, putPage } from './lru.js';
import { isCowMapping, VM_SHARED, type MmStruct, type Vma } from './mm.js';
import { PG_ANON } from './page.js';
import { pageRemoveRmap } from './rmap.js';
import { freeSwapAndCache, freeSwapCache, swapDuplicate } from './swap.js';
import { setPageDirty } from './writeback.js';

/**
 * copy_page_range / copy_one_pte (§C): every PTE of the parent's VMA is copied into the
 * child. A COW mapping is write-protected in both parent and child; a shared mapping's
 * copy is made clean; the child's PTEs are old. Each mapped page gains a reference and a
 * mapcount (page_dup_rmap), counted in the child's RSS; a swap entry is duplicated.
 * A VMA with no anon_vma (file pages only) is not copied: the child faults them lazily.
 */
export function copyPageRange(k: Kernel, dst: MmStruct, src: MmStruct, vma: Vma): number {
  if (vma.anonVma === null) return 0;
  const cow = isCowMapping(vma.flags);
  const shared = (vma.flags & VM_SHARED) !== 0;
  const pages = k.pages;
  const dstPt = dst.pageTable;
  let copied = 0;
  src.pageTable.walk(vma.start, vma.pages, (vpn, pte) => {
    if ((pte & PTE_PRESENT) === 0) {
      // A swap entry: the child holds it too.
      if (!pteIsSwap(pte)) throw new Error(`copyPageRange: bad PTE at vpn ${vpn}`);
      swapDuplicate(k, pteSwapSlot(pte));
      dstPt.set(vpn, pte);
      return undefined;
    }
    let srcPte = pte;
    if (cow) srcPte = pte & ~PTE_RW;
    let child = srcPte;
    if (shared) child &= ~PTE_DIRTY;
    child &= ~PTE_ACCESSED;
    const frame = pte >>> 12;
    pages.count[frame]!++;
    pages.mapcount[frame]!++;
    if (pages.flags[frame]! & PG_ANON) dst.anonRss++;
    else dst.fileRss++;
    dstPt.set(vpn, child >>> 0);
    k.hooks.pageMapped?.(dst, vpn, frame);
    copied++;
    return srcPte >>> 0;
  });
  k.chargeSystem(copied * k.costs.pteScanNs);
  return copied;
}

/**
 * zap_pte_range over [start, end) of a VMA: clears every PTE; a file page whose PTE was
 * dirty is set dirty and one whose PTE was young is marked accessed (§A1); the mapping
 * and its reference are dropped. Returns the number of pages unmapped.
 */
export function zapPageRange(k: Kernel, vma: Vma, start: number, end: number): number {
  const mm = vma.mm;
  const pages = k.pages;
  const pt = mm.pageTable;
  if (!(Number.isInteger(start) && start >= 0 && start <= end && end <= VPN_COUNT)) {
    throw new RangeError(`zapPageRange: bad range [${start}, ${end})`);
  }
  const frames: number[] = [];
  // The PTEs of the range that are not none, in order, each cleared once handled: a walk
  // over the page table's memory in place of PageTable.walk and a visitor (a call per PTE).
  for (let vpn = start; vpn < end; ) {
    const tableEnd = Math.min(end, ((vpn >>> 10) + 1) << 10);
    const base = pt.mem[vpn >>> 10]!;
    if (base === 0) {
      vpn = tableEnd;
      continue;
    }
    for (; vpn < tableEnd; vpn++) {
      const i = base + (vpn & 1023);
      const pte = pt.mem[i]! >>> 0; // pt.mem is read again: a hook may have grown it
      if (pte === 0) continue;
      if ((pte & PTE_PRESENT) === 0) {
        if (!pteIsSwap(pte)) throw new Error(`zapPageRange: bad PTE at vpn ${vpn}`);
        freeSwapAndCache(k, pteSwapSlot(pte));
        pt.mem[i] = 0;
        continue;
      }
      const frame = pte >>> 12;
      if (pages.flags[frame]! & PG_ANON) {
        mm.anonRss--;
      } else {
        if (pte & PTE_DIRTY) setPageDirty(k, frame);
        if (pte & PTE_ACCESSED) markPageAccessed(k, frame);
        mm.fileRss--;
      }
      pageRemoveRmap(k, frame);
      k.hooks.pageUnmapped?.(mm, vpn, frame);
      frames.push(frame);
      pt.mem[i] = 0;
    }
  }
  // tlb_finish_mmu: one TLB flush, then the gathered pages are released.
  if (frames.length > 0) k.chargeSystem(k.costs.tlbFlushAllNs + frames.length * k.costs.pteScanNs);
  // free_pages_and_swap_cache: an unmapped swap-cache page only the cache holds leaves it.
  for (const f of frames) {
    freeSwapCache(k, f);
    putPage(k, f);
  }
  return frames.length;
}
