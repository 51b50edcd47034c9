/**
 * The zoned page allocator of 2.6.17 (mm/page_alloc.c): get_page_from_freelist over a
 * zonelist with watermarks, the first passes of __alloc_pages (§A7), and freeing.
 */
import { freeOneBlock, rmqueue } from './buddy.js';
import {
  __GFP_FS,
  __GFP_HIGH,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_REPEAT,
  __GFP_WAIT,
  __GFP_ZERO,
} from './gfp.js';
import type { Kernel } from './kernel.js';
import { outOfMemory } from './oom.js';
import { TIF_MEMDIE } from './task.js';
import { tryToFreePages } from './vmscan.js';
import {
  PG_ACTIVE,
  PG_ANON,
  PG_BUDDY,
  PG_DIRTY,
  PG_ERROR,
  PG_LOCKED,
  PG_LRU,
  PG_RECLAIM,
  PG_REFERENCED,
  PG_RESERVED,
  PG_SWAPCACHE,
  PG_UPTODATE,
  PG_WRITEBACK,
  formatPageFlags,
} from './page.js';
import {
  ALLOC_HARDER,
  ALLOC_HIGH,
  ALLOC_NO_WATERMARKS,
  ALLOC_WMARK_HIGH,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MIN,
  MAX_ORDER,
  zoneWatermarkOk,
} from './zone.js';

/** Task flag: the task is reclaiming memory and may dip below every watermark. */
export const PF_MEMALLOC = 0x800;

/** Flags checked by free_pages_check: a page being freed must have none of them. */
const BAD_FREE_FLAGS =
  PG_LRU |
  PG_LOCKED |
  PG_ACTIVE |
  PG_RECLAIM |
  PG_SWAPCACHE |
  PG_WRITEBACK |
  PG_RESERVED |
  PG_BUDDY;

/**
 * get_page_from_freelist: the first zone of the zonelist (in order) that passes its
 * watermark — pages_min, pages_low or pages_high as `allocFlags` says, against the
 * lowmem_reserve of the zonelist's first zone (the classzone) — gives the block.
 * Returns the first frame or -1.
 */
export function getPageFromFreelist(
  k: Kernel,
  zonelist: readonly number[],
  order: number,
  allocFlags: number,
): number {
  const classzone = zonelist[0]!;
  for (let i = 0; i < zonelist.length; i++) {
    const zone = k.zones[zonelist[i]!]!;
    if ((allocFlags & ALLOC_NO_WATERMARKS) === 0) {
      const mark =
        allocFlags & ALLOC_WMARK_MIN
          ? zone.pagesMin
          : allocFlags & ALLOC_WMARK_LOW
            ? zone.pagesLow
            : zone.pagesHigh;
      if (!zoneWatermarkOk(zone, order, mark, classzone, allocFlags)) continue;
    }
    const frame = rmqueue(k.pages, zone, order);
    if (frame >= 0) {
      prepNewPage(k, frame, order);
      return frame;
    }
  }
  return -1;
}

/** prep_new_page: a fresh block gets count 1 and its stale state bits cleared. */
function prepNewPage(k: Kernel, frame: number, order: number): void {
  const pages = k.pages;
  for (let f = frame; f < frame + (1 << order); f++) {
    pages.clear(f, PG_UPTODATE | PG_ERROR | PG_REFERENCED);
    pages.private[f] = 0;
  }
  pages.count[frame] = 1;
  k.vm.pgalloc[pages.zoneOf(frame)]! += 1 << order;
}

/**
 * __alloc_pages (§A7): every zone at pages_low; then (kswapd would be woken) at pages_min,
 * ALLOC_HARDER for atomic allocations and ALLOC_HIGH for __GFP_HIGH; a PF_MEMALLOC task or
 * an OOM victim then ignores the watermarks; an atomic allocation fails. Otherwise direct
 * reclaim (try_to_free_pages) as PF_MEMALLOC: with progress, retry at pages_min; without,
 * one try at pages_high, then the OOM killer and a restart. Orders ≤ 3 retry after waiting
 * for writeback (blk_congestion_wait, HZ/50). Returns the first frame of 2^order pages
 * (zeroed and charged to the clock with __GFP_ZERO), or -1.
 */
export function allocPages(k: Kernel, gfp: number, order = 0, taskFlags = 0): number {
  if (!Number.isInteger(order) || order < 0 || order >= MAX_ORDER) {
    throw new RangeError(`allocPages: order must be 0…${MAX_ORDER - 1}, got ${order}`);
  }
  const zonelist = k.zonelist(gfp);
  if (zonelist.length === 0) return -1;
  const frame = allocPagesSlow(k, zonelist, gfp, order, taskFlags);
  if (frame >= 0 && gfp & __GFP_ZERO) {
    // A loop, not TypedArray.fill: an order-0 block is one element, and fill is a call into
    // the runtime (1 % of a run that faults in buffers page by page).
    const stamp = k.pages.stamp;
    for (let f = frame, end = frame + (1 << order); f < end; f++) stamp[f] = 0;
    k.chargeSystem(k.costs.zeroPageNs << order);
  }
  return frame;
}

function allocPagesSlow(
  k: Kernel,
  zonelist: readonly number[],
  gfp: number,
  order: number,
  taskFlags: number,
): number {
  for (let restarts = 0; ; restarts++) {
    let frame = getPageFromFreelist(k, zonelist, order, ALLOC_WMARK_LOW);
    if (frame >= 0) return frame;
    k.wakeupKswapd(zonelist, order);
    const wait = (gfp & __GFP_WAIT) !== 0;
    let allocFlags = ALLOC_WMARK_MIN;
    if (!wait) allocFlags |= ALLOC_HARDER;
    if (gfp & __GFP_HIGH) allocFlags |= ALLOC_HIGH;
    frame = getPageFromFreelist(k, zonelist, order, allocFlags);
    if (frame >= 0) return frame;
    if (taskFlags & (PF_MEMALLOC | TIF_MEMDIE)) {
      if (gfp & __GFP_NOMEMALLOC) return -1;
      return getPageFromFreelist(k, zonelist, order, ALLOC_NO_WATERMARKS);
    }
    if (!wait) return -1;
    // rebalance: synchronous reclaim.
    for (let rounds = 1; ; rounds++) {
      if (rounds > 100_000) {
        throw new Error(`allocPages: no page after ${rounds} reclaim rounds (free ${k.freePages})`);
      }
      const progress = tryToFreePages(k, zonelist, gfp);
      if (progress) {
        frame = getPageFromFreelist(k, zonelist, order, allocFlags);
        if (frame >= 0) return frame;
      } else if (gfp & __GFP_FS && (gfp & __GFP_NORETRY) === 0) {
        // One more try at pages_high, only to catch a parallel OOM kill.
        frame = getPageFromFreelist(k, zonelist, order, ALLOC_WMARK_HIGH);
        if (frame >= 0) return frame;
        const victim = outOfMemory(k);
        if (victim === null) {
          throw new Error('Kernel panic: out of memory and no killable processes');
        }
        if (victim === 'releasing' || (k.current !== null && victim === k.current)) {
          // The victim is the caller (or still dying): its allocation may dip below the marks.
          return getPageFromFreelist(k, zonelist, order, ALLOC_NO_WATERMARKS);
        }
        break; // restart
      }
      const retry =
        (gfp & __GFP_NORETRY) === 0 && (order <= 3 || (gfp & (__GFP_REPEAT | __GFP_NOFAIL)) !== 0);
      if (!retry) return -1;
      k.congestionWait(20_000_000);
    }
    if (restarts > 1000) throw new Error('allocPages: no progress after 1000 OOM kills');
  }
}

/** Is the zone's free memory at or above pages_high (kswapd's goal, §A7)? */
export function zoneBalanced(k: Kernel, zoneIndex: number): boolean {
  const z = k.zones[zoneIndex]!;
  return zoneWatermarkOk(z, 0, z.pagesHigh, 0, ALLOC_WMARK_HIGH);
}

/**
 * __free_pages_ok / free_hot_cold_page: gives a block with no references back to its zone.
 * free_pages_check: the page must be off the LRU, unlocked, not in the swap cache, not
 * under writeback, unmapped, with no mapping; anything else is a bug.
 */
export function freePages(k: Kernel, frame: number, order = 0): void {
  const pages = k.pages;
  for (let f = frame; f < frame + (1 << order); f++) {
    const flags = pages.flags[f]!;
    if (flags & PG_ANON) {
      pages.mapping[f] = 0;
      pages.clear(f, PG_ANON);
    }
    if (
      flags & BAD_FREE_FLAGS ||
      pages.mapping[f] !== 0 ||
      pages.mapcount[f] !== -1 ||
      pages.count[f] !== 0
    ) {
      throw new Error(
        `Bad page state at free: frame ${f} flags [${formatPageFlags(flags)}] ` +
          `count ${pages.count[f]} mapcount ${pages.mapcount[f]} mapping ${pages.mapping[f]}`,
      );
    }
    if (flags & PG_DIRTY) pages.clear(f, PG_DIRTY);
  }
  k.vm.pgfree += 1 << order;
  const zone = k.zones[pages.zoneOf(frame)]!;
  // free_pages_bulk: memory came back, so the zone is reclaimable again.
  zone.allUnreclaimable = false;
  zone.pagesScanned = 0;
  freeOneBlock(pages, zone, frame, order);
  const freed = k.hooks.pageFreed;
  if (freed !== undefined) for (let f = frame; f < frame + (1 << order); f++) freed(f);
}
