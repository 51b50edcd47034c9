/**
 * Dirty pages and their writeback (mm/page-writeback.c, mm/filemap.c): set_page_dirty,
 * clearing, a file page's writepage and end_page_writeback.
 */
import { PAGE_SIZE } from '@cvhrc/hw';
import { listAddTail, listDel } from './internal/list.js';
import type { Kernel } from './kernel.js';
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

/** Dirty page-cache pages of files count in nr_dirty; anonymous, swap and shmem ones do not. */
function accountsDirty(k: Kernel, frame: number, flags: number): boolean {
  const m = k.pages.mapping[frame]!;
  return (flags & (PG_ANON | PG_SWAPCACHE)) === 0 && m !== 0 && k.addressSpace(m).kind === 'file';
}

/**
 * set_page_dirty: marks a page dirty; a page-cache page is counted in nr_dirty (anonymous
 * pages carry PG_dirty without being counted, as in the kernel).
 */
export function setPageDirty(k: Kernel, frame: number): void {
  const pages = k.pages;
  const f = pages.flags[frame]!;
  if (f & PG_DIRTY) return;
  pages.set(frame, PG_DIRTY);
  if (accountsDirty(k, frame, f)) k.nrDirty++;
}

/** clear_page_dirty: the page is clean (written back or thrown away). */
export function clearPageDirty(k: Kernel, frame: number): void {
  const pages = k.pages;
  if (!pages.testAndClear(frame, PG_DIRTY)) return;
  if (accountsDirty(k, frame, pages.flags[frame]!)) k.nrDirty--;
}

/**
 * end_page_writeback: the write finished. A page written for reclaim (PG_reclaim) that is
 * still clean, inactive and on the LRU is rotated to the tail of the inactive list, so the
 * next scan frees it (rotate_reclaimable_page, pgrotated); PG_writeback is cleared.
 */
export function endPageWriteback(k: Kernel, frame: number): void {
  const pages = k.pages;
  if (pages.testAndClear(frame, PG_RECLAIM)) {
    const f = pages.flags[frame]!;
    if ((f & (PG_LOCKED | PG_DIRTY | PG_ACTIVE)) === 0 && f & PG_LRU) {
      const zone = k.zones[pages.zoneOf(frame)]!;
      listDel(pages.next, pages.prev, frame);
      listAddTail(pages.next, pages.prev, frame, zone.inactiveHead);
      k.vm.pgrotated++;
    }
  }
  if (!pages.testAndClear(frame, PG_WRITEBACK)) {
    throw new Error(`endPageWriteback: frame ${frame} was not under writeback`);
  }
  k.nrWriteback--;
  k.writeCompleted();
}

/**
 * The filesystem's writepage: writes a dirty page-cache page to its place in the file on the
 * disk; PG_writeback set and the page unlocked until the write completes.
 */
export function filemapWritepage(k: Kernel, frame: number): void {
  const pages = k.pages;
  const as = k.addressSpace(pages.mapping[frame]!);
  as.diskStamp[pages.index[frame]!] = pages.stamp[frame]!;
  k.vm.pgpgout += PAGE_SIZE >>> 10;
  pages.set(frame, PG_WRITEBACK);
  pages.clear(frame, PG_LOCKED);
  k.nrWriteback++;
  k.writeSubmitted();
  k.blockQueue.submit(true, as.diskOffsetBytes + pages.index[frame]! * PAGE_SIZE, PAGE_SIZE, () =>
    endPageWriteback(k, frame),
  );
}
