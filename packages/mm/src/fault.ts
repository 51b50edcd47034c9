/**
 * Page faults of 2.6.17 (§B): do_page_fault's VMA checks, handle_pte_fault, and the
 * handlers do_anonymous_page, do_no_page with filemap_nopage, and do_wp_page.
 *
 * A fault that must wait for a page's I/O returns VM_FAULT_WAIT with `task.waitFrame` set;
 * the caller sleeps until the page is unlocked and retries the access. The retry continues
 * the same fault: it is counted once, as minor or major, when it completes.
 */
import {
  makePte,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_RW,
  pteIsSwap,
  pteSwapSlot,
} from '@cvhrc/hw';
import {
  doPageCacheReadahead,
  findGetPage,
  maxSaneReadahead,
  findPage,
  MMAP_LOTSAMISS,
  type AddressSpace,
} from './filemap.js';
import { GFP_HIGHUSER, __GFP_ZERO } from './gfp.js';
import type { Kernel } from './kernel.js';
import { lruCacheAddActive, markPageAccessed, putPage } from './lru.js';
import { VM_EXEC, VM_RAND_READ, VM_READ, VM_SHARED, VM_WRITE, type Vma } from './mm.js';
import { PG_ANON, PG_LOCKED, PG_SWAPCACHE, PG_UPTODATE } from './page.js';
import { allocPages } from './pagealloc.js';
import {
  anonVmaPrepare,
  pageAddAnonRmap,
  pageAddFileRmap,
  pageAddNewAnonRmap,
  pageRemoveRmap,
} from './rmap.js';
import {
  grabSwapToken,
  lookupSwapCache,
  readSwapCacheAsync,
  removeExclusiveSwapPage,
  swapFree,
  swapinReadahead,
  vmSwapFull,
} from './swap.js';
import { SHMEM_OOM, SHMEM_SIGBUS, SHMEM_WAIT, shmemGetpage } from './shm.js';
import type { Task } from './task.js';

/** Results of a fault, at the kernel's values (VM_FAULT_*). */
export const VM_FAULT_OOM = 0;
export const VM_FAULT_SIGBUS = 1;
export const VM_FAULT_MINOR = 2;
export const VM_FAULT_MAJOR = 3;
/** Emulation: the task must sleep until `task.waitFrame` is unlocked, then retry. */
export const VM_FAULT_WAIT = 4;
/** do_page_fault's bad_area: no VMA, or the VMA does not permit the access. */
export const VM_FAULT_SIGSEGV = 5;

/**
 * can_share_swap_page: the page has one user — one PTE, plus, for a page in the swap cache
 * mapped at most once, the PTEs still holding its swap entry (page_swapcount).
 */
export function canShareSwapPage(k: Kernel, frame: number): boolean {
  const pages = k.pages;
  let count = pages.mapCount(frame);
  if (count <= 1 && pages.flags[frame]! & PG_SWAPCACHE) {
    count += k.swap!.swapMap[pages.private[frame]!]! - 1;
  }
  return count === 1;
}

/** maybe_mkwrite: writable only if the VMA is. */
function maybeMkwrite(pte: number, vma: Vma): number {
  return vma.flags & VM_WRITE ? pte | PTE_RW : pte;
}

/**
 * do_page_fault (arch/i386/mm/fault.c) after the trap: finds the VMA, checks the access
 * (a write needs VM_WRITE; a read VM_READ or VM_EXEC), calls handle_mm_fault and counts the
 * result in the task's min_flt / maj_flt. Stack growth (VM_GROWSDOWN) is not modelled.
 */
export function doPageFault(k: Kernel, task: Task, vpn: number, write: boolean): number {
  const mm = task.mm;
  if (mm === null) return VM_FAULT_SIGSEGV;
  const vma = mm.findVma(vpn);
  if (vma === null || vma.start > vpn) return VM_FAULT_SIGSEGV;
  if (write ? (vma.flags & VM_WRITE) === 0 : (vma.flags & (VM_READ | VM_EXEC)) === 0) {
    return VM_FAULT_SIGSEGV;
  }
  if (!task.faultPending) {
    task.faultPending = true;
    mm.faultsInProgress++;
    task.faultMajor = false;
    task.faultReadaround = false;
    k.vm.pgfault++;
    k.chargeSystem(k.costs.minorFaultNs);
  }
  const ret = handlePteFault(k, task, vma, vpn, write);
  if (ret === VM_FAULT_WAIT) return ret;
  task.faultPending = false;
  mm.faultsInProgress--;
  task.waitFrame = -1;
  if (ret === VM_FAULT_MINOR) task.minFlt++;
  else if (ret === VM_FAULT_MAJOR) task.majFlt++;
  else return ret;
  k.hooks.fault?.(task, vpn, write, ret);
  return ret;
}

/** handle_pte_fault (§B). */
export function handlePteFault(
  k: Kernel,
  task: Task,
  vma: Vma,
  vpn: number,
  write: boolean,
): number {
  const pt = vma.mm.pageTable;
  const pte = pt.get(vpn);
  if ((pte & PTE_PRESENT) === 0) {
    if (pte === 0) {
      return vma.file === null
        ? doAnonymousPage(k, task, vma, vpn, write)
        : doNoPage(k, task, vma, vpn, write);
    }
    if (pteIsSwap(pte)) return doSwapPage(k, task, vma, vpn, write, pte);
    throw new Error(`handlePteFault: unexpected non-present PTE 0x${pte.toString(16)}`);
  }
  if (write && (pte & PTE_RW) === 0) return doWpPage(k, task, vma, vpn, pte);
  // The access may proceed: the kernel sets young (and dirty) itself.
  pt.set(vpn, pte | PTE_ACCESSED | (write ? PTE_DIRTY : 0));
  return VM_FAULT_MINOR;
}

/**
 * do_anonymous_page (§B): a read maps the shared ZERO_PAGE read-only (counted in file_rss,
 * as 2.6.17 does); a write gets a zero-filled page on the active list, mapped through the
 * VMA's anon_vma. Minor.
 */
export function doAnonymousPage(
  k: Kernel,
  task: Task,
  vma: Vma,
  vpn: number,
  write: boolean,
): number {
  const mm = vma.mm;
  if (write) {
    anonVmaPrepare(k, vma);
    const frame = allocPages(k, GFP_HIGHUSER | __GFP_ZERO, 0, task.allocFlags);
    if (frame < 0) return VM_FAULT_OOM;
    // The allocation may have slept in reclaim: back out if the PTE changed meanwhile.
    if (mm.pageTable.get(vpn) !== 0) {
      putPage(k, frame);
      return VM_FAULT_MINOR;
    }
    mm.pageTable.set(vpn, maybeMkwrite(makePte(frame, vma.pageProt | PTE_DIRTY), vma));
    mm.anonRss++;
    lruCacheAddActive(k, frame);
    pageAddNewAnonRmap(k, frame, vma, vpn);
    k.hooks.pageMapped?.(mm, vpn, frame);
  } else {
    const zero = k.zeroPage;
    k.pages.count[zero]!++;
    mm.pageTable.set(vpn, makePte(zero, vma.pageProt & ~PTE_RW));
    mm.fileRss++;
    pageAddFileRmap(k, zero);
    k.hooks.pageMapped?.(mm, vpn, zero);
  }
  return VM_FAULT_MINOR;
}

/**
 * do_no_page (§B): gets the file page from filemap_nopage; a write to a private mapping
 * breaks COW at once (the copy is a new anonymous page on the active list).
 */
export function doNoPage(k: Kernel, task: Task, vma: Vma, vpn: number, write: boolean): number {
  const as = vma.file!;
  let frame: number;
  if (as.kind === 'shmem') {
    frame = shmemGetpage(k, task, as, vma.linearPageIndex(vpn));
    if (frame === SHMEM_WAIT) return VM_FAULT_WAIT;
    if (frame === SHMEM_OOM) return VM_FAULT_OOM;
    if (frame === SHMEM_SIGBUS) return VM_FAULT_SIGBUS;
  } else {
    frame = filemapNopage(k, task, vma, as, vma.linearPageIndex(vpn));
    if (frame < 0) return -frame - 1;
  }
  const majmin = task.faultMajor ? VM_FAULT_MAJOR : VM_FAULT_MINOR;
  let anon = false;
  if (write && (vma.flags & VM_SHARED) === 0) {
    anonVmaPrepare(k, vma);
    const copy = allocPages(k, GFP_HIGHUSER, 0, task.allocFlags);
    if (copy < 0) {
      putPage(k, frame);
      return VM_FAULT_OOM;
    }
    k.chargeSystem(k.costs.copyPageNs);
    k.pages.stamp[copy] = k.pages.stamp[frame]!;
    putPage(k, frame);
    frame = copy;
    anon = true;
  }
  const mm = vma.mm;
  if (mm.pageTable.get(vpn) !== 0) {
    // Someone else mapped it while we slept: back out.
    putPage(k, frame);
    return majmin;
  }
  let pte = makePte(frame, vma.pageProt);
  if (write) pte = maybeMkwrite(pte | PTE_DIRTY, vma);
  mm.pageTable.set(vpn, pte);
  if (anon) {
    mm.anonRss++;
    lruCacheAddActive(k, frame);
    pageAddNewAnonRmap(k, frame, vma, vpn);
  } else {
    mm.fileRss++;
    pageAddFileRmap(k, frame);
  }
  k.hooks.pageMapped?.(mm, vpn, frame);
  return majmin;
}

/** Encodes a VM_FAULT_* result as a negative number for filemapNopage's return. */
const nopageError = (code: number): number => -code - 1;

/**
 * page_cache_read: reads one page into the page cache (no read-around). False when no
 * page could be allocated.
 */
function pageCacheRead(k: Kernel, as: AddressSpace, index: number): boolean {
  return findPage(k, as.id, index) >= 0 || doPageCacheReadahead(k, as, index, 1) > 0;
}

/**
 * filemap_nopage (§B): the page at `index` of the file, with a reference, or a negative
 * code (-(VM_FAULT_x) - 1). A page-cache hit is minor. A miss is major and reads around
 * the fault — ra_pages (32) pages starting ra_pages/2 before it — unless the VMA is
 * VM_RAND_READ or misses outnumber hits by MMAP_LOTSAMISS, when only the page is read. A
 * page found but not yet up to date makes the fault major and the task wait for it. Every
 * successful fault marks the page accessed (§A1).
 */
export function filemapNopage(
  k: Kernel,
  task: Task,
  vma: Vma,
  as: AddressSpace,
  index: number,
): number {
  if (index >= as.sizePages) return nopageError(VM_FAULT_SIGBUS);
  const random = (vma.flags & VM_RAND_READ) !== 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    let frame = findGetPage(k, as.id, index);
    if (frame < 0) {
      let readAround = !random;
      if (readAround) {
        as.mmapMiss++;
        // Do we miss much more than hit in this file? Then read-around only hurts.
        if (as.mmapMiss > as.mmapHit + MMAP_LOTSAMISS) readAround = false;
      }
      if (readAround) {
        if (!task.faultReadaround && !task.faultMajor) {
          task.faultMajor = true;
          k.vm.pgmajfault++;
        }
        task.faultReadaround = true;
        const raPages = maxSaneReadahead(k, as.raPages);
        if (raPages > 0) {
          const start = index > raPages >>> 1 ? index - (raPages >>> 1) : 0;
          doPageCacheReadahead(k, as, start, raPages);
        }
        frame = findGetPage(k, as.id, index);
      }
      if (frame < 0) {
        // no_cached_page: read just this page, then look again.
        if (!pageCacheRead(k, as, index)) return nopageError(VM_FAULT_OOM);
        grabSwapToken(k, vma.mm);
        continue;
      }
    }
    if (!task.faultReadaround && !task.faultMajor) as.mmapHit++;
    const flags = k.pages.flags[frame]!;
    if ((flags & PG_UPTODATE) === 0) {
      if (!task.faultReadaround && !task.faultMajor) {
        task.faultMajor = true;
        k.vm.pgmajfault++;
      }
      if ((flags & PG_LOCKED) === 0) {
        throw new Error(`filemapNopage: frame ${frame} neither up to date nor under I/O`);
      }
      // lock_page sleeps until the read completes; the page cache keeps the page meanwhile.
      putPage(k, frame);
      task.waitFrame = frame;
      return nopageError(VM_FAULT_WAIT);
    }
    markPageAccessed(k, frame);
    return frame;
  }
  throw new Error(`filemapNopage: ${as.name} page ${index} vanished after being read`);
}

/**
 * do_wp_page (§B): a write to a present read-only page. An anonymous page with a single
 * user is reused (made writable); a shared writable mapping is made writable (2.6.18);
 * otherwise the page is copied (COW) — ZERO_PAGE gives a zero-filled page — into a new
 * anonymous page on the active list, and the old page loses this mapping. Minor.
 */
export function doWpPage(k: Kernel, task: Task, vma: Vma, vpn: number, pte: number): number {
  const pages = k.pages;
  const mm = vma.mm;
  const old = pte >>> 12;
  const oldFlags = pages.flags[old]!;
  let reuse = false;
  if (oldFlags & PG_ANON) {
    if ((oldFlags & PG_LOCKED) === 0) reuse = canShareSwapPage(k, old);
  } else if ((vma.flags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED)) {
    reuse = true;
  }
  if (reuse) {
    mm.pageTable.set(vpn, maybeMkwrite(pte | PTE_ACCESSED | PTE_DIRTY, vma));
    k.chargeSystem(k.costs.tlbFlushPageNs);
    return VM_FAULT_MINOR;
  }
  // page_cache_get(old_page): hold it while the allocation may sleep in reclaim.
  pages.count[old]!++;
  anonVmaPrepare(k, vma);
  let copy: number;
  if (old === k.zeroPage) {
    copy = allocPages(k, GFP_HIGHUSER | __GFP_ZERO, 0, task.allocFlags);
  } else {
    copy = allocPages(k, GFP_HIGHUSER, 0, task.allocFlags);
    if (copy >= 0) {
      k.chargeSystem(k.costs.copyPageNs);
      pages.stamp[copy] = pages.stamp[old]!;
    }
  }
  if (copy < 0) {
    putPage(k, old);
    return VM_FAULT_OOM;
  }
  if (mm.pageTable.get(vpn) !== pte) {
    // Reclaim unmapped it (or someone else changed the PTE) meanwhile: back out; the
    // access faults again.
    putPage(k, copy);
    putPage(k, old);
    return VM_FAULT_MINOR;
  }
  pageRemoveRmap(k, old);
  if ((oldFlags & PG_ANON) === 0) {
    mm.fileRss--;
    mm.anonRss++;
  }
  mm.pageTable.set(vpn, maybeMkwrite(makePte(copy, vma.pageProt | PTE_DIRTY), vma));
  k.chargeSystem(k.costs.tlbFlushPageNs);
  lruCacheAddActive(k, copy);
  pageAddNewAnonRmap(k, copy, vma, vpn);
  k.hooks.pageUnmapped?.(mm, vpn, old);
  k.hooks.pageMapped?.(mm, vpn, copy);
  putPage(k, old); // the old PTE's reference
  putPage(k, old); // ours
  return VM_FAULT_MINOR;
}

/**
 * do_swap_page (§B): a swap-cache hit is minor; a miss reads the aligned block of 8 slots
 * around the entry (swapin_readahead) and the slot itself, is major and grabs the swap
 * token (§A9). The page is marked accessed once per fault, waited for while its read is in
 * flight, mapped through the VMA's anon_vma, and the entry's swap_map count dropped
 * (swap_free); when swap is over half full the swap copy is dropped too
 * (remove_exclusive_swap_page). A write to a page with one user maps it writable, else
 * continues as do_wp_page.
 */
export function doSwapPage(
  k: Kernel,
  task: Task,
  vma: Vma,
  vpn: number,
  write: boolean,
  pte: number,
): number {
  const pages = k.pages;
  const mm = vma.mm;
  const slot = pteSwapSlot(pte);
  let page = lookupSwapCache(k, slot);
  if (page < 0) {
    swapinReadahead(k, slot, task.allocFlags);
    page = readSwapCacheAsync(k, slot, task.allocFlags);
    if (page < 0) return VM_FAULT_OOM;
    if (!task.faultMajor) {
      // Had to read the page from swap area: major fault.
      task.faultMajor = true;
      k.vm.pgmajfault++;
      grabSwapToken(k, mm);
    }
  }
  if (!task.faultReadaround) {
    // (faultReadaround records, for a swap fault, that the page was marked accessed.)
    markPageAccessed(k, page);
    task.faultReadaround = true;
  }
  const flags = pages.flags[page]!;
  if (flags & PG_LOCKED) {
    putPage(k, page);
    task.waitFrame = page;
    return VM_FAULT_WAIT;
  }
  if (mm.pageTable.get(vpn) !== pte) {
    // Somebody else already faulted in this PTE.
    putPage(k, page);
    return task.faultMajor ? VM_FAULT_MAJOR : VM_FAULT_MINOR;
  }
  if ((flags & PG_UPTODATE) === 0 || (flags & PG_SWAPCACHE) === 0) {
    putPage(k, page);
    return VM_FAULT_SIGBUS;
  }
  mm.anonRss++;
  let newPte = makePte(page, vma.pageProt);
  let wp = write;
  if (write && canShareSwapPage(k, page)) {
    newPte = maybeMkwrite(newPte | PTE_DIRTY, vma);
    wp = false;
  }
  mm.pageTable.set(vpn, newPte);
  pageAddAnonRmap(k, page, vma, vpn);
  k.hooks.pageMapped?.(mm, vpn, page);
  swapFree(k, slot);
  if (vmSwapFull(k)) removeExclusiveSwapPage(k, page);
  let ret = task.faultMajor ? VM_FAULT_MAJOR : VM_FAULT_MINOR;
  if (wp && doWpPage(k, task, vma, vpn, newPte) === VM_FAULT_OOM) ret = VM_FAULT_OOM;
  return ret;
}
