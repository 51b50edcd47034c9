/**
 * The buddy allocator of one zone (mm/page_alloc.c: __rmqueue, expand, __free_one_page):
 * free blocks of 2^order pages (order 0 … MAX_ORDER − 1) on per-order free lists, linked
 * through the same `page->lru` links the LRU lists use. The first frame of a free block has
 * PG_buddy set and its order in `private`.
 */
import { listAdd, listDel } from './internal/list.js';
import { PG_BUDDY, type PageDescriptors } from './page.js';
import { MAX_ORDER, type Zone } from './zone.js';

/**
 * __rmqueue: takes a block of 2^order pages from the smallest order that has one (the
 * block at the head of that free list) and splits it, returning the upper halves to the
 * lower free lists (expand). Returns the first frame, or -1 when no block is large enough.
 * The caller checked the watermarks.
 */
export function rmqueue(pages: PageDescriptors, zone: Zone, order: number): number {
  const { next, prev } = pages;
  for (let current = order; current < MAX_ORDER; current++) {
    const head = zone.freeHeadBase + current;
    const frame = next[head]!;
    if (frame === head) continue;
    listDel(next, prev, frame);
    pages.clear(frame, PG_BUDDY);
    pages.private[frame] = 0;
    zone.nrFree[current]!--;
    zone.freePages -= 1 << order;
    // expand: keep the lower half, free the upper half, down to the order wanted.
    let high = current;
    let size = 1 << high;
    while (high > order) {
      high--;
      size >>>= 1;
      const buddy = frame + size;
      listAdd(next, prev, buddy, zone.freeHeadBase + high);
      zone.nrFree[high]!++;
      pages.set(buddy, PG_BUDDY);
      pages.private[buddy] = high;
    }
    return frame;
  }
  return -1;
}

/**
 * __free_one_page: returns a block to the zone, merging it with its buddy (the block
 * `frame ^ 2^order`, relative to a MAX_ORDER-aligned base) as long as the buddy is free,
 * of the same order and in the same zone. The merged block goes to the head of its list.
 */
export function freeOneBlock(
  pages: PageDescriptors,
  zone: Zone,
  frame: number,
  order: number,
): void {
  const { next, prev } = pages;
  zone.freePages += 1 << order;
  while (order < MAX_ORDER - 1) {
    const buddy = frame ^ (1 << order);
    if (!zone.contains(buddy) || !pages.test(buddy, PG_BUDDY) || pages.private[buddy] !== order) {
      break;
    }
    listDel(next, prev, buddy);
    zone.nrFree[order]!--;
    pages.clear(buddy, PG_BUDDY);
    pages.private[buddy] = 0;
    frame &= ~(1 << order);
    order++;
  }
  pages.set(frame, PG_BUDDY);
  pages.private[frame] = order;
  listAdd(next, prev, frame, zone.freeHeadBase + order);
  zone.nrFree[order]!++;
}
