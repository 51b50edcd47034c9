/**
 * Page reclaim of 2.6.17 (mm/vmscan.c, §A3–A5, §A7): shrink_zone with its scan
 * accumulators, shrink_active_list with reclaim_mapped, shrink_inactive_list and
 * shrink_page_list in the kernel's order, try_to_unmap, pageout, and try_to_free_pages.
 */
import { makeSwapPte, PTE_ACCESSED, PTE_DIRTY, PTE_PRESENT } from '@cvhrc/hw';
import type { AddressSpace } from './filemap.js';
import { removeFromPageCache } from './filemap.js';
import { __GFP_FS, __GFP_IO } from './gfp.js';
import { listAdd, listDel } from './internal/list.js';
import { BLKDEV_MAX_RQ, type Kernel } from './kernel.js';
import { putPage } from './lru.js';
import { VM_LOCKED, type Vma } from './mm.js';
import {
  PG_ACTIVE,
  PG_ANON,
  PG_DIRTY,
  PG_LOCKED,
  PG_LRU,
  PG_RECLAIM,
  PG_SWAPCACHE,
  PG_WRITEBACK,
} from './page.js';
import { pageReferenced, pageRemoveRmap } from './rmap.js';
import {
  addToSwap,
  deleteFromSwapCacheRaw,
  putSwapToken,
  swapDuplicate,
  swapFree,
  swapWritepage,
} from './swap.js';
import { shmemWritepage } from './shm.js';
import { clearPageDirty, filemapWritepage, setPageDirty } from './writeback.js';
import { DEF_PRIORITY, SWAP_CLUSTER_MAX, type Zone } from './zone.js';

/** struct scan_control. */
export interface ScanControl {
  /** Pages scanned in this pass (for the slab shrinker's pressure in the kernel). */
  nrScanned: number;
  nrReclaimed: number;
  /** nr_mapped when the pass began (§A4). */
  nrMapped: number;
  readonly gfpMask: number;
  mayWritepage: boolean;
  readonly maySwap: boolean;
  readonly swapClusterMax: number;
  /** vm_swappiness (§A4). */
  readonly swappiness: number;
  /** kswapd (pgscan_kswapd) or direct reclaim (pgscan_direct). */
  readonly isKswapd: boolean;
}

/** Results of try_to_unmap. */
export const SWAP_SUCCESS = 0;
export const SWAP_AGAIN = 1;
export const SWAP_FAIL = 2;

/** A new scan_control as try_to_free_pages and balance_pgdat make it. */
export function newScanControl(k: Kernel, gfpMask: number, isKswapd: boolean): ScanControl {
  return {
    nrScanned: 0,
    nrReclaimed: 0,
    nrMapped: k.nrMapped,
    gfpMask,
    mayWritepage: true,
    maySwap: true,
    swapClusterMax: SWAP_CLUSTER_MAX,
    swappiness: k.swappiness,
    isKswapd,
  };
}

/**
 * The reclaim_mapped decision of shrink_active_list (§A4): distress = 100 >> prev_priority;
 * mapped_ratio = nr_mapped · 100 / total_memory; swap_tendency = mapped_ratio/2 + distress +
 * swappiness; mapped pages are reclaimed when swap_tendency ≥ 100.
 */
export function reclaimMapped(k: Kernel, zone: Zone, sc: ScanControl): boolean {
  if (!sc.maySwap) return false;
  const distress = 100 >> zone.prevPriority;
  const mappedRatio = Math.floor((sc.nrMapped * 100) / k.totalMemory);
  const swapTendency = Math.floor(mappedRatio / 2) + distress + sc.swappiness;
  return swapTendency >= 100;
}

/**
 * isolate_lru_pages: takes up to `nr` pages from the tail of a list, each with a reference
 * and PG_lru cleared; returns them oldest first and adds the number scanned to `scanned[0]`.
 */
function isolateLruPages(k: Kernel, nr: number, head: number, scanned: number[]): number[] {
  const pages = k.pages;
  const { next, prev } = pages;
  const taken: number[] = [];
  let scan = 0;
  for (; scan < nr && next[head] !== head; scan++) {
    const page = prev[head]!;
    listDel(next, prev, page);
    pages.count[page]!++;
    pages.clear(page, PG_LRU);
    taken.push(page);
  }
  scanned[0] = scan;
  return taken;
}

/**
 * shrink_active_list (§A4): scans `nrPages` from the active tail. A mapped page goes back
 * to the active head if mapped pages are not being reclaimed, if it is anonymous and there
 * is no swap, or if page_referenced finds it referenced; every other page goes to the
 * inactive head with PG_active cleared (unmapped pages always, PG_referenced untouched).
 */
export function shrinkActiveList(k: Kernel, nrPages: number, zone: Zone, sc: ScanControl): void {
  const pages = k.pages;
  const mapped = reclaimMapped(k, zone, sc);
  const scanned = [0];
  const hold = isolateLruPages(k, nrPages, zone.activeHead, scanned);
  zone.pagesScanned += scanned[0]!;
  zone.nrActive -= hold.length;
  const toActive: number[] = [];
  const toInactive: number[] = [];
  for (const page of hold) {
    if (pages.mapcount[page]! >= 0) {
      if (
        !mapped ||
        (k.totalSwapPages === 0 && pages.flags[page]! & PG_ANON) ||
        pageReferenced(k, page) !== 0
      ) {
        toActive.push(page);
        continue;
      }
    }
    toInactive.push(page);
  }
  for (const page of toInactive) {
    pages.set(page, PG_LRU);
    pages.clear(page, PG_ACTIVE);
    listAdd(pages.next, pages.prev, page, zone.inactiveHead);
    zone.nrInactive++;
  }
  for (const page of toActive) {
    pages.set(page, PG_LRU);
    listAdd(pages.next, pages.prev, page, zone.activeHead);
    zone.nrActive++;
  }
  for (const page of hold) putPage(k, page);
  k.vm.pgrefill[zone.index]! += scanned[0]!;
  k.vm.pgdeactivate += toInactive.length;
  k.chargeSystem(scanned[0]! * k.costs.pteScanNs);
}

/** What page_mapping gives: the swapper space, a file's address_space, or none. */
type PageMapping = 'swap' | AddressSpace | null;

function pageMapping(k: Kernel, page: number): PageMapping {
  const f = k.pages.flags[page]!;
  if (f & PG_SWAPCACHE) return 'swap';
  if (f & PG_ANON || k.pages.mapping[page] === 0) return null;
  return k.addressSpace(k.pages.mapping[page]!);
}

/** page_mapping_inuse: mapped, in the swap cache, or a file someone has mmapped. */
function pageMappingInuse(k: Kernel, page: number): boolean {
  if (k.pages.mapcount[page]! >= 0) return true;
  const mapping = pageMapping(k, page);
  if (mapping === 'swap') return true;
  return mapping !== null && mapping.iMmap.length > 0;
}

/**
 * try_to_unmap_one (§C): a VM_LOCKED VMA or a young PTE (cleared) fails; otherwise the PTE
 * is cleared, its dirty bit moved to the page, an anonymous page's PTE gets its swap entry.
 */
function tryToUnmapOne(k: Kernel, page: number, vma: Vma): number {
  const pages = k.pages;
  const vpn = vma.addressOf(pages.index[page]!);
  if (vpn < 0) return SWAP_AGAIN;
  const mm = vma.mm;
  const pt = mm.pageTable;
  const pte = pt.get(vpn);
  k.chargeSystem(k.costs.pteScanNs);
  if ((pte & PTE_PRESENT) === 0 || pte >>> 12 !== page) return SWAP_AGAIN;
  if (vma.flags & VM_LOCKED) return SWAP_FAIL;
  if (pte & PTE_ACCESSED) {
    pt.set(vpn, pte & ~PTE_ACCESSED);
    k.chargeSystem(k.costs.tlbFlushPageNs);
    k.hooks.youngCleared?.(mm, vpn, page);
    return SWAP_FAIL;
  }
  k.chargeSystem(k.costs.tlbFlushPageNs);
  if (pte & PTE_DIRTY) setPageDirty(k, page);
  mm.updateHiwater();
  if (pages.flags[page]! & PG_ANON) {
    const slot = pages.private[page]!;
    if ((pages.flags[page]! & PG_SWAPCACHE) === 0) {
      throw new Error(`tryToUnmapOne: anonymous frame ${page} is not in the swap cache`);
    }
    swapDuplicate(k, slot);
    pt.set(vpn, makeSwapPte(slot, 0));
    mm.anonRss--;
  } else {
    pt.set(vpn, 0);
    mm.fileRss--;
  }
  pageRemoveRmap(k, page);
  k.hooks.pageUnmapped?.(mm, vpn, page);
  putPage(k, page);
  return SWAP_AGAIN;
}

/**
 * try_to_unmap (§C): unmaps the page from every PTE found through the rmap, stopping at the
 * first failure. SWAP_SUCCESS when no PTE maps it any more.
 */
export function tryToUnmap(k: Kernel, page: number): number {
  const pages = k.pages;
  const vmas =
    pages.flags[page]! & PG_ANON
      ? k.anonVma(pages.mapping[page]!).vmas
      : k.addressSpace(pages.mapping[page]!).iMmap;
  let ret = SWAP_AGAIN;
  for (const vma of [...vmas]) {
    ret = tryToUnmapOne(k, page, vma);
    if (ret === SWAP_FAIL || pages.mapcount[page]! < 0) break;
  }
  if (pages.mapcount[page]! < 0) ret = SWAP_SUCCESS;
  return ret;
}

const PAGE_KEEP = 0;
const PAGE_ACTIVATE = 1;
const PAGE_SUCCESS = 2;
const PAGE_CLEAN = 3;

/**
 * pageout (§A5): a page only the cache and the scanner hold is written out
 * (clear_page_dirty_for_io, PG_reclaim, writepage) unless the disk queue is congested; the
 * write completes later.
 */
function pageout(k: Kernel, page: number, mapping: PageMapping, sc: ScanControl): number {
  if (k.pages.count[page] !== 2) return PAGE_KEEP;
  if (mapping === null) return PAGE_KEEP;
  // may_write_to_queue: only kswapd writes to a congested queue. (kswapd would sleep for a
  // free request when all 128 are taken; here it keeps the page instead.)
  if (sc.isKswapd ? k.writeRequests >= BLKDEV_MAX_RQ : k.writeCongested) return PAGE_KEEP;
  if (k.pages.flags[page]! & PG_DIRTY) {
    clearPageDirty(k, page);
    k.pages.set(page, PG_RECLAIM);
    if (mapping === 'swap') swapWritepage(k, page);
    else if (mapping.kind === 'shmem') {
      if (!shmemWritepage(k, page)) {
        // Swap is full: AOP_WRITEPAGE_ACTIVATE, the page dirty again.
        setPageDirty(k, page);
        k.pages.clear(page, PG_RECLAIM);
        return PAGE_ACTIVATE;
      }
    } else filemapWritepage(k, page);
    if ((k.pages.flags[page]! & PG_WRITEBACK) === 0) k.pages.clear(page, PG_RECLAIM);
    return PAGE_SUCCESS;
  }
  return PAGE_CLEAN;
}

/**
 * remove_mapping: a clean page held only by its cache and the scanner leaves the page cache
 * or the swap cache (freeing its swap slot).
 */
function removeMapping(k: Kernel, page: number, mapping: PageMapping): boolean {
  const pages = k.pages;
  if (pages.count[page] !== 2 || pages.flags[page]! & PG_DIRTY) return false;
  if (mapping === 'swap') {
    const slot = pages.private[page]!;
    deleteFromSwapCacheRaw(k, page);
    swapFree(k, slot);
  } else {
    removeFromPageCache(k, page);
  }
  pages.count[page]--;
  return true;
}

/**
 * shrink_page_list (§A5), per page in this order: locked → keep; under writeback → keep;
 * referenced (page_referenced) and its mapping in use → activate; anonymous and not in the
 * swap cache → add_to_swap (swap full → activate); mapped → try_to_unmap (fail → activate,
 * again → keep); dirty → keep if referenced, else pageout; finally remove_mapping → free.
 * Returns the pages freed; the survivors are left in `list` (in order), PG_active set on
 * those to activate.
 */
export function shrinkPageList(k: Kernel, list: number[], sc: ScanControl): number {
  const pages = k.pages;
  const survivors: number[] = [];
  const freed: number[] = [];
  let pgactivate = 0;
  for (const page of list) {
    let verdict: 'keep' | 'keep_locked' | 'activate' | 'free';
    body: {
      if (pages.flags[page]! & PG_LOCKED) {
        verdict = 'keep';
        break body;
      }
      pages.set(page, PG_LOCKED);
      sc.nrScanned++;
      const mapped = pages.mapcount[page]! >= 0;
      if (!sc.maySwap && mapped) {
        verdict = 'keep_locked';
        break body;
      }
      if (mapped || pages.flags[page]! & PG_SWAPCACHE) sc.nrScanned++;
      if (pages.flags[page]! & PG_WRITEBACK) {
        verdict = 'keep_locked';
        break body;
      }
      const referenced = pageReferenced(k, page) !== 0;
      if (referenced && pageMappingInuse(k, page)) {
        verdict = 'activate';
        break body;
      }
      if ((pages.flags[page]! & (PG_ANON | PG_SWAPCACHE)) === PG_ANON) {
        if (!sc.maySwap) {
          verdict = 'keep_locked';
          break body;
        }
        if (!addToSwap(k, page)) {
          verdict = 'activate';
          break body;
        }
      }
      const mapping = pageMapping(k, page);
      const mayEnterFs =
        (sc.gfpMask & __GFP_FS) !== 0 || (mapping === 'swap' && (sc.gfpMask & __GFP_IO) !== 0);
      if (pages.mapcount[page]! >= 0 && mapping !== null) {
        const r = tryToUnmap(k, page);
        if (r === SWAP_FAIL) {
          verdict = 'activate';
          break body;
        }
        if (r === SWAP_AGAIN) {
          verdict = 'keep_locked';
          break body;
        }
      }
      if (pages.flags[page]! & PG_DIRTY) {
        if (referenced || !mayEnterFs || !sc.mayWritepage) {
          verdict = 'keep_locked';
          break body;
        }
        const r = pageout(k, page, mapping, sc);
        if (r === PAGE_KEEP) {
          verdict = 'keep_locked';
          break body;
        }
        if (r === PAGE_ACTIVATE) {
          verdict = 'activate';
          break body;
        }
        if (r === PAGE_SUCCESS) {
          // The write is asynchronous: the page is unlocked, under writeback (or dirty again).
          verdict = 'keep';
          break body;
        }
      }
      verdict = mapping !== null && removeMapping(k, page, mapping) ? 'free' : 'keep_locked';
    }
    if (verdict === 'free') {
      pages.clear(page, PG_LOCKED);
      freed.push(page);
      continue;
    }
    if (verdict === 'activate') {
      pages.set(page, PG_ACTIVE);
      pgactivate++;
    }
    if (verdict !== 'keep') pages.clear(page, PG_LOCKED);
    survivors.push(page);
  }
  for (const page of freed) putPage(k, page);
  k.vm.pgactivate += pgactivate;
  list.length = 0;
  for (const page of survivors) list.push(page);
  sc.nrReclaimed += freed.length;
  return freed.length;
}

/**
 * shrink_inactive_list (§A5): isolates up to 32 pages from the inactive tail (counted in
 * pages_scanned), runs shrink_page_list, and puts the survivors back at the heads of their
 * lists; repeats until `maxScan` pages were scanned.
 */
export function shrinkInactiveList(
  k: Kernel,
  maxScan: number,
  zone: Zone,
  sc: ScanControl,
): number {
  const pages = k.pages;
  let nrScanned = 0;
  let nrReclaimed = 0;
  const scanned = [0];
  do {
    const list = isolateLruPages(k, sc.swapClusterMax, zone.inactiveHead, scanned);
    const nrScan = scanned[0]!;
    zone.nrInactive -= list.length;
    zone.pagesScanned += nrScan;
    nrScanned += nrScan;
    const taken = list.length;
    const nrFreed = shrinkPageList(k, list, sc);
    nrReclaimed += nrFreed;
    if (sc.isKswapd) {
      k.vm.pgscanKswapd[zone.index]! += nrScan;
      k.vm.kswapdSteal += nrFreed;
    } else {
      k.vm.pgscanDirect[zone.index]! += nrScan;
    }
    k.vm.pgsteal[zone.index]! += nrFreed;
    if (taken === 0) break;
    for (const page of list) {
      pages.set(page, PG_LRU);
      if (pages.flags[page]! & PG_ACTIVE) {
        listAdd(pages.next, pages.prev, page, zone.activeHead);
        zone.nrActive++;
      } else {
        listAdd(pages.next, pages.prev, page, zone.inactiveHead);
        zone.nrInactive++;
      }
    }
    for (const page of list) putPage(k, page);
  } while (nrScanned < maxScan);
  return nrReclaimed;
}

/**
 * shrink_zone (§A3): adds (nr_active >> priority) + 1 and (nr_inactive >> priority) + 1 to
 * the scan accumulators; an accumulator is spent only once it reaches 32. Then alternates
 * chunks of at most 32: shrink_active_list, shrink_inactive_list.
 */
export function shrinkZone(k: Kernel, priority: number, zone: Zone, sc: ScanControl): number {
  const max = sc.swapClusterMax;
  zone.nrScanActive += (zone.nrActive >>> priority) + 1;
  let nrActive = zone.nrScanActive;
  if (nrActive >= max) zone.nrScanActive = 0;
  else nrActive = 0;
  zone.nrScanInactive += (zone.nrInactive >>> priority) + 1;
  let nrInactive = zone.nrScanInactive;
  if (nrInactive >= max) zone.nrScanInactive = 0;
  else nrInactive = 0;
  let nrReclaimed = 0;
  while (nrActive > 0 || nrInactive > 0) {
    if (nrActive > 0) {
      const n = Math.min(nrActive, max);
      nrActive -= n;
      shrinkActiveList(k, n, zone, sc);
    }
    if (nrInactive > 0) {
      const n = Math.min(nrInactive, max);
      nrInactive -= n;
      nrReclaimed += shrinkInactiveList(k, n, zone, sc);
    }
  }
  return nrReclaimed;
}

/**
 * A reclaim policy: what try_to_free_pages and kswapd's balance_pgdat call for each zone at
 * each priority (the unit 2.6.17's callers use, shrink_zone). `shrinkZone` frees pages of
 * `zone` (adding to `sc.nrScanned` / `sc.nrReclaimed` as it goes) and returns the number
 * freed; the callers keep the priority loop, watermarks, congestion waits and
 * all_unreclaimable. Set one with the Kernel option `reclaimPolicy`.
 */
export interface ReclaimPolicy {
  readonly name: string;
  shrinkZone(k: Kernel, priority: number, zone: Zone, sc: ScanControl): number;
}

/** The policy of 2.6.17: {@link shrinkZone}. The Kernel's default. */
export const LINUX_2_6_17_RECLAIM: ReclaimPolicy = Object.freeze({
  name: 'linux-2.6.17',
  shrinkZone: (k: Kernel, priority: number, zone: Zone, sc: ScanControl): number =>
    shrinkZone(k, priority, zone, sc),
});

/**
 * try_to_free_pages (§A7): direct reclaim from priority 12 down to 0 over the zonelist's
 * zones (each through `k.reclaimPolicy`) (skipping all_unreclaimable ones below priority 12), done once 32 pages are freed;
 * between priorities it waits for writeback (blk_congestion_wait, 100 ms at most) once the
 * priority is below 10. At priority 0 the swap token is disabled (§A9). Each zone's
 * prev_priority is set from the last priority used (it drives `distress`, §A4). Returns
 * true on progress.
 */
export function tryToFreePages(k: Kernel, zonelist: readonly number[], gfpMask: number): boolean {
  k.vm.allocstall++;
  const zones = zonelist.map((i) => k.zones[i]!);
  for (const z of zones) z.tempPriority = DEF_PRIORITY;
  const sc = newScanControl(k, gfpMask, false);
  let totalScanned = 0;
  let nrReclaimed = 0;
  let progress = false;
  for (let priority = DEF_PRIORITY; priority >= 0; priority--) {
    sc.nrMapped = k.nrMapped;
    sc.nrScanned = 0;
    if (priority === 0) putSwapToken(k, null);
    for (const zone of zones) {
      if (zone.presentPages === 0) continue;
      zone.tempPriority = priority;
      if (zone.prevPriority > priority) zone.prevPriority = priority;
      if (zone.allUnreclaimable && priority !== DEF_PRIORITY) continue;
      nrReclaimed += k.reclaimPolicy.shrinkZone(k, priority, zone, sc);
    }
    totalScanned += sc.nrScanned;
    if (nrReclaimed >= sc.swapClusterMax) {
      progress = true;
      break;
    }
    if (totalScanned > sc.swapClusterMax + sc.swapClusterMax / 2) sc.mayWritepage = true;
    if (sc.nrScanned > 0 && priority < DEF_PRIORITY - 2) k.congestionWait(100_000_000);
  }
  for (const z of zones) z.prevPriority = z.tempPriority;
  return progress;
}
