/**
 * SysV shared memory on shmem inodes (ipc/shm.c, mm/shmem.c, §C): a segment is a shmem
 * address_space whose pages live in the page cache (not anonymous memory), attached as a
 * shared mapping. Under memory pressure shmem_writepage moves a dirty page from the page
 * cache to the swap cache, dirty, recording its slot in the inode's swap vector; the next
 * reclaim pass writes it to swap. A fault finds the slot in the vector and reads the page
 * back (a major fault), moving it to the page cache again.
 */
import {
  addToPageCache,
  findGetPage,
  findPage,
  removeFromPageCache,
  type AddressSpace,
} from './filemap.js';
import { GFP_HIGHUSER, __GFP_ZERO } from './gfp.js';
import type { Kernel } from './kernel.js';
import { lruCacheAdd, markPageAccessed, putPage } from './lru.js';
import { PG_DIRTY, PG_LOCKED, PG_SWAPCACHE, PG_UPTODATE, PG_WRITEBACK } from './page.js';
import { allocPages } from './pagealloc.js';
import {
  addToSwapCache,
  deleteFromSwapCacheRaw,
  freeSwapAndCache,
  getSwapPage,
  lookupSwapCache,
  readSwapCacheAsync,
  swapDuplicate,
  swapFree,
  swapinReadahead,
} from './swap.js';
import type { Task } from './task.js';
import { setPageDirty } from './writeback.js';

/** A SysV shared-memory segment (shmid_kernel). */
export class ShmSegment {
  readonly id: number;
  readonly key: number;
  /** The shmem inode's address_space. */
  readonly file: AddressSpace;
  /** IPC_RMID was called: the segment is destroyed at its last detach. */
  removed = false;

  constructor(id: number, key: number, file: AddressSpace) {
    this.id = id;
    this.key = key;
    this.file = file;
  }

  /** shm_nattch: the VMAs attaching it. */
  get nattch(): number {
    return this.file.iMmap.length;
  }
}

/** Results of shmemGetpage besides a frame. */
export const SHMEM_OOM = -1;
export const SHMEM_WAIT = -2;
export const SHMEM_SIGBUS = -3;

/**
 * shmem_getpage (SGP_CACHE) + shmem_nopage: the page at `index` of a shmem file with a
 * reference — or SHMEM_WAIT (its swap-in or swap-out I/O is in flight: `task.waitFrame`),
 * SHMEM_OOM, SHMEM_SIGBUS. A page-cache hit is minor. A page whose slot is in the swap
 * vector is read back with swap readahead — a major fault (§C) — and moved from the swap
 * cache to the page cache, dirty. A hole gets a new zeroed page on the inactive list. The
 * page is marked accessed.
 */
export function shmemGetpage(k: Kernel, task: Task, as: AddressSpace, index: number): number {
  if (index >= as.sizePages) return SHMEM_SIGBUS;
  const pages = k.pages;
  let frame = findGetPage(k, as.id, index);
  if (frame < 0) {
    const slot = as.shmemSwap![index]!;
    if (slot !== 0) {
      let page = lookupSwapCache(k, slot);
      if (page < 0) {
        swapinReadahead(k, slot, task.allocFlags);
        page = readSwapCacheAsync(k, slot, task.allocFlags);
        if (page < 0) return SHMEM_OOM;
        if (!task.faultMajor) {
          task.faultMajor = true;
          k.vm.pgmajfault++;
        }
      }
      const f = pages.flags[page]!;
      if (f & (PG_LOCKED | PG_WRITEBACK)) {
        putPage(k, page);
        task.waitFrame = page;
        task.waitBits = PG_LOCKED | PG_WRITEBACK;
        return SHMEM_WAIT;
      }
      if ((f & PG_UPTODATE) === 0) {
        putPage(k, page);
        return SHMEM_SIGBUS;
      }
      // move_from_swap_cache: into the page cache, out of the swap cache, dirty.
      deleteFromSwapCacheRaw(k, page);
      swapFree(k, slot); // the swap cache's count
      addToPageCache(k, page, as, index);
      pages.clear(page, PG_LOCKED | PG_DIRTY);
      putPage(k, page); // the swap cache's reference (the page cache took its own)
      setPageDirty(k, page);
      as.shmemSwap![index] = 0;
      swapFree(k, slot); // the swap vector's count
      frame = page; // our lookup's reference stays ours
    } else {
      const page = allocPages(k, GFP_HIGHUSER | __GFP_ZERO, 0, task.allocFlags);
      if (page < 0) return SHMEM_OOM;
      addToPageCache(k, page, as, index);
      lruCacheAdd(k, page);
      pages.set(page, PG_UPTODATE);
      pages.clear(page, PG_LOCKED);
      frame = page; // the allocation's reference is ours
    }
  }
  markPageAccessed(k, frame);
  return frame;
}

/**
 * shmem_writepage (§C): the locked page moves from the page cache to the swap cache
 * (move_to_swap_cache: the swap cache and the swap vector each hold the slot), stays dirty
 * and is unlocked; the next reclaim pass writes it to swap. False when swap is full (the
 * caller re-dirties and activates it).
 */
export function shmemWritepage(k: Kernel, frame: number): boolean {
  const pages = k.pages;
  const as = k.addressSpace(pages.mapping[frame]!);
  const index = pages.index[frame]!;
  const slot = getSwapPage(k);
  if (slot === 0) return false;
  removeFromPageCache(k, frame);
  pages.count[frame]!--; // the page cache's reference becomes …
  addToSwapCache(k, frame, slot); // … the swap cache's
  swapDuplicate(k, slot);
  as.shmemSwap![index] = slot;
  pages.set(frame, PG_DIRTY);
  pages.clear(frame, PG_LOCKED);
  return true;
}

/**
 * shmem_truncate at the destruction of a segment: its cached pages leave the page cache
 * (after their I/O) and its swap slots are freed.
 */
export function shmemTruncate(k: Kernel, as: AddressSpace): void {
  const pages = k.pages;
  for (let index = 0; index < as.sizePages; index++) {
    const f = findPage(k, as.id, index);
    if (f >= 0) {
      k.waitOnPage(f, PG_LOCKED | PG_WRITEBACK);
      if ((pages.flags[f]! & PG_SWAPCACHE) === 0 && pages.mapping[f] === as.id) {
        pages.clear(f, PG_DIRTY);
        removeFromPageCache(k, f);
        putPage(k, f);
      }
    }
    const slot = as.shmemSwap![index]!;
    if (slot !== 0) {
      as.shmemSwap![index] = 0;
      freeSwapAndCache(k, slot);
    }
  }
  as.sizeBytes = 0;
}
