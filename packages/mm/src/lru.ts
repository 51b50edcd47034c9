/**
 * The per-zone LRU lists of 2.6.17 (mm/swap.c, include/linux/mm_inline.h) with the FIFO
 * semantics of §A1: pages enter at the head, reclaim scans from the tail.
 */
import { listAdd, listDel } from './internal/list.js';
import type { Kernel } from './kernel.js';
import { PG_ACTIVE, PG_LRU, PG_REFERENCED } from './page.js';
import { freePages } from './pagealloc.js';

/** add_page_to_active_list: at the head of the active list. */
export function addPageToActiveList(k: Kernel, frame: number): void {
  const zone = k.zones[k.pages.zoneOf(frame)]!;
  listAdd(k.pages.next, k.pages.prev, frame, zone.activeHead);
  zone.nrActive++;
}

/** add_page_to_inactive_list: at the head of the inactive list. */
export function addPageToInactiveList(k: Kernel, frame: number): void {
  const zone = k.zones[k.pages.zoneOf(frame)]!;
  listAdd(k.pages.next, k.pages.prev, frame, zone.inactiveHead);
  zone.nrInactive++;
}

/**
 * lru_cache_add: a page-cache page enters the LRU on the inactive list (§A1). The kernel
 * batches these in a per-CPU pagevec of 14; here the page is added at once.
 */
export function lruCacheAdd(k: Kernel, frame: number): void {
  const pages = k.pages;
  if (pages.flags[frame]! & PG_LRU) throw new Error(`lruCacheAdd: frame ${frame} already on LRU`);
  pages.set(frame, PG_LRU);
  addPageToInactiveList(k, frame);
}

/**
 * lru_cache_add_active: new anonymous pages (zero-fill, COW copies) and swap-in pages enter
 * the LRU on the active list (§A1).
 */
export function lruCacheAddActive(k: Kernel, frame: number): void {
  const pages = k.pages;
  if (pages.flags[frame]! & PG_LRU) throw new Error(`lruCacheAddActive: frame ${frame} on LRU`);
  pages.set(frame, PG_LRU | PG_ACTIVE);
  addPageToActiveList(k, frame);
}

/** del_page_from_lru: off whichever list it is on, PG_lru and PG_active cleared. */
export function delPageFromLru(k: Kernel, frame: number): void {
  const pages = k.pages;
  const zone = k.zones[pages.zoneOf(frame)]!;
  listDel(pages.next, pages.prev, frame);
  if (pages.flags[frame]! & PG_ACTIVE) zone.nrActive--;
  else zone.nrInactive--;
  pages.clear(frame, PG_LRU | PG_ACTIVE);
}

/** activate_page: an inactive page on the LRU moves to the head of the active list. */
export function activatePage(k: Kernel, frame: number): void {
  const pages = k.pages;
  const f = pages.flags[frame]!;
  if ((f & PG_LRU) === 0 || f & PG_ACTIVE) return;
  const zone = k.zones[pages.zoneOf(frame)]!;
  listDel(pages.next, pages.prev, frame);
  zone.nrInactive--;
  pages.set(frame, PG_ACTIVE);
  addPageToActiveList(k, frame);
  k.vm.pgactivate++;
}

/**
 * mark_page_accessed (§A1): an inactive, referenced page on the LRU is activated and its
 * PG_referenced cleared; otherwise an unreferenced page becomes referenced. The first touch
 * sets PG_referenced, the second promotes.
 */
export function markPageAccessed(k: Kernel, frame: number): void {
  const pages = k.pages;
  const f = pages.flags[frame]!;
  if ((f & (PG_ACTIVE | PG_REFERENCED | PG_LRU)) === (PG_REFERENCED | PG_LRU)) {
    activatePage(k, frame);
    pages.clear(frame, PG_REFERENCED);
  } else if ((f & PG_REFERENCED) === 0) {
    pages.set(frame, PG_REFERENCED);
  }
}

/** The frames of a list from head to tail (for tests and views; not a hot path). */
export function listFrames(k: Kernel, head: number): number[] {
  const out: number[] = [];
  const next = k.pages.next;
  for (let f = next[head]!; f !== head; f = next[f]!) out.push(f);
  return out;
}

/**
 * put_page: drops a reference; at zero the page leaves the LRU (__page_cache_release) and
 * returns to the buddy allocator.
 */
export function putPage(k: Kernel, frame: number): void {
  const pages = k.pages;
  const c = --pages.count[frame]!;
  if (c > 0) return;
  if (c < 0) throw new Error(`putPage: frame ${frame} count below zero`);
  if (pages.flags[frame]! & PG_LRU) delPageFromLru(k, frame);
  freePages(k, frame, 0);
}
