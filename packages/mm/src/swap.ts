/**
 * Swap (§D, mm/swapfile.c, mm/swap_state.c, mm/page_io.c) and the swap token (§A9,
 * mm/thrash.c): one swap area on the machine's disk with a use count per slot (swap_map),
 * slot allocation in clusters of 256, the swap cache, swap-in readahead of the aligned
 * block of 2^page_cluster slots, and swap I/O as disk requests in simulated time.
 *
 * A swap entry here is the slot number in the only swap area (type 0); slot 0 holds the
 * swap header and is never used.
 */
import { PAGE_SIZE } from '@cvhrc/hw';
import { pageCacheBucket } from './filemap.js';
import { GFP_HIGHUSER } from './gfp.js';
import type { Kernel } from './kernel.js';
import { lruCacheAddActive, putPage } from './lru.js';
import type { MmStruct } from './mm.js';
import { NO_FRAME, PG_DIRTY, PG_LOCKED, PG_SWAPCACHE, PG_UPTODATE, PG_WRITEBACK } from './page.js';
import { allocPages } from './pagealloc.js';
import { endPageWriteback } from './writeback.js';

/** SWAPFILE_CLUSTER: slots handed out sequentially before looking for a new free cluster. */
export const SWAPFILE_CLUSTER = 256;
/** page_cluster: swap-in reads the aligned block of 2^3 = 8 slots (§B). */
export const PAGE_CLUSTER = 3;
/** SWAP_MAP_MAX: a slot's use count saturates here. */
export const SWAP_MAP_MAX = 0x7fff;
/** Key of swapper_space in the page-cache hash (no address_space has id 0). */
const SWAPPER_SPACE = 0;

/** HZ of the emulated kernel (2.6.17's default for i386, CONFIG_HZ_250). */
export const HZ = 250;
const SWAP_TOKEN_CHECK_INTERVAL = HZ * 2;
const SWAP_TOKEN_TIMEOUT = 300 * HZ;

/** swap_info_struct of the one swap area. */
export class SwapInfo {
  /** Slots including the header slot 0 (p->max). */
  readonly max: number;
  /** Usable slots (p->pages). */
  readonly pages: number;
  /** Byte offset of slot 0 on the disk. */
  readonly diskOffsetBytes: number;
  /** Use count of each slot: PTEs holding the entry, +1 for the swap cache. */
  readonly swapMap: Uint16Array;
  /** Content stamp written to each slot (see PageDescriptors.stamp). */
  readonly slotStamp: Uint32Array;
  inusePages = 0;
  lowestBit: number;
  highestBit: number;
  clusterNext: number;
  clusterNr = 0;

  constructor(slots: number, diskOffsetBytes: number) {
    this.max = slots;
    this.pages = slots - 1;
    this.diskOffsetBytes = diskOffsetBytes;
    this.swapMap = new Uint16Array(slots);
    this.slotStamp = new Uint32Array(slots);
    this.lowestBit = 1;
    this.highestBit = slots - 1;
    this.clusterNext = 1;
  }

  /** nr_swap_pages: free slots. */
  get freeSlots(): number {
    return this.pages - this.inusePages;
  }
}

/**
 * scan_swap_map / get_swap_page: hands out slots sequentially inside a cluster; after 256,
 * looks for the first fully free cluster, else takes the first free slot from the lowest.
 * Returns the slot with use count 1, or 0 when swap is full (or absent).
 */
export function getSwapPage(k: Kernel): number {
  const si = k.swap;
  if (si === null || si.inusePages >= si.pages) return 0;
  const map = si.swapMap;
  let offset: number;
  if (si.clusterNr === 0) {
    si.clusterNr = SWAPFILE_CLUSTER - 1;
    offset = si.lowestBit;
    if (si.pages - si.inusePages >= SWAPFILE_CLUSTER) {
      // Locate the first empty (unaligned) cluster.
      let lastInCluster = offset + SWAPFILE_CLUSTER - 1;
      let found = false;
      for (; lastInCluster <= si.highestBit; offset++) {
        if (map[offset]) lastInCluster = offset + SWAPFILE_CLUSTER;
        else if (offset === lastInCluster) {
          si.clusterNext = offset - SWAPFILE_CLUSTER - 1;
          found = true;
          break;
        }
      }
      offset = found ? si.clusterNext : si.lowestBit;
    }
  } else {
    si.clusterNr--;
    offset = si.clusterNext;
  }
  if (offset > si.highestBit || offset < si.lowestBit) offset = si.lowestBit;
  for (;;) {
    if (!map[offset]) {
      if (offset === si.lowestBit) si.lowestBit++;
      if (offset === si.highestBit) si.highestBit--;
      si.inusePages++;
      if (si.inusePages === si.pages) {
        si.lowestBit = si.max;
        si.highestBit = 0;
      }
      map[offset] = 1;
      si.clusterNext = offset + 1;
      return offset;
    }
    if (++offset > si.highestBit) offset = si.lowestBit;
  }
}

/** swap_duplicate: one more user of the slot (a PTE copied by fork or written by unmap). */
export function swapDuplicate(k: Kernel, slot: number): void {
  const map = k.swap!.swapMap;
  if (map[slot] === 0) throw new Error(`swapDuplicate: slot ${slot} is free`);
  if (map[slot]! < SWAP_MAP_MAX - 1) map[slot]!++;
}

/** swap_entry_free: one user fewer; at zero the slot is free again. Returns the new count. */
export function swapFree(k: Kernel, slot: number): number {
  const si = k.swap!;
  const map = si.swapMap;
  let count = map[slot]!;
  if (count === 0) throw new Error(`swapFree: slot ${slot} is already free`);
  if (count < SWAP_MAP_MAX) {
    count--;
    map[slot] = count;
    if (count === 0) {
      if (slot < si.lowestBit) si.lowestBit = slot;
      if (slot > si.highestBit) si.highestBit = slot;
      si.inusePages--;
    }
  }
  return count;
}

/** vm_swap_full: free slots × 2 < total (§D). */
export function vmSwapFull(k: Kernel): boolean {
  const si = k.swap;
  return si !== null && si.freeSlots * 2 < si.pages;
}

// ---- swap cache -------------------------------------------------------------------------

/** lookup_swap_cache without a reference: the frame caching `slot`, or -1. */
export function findSwapCachePage(k: Kernel, slot: number): number {
  const pages = k.pages;
  let f = k.pageCacheBuckets[pageCacheBucket(k, SWAPPER_SPACE, slot)]!;
  while (f !== NO_FRAME) {
    if (pages.flags[f]! & PG_SWAPCACHE && pages.private[f] === slot) return f;
    f = pages.hashNext[f]!;
  }
  return -1;
}

/** lookup_swap_cache: the frame caching `slot` with a reference taken, or -1. */
export function lookupSwapCache(k: Kernel, slot: number): number {
  const f = findSwapCachePage(k, slot);
  if (f >= 0) k.pages.count[f]!++;
  return f;
}

/**
 * __add_to_swap_cache: the page joins the swap cache for `slot` locked, with a reference
 * held by the cache; `private` holds the slot. (The caller holds a swap_map count for it.)
 */
export function addToSwapCache(k: Kernel, frame: number, slot: number): void {
  const pages = k.pages;
  const bucket = pageCacheBucket(k, SWAPPER_SPACE, slot);
  pages.count[frame]!++;
  pages.set(frame, PG_LOCKED | PG_SWAPCACHE);
  pages.private[frame] = slot;
  pages.hashNext[frame] = k.pageCacheBuckets[bucket]!;
  k.pageCacheBuckets[bucket] = frame;
  k.nrSwapcache++;
}

/** __delete_from_swap_cache: the page leaves the swap cache (the caller drops the slot's
 * count and the cache's reference). */
export function deleteFromSwapCacheRaw(k: Kernel, frame: number): void {
  const pages = k.pages;
  const slot = pages.private[frame]!;
  const bucket = pageCacheBucket(k, SWAPPER_SPACE, slot);
  const next = pages.hashNext;
  let f = k.pageCacheBuckets[bucket]!;
  if (f === frame) k.pageCacheBuckets[bucket] = next[frame]!;
  else {
    while (next[f] !== frame) {
      if (next[f] === NO_FRAME) throw new Error(`swap cache: frame ${frame} not in its bucket`);
      f = next[f]!;
    }
    next[f] = next[frame]!;
  }
  next[frame] = NO_FRAME;
  pages.clear(frame, PG_SWAPCACHE);
  pages.private[frame] = 0;
  k.nrSwapcache--;
}

/** delete_from_swap_cache: leaves the swap cache, frees the slot's count and the cache's ref. */
export function deleteFromSwapCache(k: Kernel, frame: number): void {
  const slot = k.pages.private[frame]!;
  deleteFromSwapCacheRaw(k, frame);
  swapFree(k, slot);
  putPage(k, frame);
}

/**
 * add_to_swap (§D): gives a locked anonymous page a swap slot and puts it in the swap
 * cache, Uptodate and Dirty. False when swap is full.
 */
export function addToSwap(k: Kernel, frame: number): boolean {
  const slot = getSwapPage(k);
  if (slot === 0) return false;
  const pages = k.pages;
  addToSwapCache(k, frame, slot);
  // __add_to_swap_cache locks the page; the caller (shrink_page_list) holds that lock already.
  pages.set(frame, PG_UPTODATE | PG_DIRTY);
  return true;
}

/**
 * remove_exclusive_swap_page: if only the swap cache uses the slot (swap_map 1) and only the
 * cache and the caller hold the page (count 2), the page leaves the swap cache and is
 * dirty again. True when it did.
 */
export function removeExclusiveSwapPage(k: Kernel, frame: number): boolean {
  const pages = k.pages;
  const f = pages.flags[frame]!;
  if ((f & PG_SWAPCACHE) === 0 || f & PG_WRITEBACK) return false;
  if (pages.count[frame] !== 2) return false;
  const slot = pages.private[frame]!;
  if (k.swap!.swapMap[slot] !== 1) return false;
  deleteFromSwapCacheRaw(k, frame);
  pages.set(frame, PG_DIRTY);
  swapFree(k, slot);
  putPage(k, frame);
  return true;
}

/**
 * free_swap_and_cache: a PTE holding the swap entry is gone. When only the swap cache still
 * uses the slot and nobody else holds the page (or swap is full), the cached page is
 * dropped from the swap cache too.
 */
export function freeSwapAndCache(k: Kernel, slot: number): void {
  if (swapFree(k, slot) !== 1) return;
  const frame = findSwapCachePage(k, slot);
  if (frame < 0) return;
  const pages = k.pages;
  if (pages.flags[frame]! & (PG_LOCKED | PG_WRITEBACK)) return;
  // page_count == 2 in the kernel: the cache and the lookup's reference.
  const oneUser = pages.count[frame] === 1;
  if (oneUser || vmSwapFull(k)) {
    pages.count[frame]!++;
    deleteFromSwapCache(k, frame);
    pages.set(frame, PG_DIRTY);
    putPage(k, frame);
  }
}

/**
 * free_swap_cache (as free_pages_and_swap_cache does for each page an unmap releases): an
 * unmapped swap-cache page that only the cache and the caller hold leaves the swap cache.
 */
export function freeSwapCache(k: Kernel, frame: number): void {
  const pages = k.pages;
  if ((pages.flags[frame]! & (PG_SWAPCACHE | PG_LOCKED)) === PG_SWAPCACHE) {
    removeExclusiveSwapPage(k, frame);
  }
}

// ---- swap I/O ---------------------------------------------------------------------------

/** swap_readpage: reads the slot into the locked page; on completion it is up to date and unlocked. */
function swapReadpage(k: Kernel, frame: number, slot: number): void {
  const si = k.swap!;
  k.vm.pswpin++;
  k.vm.pgpgin += PAGE_SIZE >>> 10;
  k.blockQueue.submit(false, si.diskOffsetBytes + slot * PAGE_SIZE, PAGE_SIZE, () => {
    k.pages.stamp[frame] = si.slotStamp[slot]!;
    k.pages.set(frame, PG_UPTODATE);
    k.pages.clear(frame, PG_LOCKED);
  });
}

/**
 * read_swap_cache_async: the swap-cache page for `slot` — found in the cache, or a new page
 * (GFP_HIGHUSER) added to it and to the active list (§A1) with its read started. Returns the
 * frame with a reference, or -1 when the slot is free or no page could be allocated.
 */
export function readSwapCacheAsync(k: Kernel, slot: number, taskFlags: number): number {
  const found = lookupSwapCache(k, slot);
  if (found >= 0) return found;
  if (k.swap!.swapMap[slot] === 0) return -1;
  const frame = allocPages(k, GFP_HIGHUSER, 0, taskFlags);
  if (frame < 0) return -1;
  swapDuplicate(k, slot);
  addToSwapCache(k, frame, slot);
  lruCacheAddActive(k, frame);
  swapReadpage(k, frame, slot);
  return frame;
}

/**
 * valid_swaphandles + swapin_readahead (§B): reads the aligned block of 2^page_cluster slots
 * around `slot` (slot 0, the header, skipped), stopping at the end of the area or at the
 * first free slot.
 */
export function swapinReadahead(k: Kernel, slot: number, taskFlags: number): void {
  const si = k.swap!;
  let toff = (slot >>> PAGE_CLUSTER) << PAGE_CLUSTER;
  let n = 1 << PAGE_CLUSTER;
  if (toff === 0) {
    toff++;
    n--;
  }
  let num = 0;
  for (let t = toff; num < n; t++, num++) {
    if (t >= si.max || si.swapMap[t] === 0) break;
  }
  for (let i = 0; i < num; i++) {
    const f = readSwapCacheAsync(k, toff + i, taskFlags);
    if (f < 0) break;
    putPage(k, f);
  }
}

/**
 * swap_writepage: unless the page is exclusive to the swap cache (then it just leaves it),
 * the page is written to its slot: PG_writeback set, page unlocked; on completion
 * end_page_writeback (§A5).
 */
export function swapWritepage(k: Kernel, frame: number): void {
  if (removeExclusiveSwapPage(k, frame)) {
    k.pages.clear(frame, PG_LOCKED);
    return;
  }
  const si = k.swap!;
  const slot = k.pages.private[frame]!;
  si.slotStamp[slot] = k.pages.stamp[frame]!;
  k.vm.pswpout++;
  k.vm.pgpgout += PAGE_SIZE >>> 10;
  k.pages.set(frame, PG_WRITEBACK);
  k.pages.clear(frame, PG_LOCKED);
  k.nrWriteback++;
  k.writeSubmitted();
  k.blockQueue.submit(true, si.diskOffsetBytes + slot * PAGE_SIZE, PAGE_SIZE, () =>
    endPageWriteback(k, frame),
  );
}

// ---- swap token (§A9) -------------------------------------------------------------------

/** jiffies at HZ = 250. */
export function jiffies(k: Kernel): number {
  return Math.floor(k.clock.now / (1e9 / HZ));
}

/** has_swap_token. */
export function hasSwapToken(k: Kernel, mm: MmStruct): boolean {
  return k.swapToken.mm === mm;
}

/**
 * grab_swap_token (mm/thrash.c of 2.6.17): called on major faults. The holder just notes a
 * recent page-in. Others may take it at most every 2 s, not while barred from it, and only
 * when the holder had no page-in since the last check or held it past the 300 s timeout.
 */
export function grabSwapToken(k: Kernel, mm: MmStruct): void {
  const st = k.swapToken;
  if (st.mm === mm) {
    mm.recentPagein = true;
    return;
  }
  const now = jiffies(k);
  if (now <= st.check) return;
  if (now < mm.swapTokenTime) return;
  st.check = now + SWAP_TOKEN_CHECK_INTERVAL;
  const holder = st.mm;
  let reason = 0;
  if (!holder?.recentPagein) reason = 1;
  else if (now > st.timeout) reason = 2;
  if (holder !== null) holder.recentPagein = false;
  if (reason !== 0) {
    if (holder !== null) holder.swapTokenTime = reason === 2 ? now + SWAP_TOKEN_TIMEOUT : now;
    st.timeout = now + SWAP_TOKEN_TIMEOUT;
    st.mm = mm;
  }
}

/** put_swap_token / disable_swap_token: the token goes back to init_mm (nobody). */
export function putSwapToken(k: Kernel, mm: MmStruct | null): void {
  const st = k.swapToken;
  if (mm === null || st.mm === mm) {
    st.mm = null;
    st.check = jiffies(k);
  }
}
