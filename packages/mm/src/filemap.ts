/**
 * Files and the page cache of 2.6.17 (mm/filemap.c, mm/readahead.c): an address_space per
 * file, a hash from (address_space, index) to frame standing in for the radix tree, pages
 * added locked and read from the disk in simulated time, and the read-around of §B.
 */
import { PAGE_SIZE } from '@cvhrc/hw';
import { GFP_HIGHUSER, __GFP_COLD } from './gfp.js';
import type { Kernel } from './kernel.js';
import { lruCacheAdd } from './lru.js';
import type { Vma } from './mm.js';
import { allocPages } from './pagealloc.js';
import { NO_FRAME, PG_LOCKED, PG_SWAPCACHE, PG_UPTODATE } from './page.js';

/** VM_MAX_READAHEAD: 128 KB = 32 pages (§B). */
export const VM_MAX_READAHEAD_PAGES = 32;
/** MMAP_LOTSAMISS: read-around stops when misses exceed hits by this much (§B). */
export const MMAP_LOTSAMISS = 100;

/** What backs an address_space's pages. */
export type AddressSpaceKind = 'file' | 'shmem';

/**
 * address_space (with the inode fields it needs): a file's pages in the page cache, the
 * VMAs mapping it (i_mmap), its size, where its blocks lie on the disk, and the mmap
 * read-around state of its open file (file_ra_state).
 */
export class AddressSpace {
  readonly id: number;
  readonly name: string;
  readonly kind: AddressSpaceKind;
  /** i_size in bytes. */
  sizeBytes: number;
  /** Byte offset of the file's first block on the disk (files are contiguous). */
  readonly diskOffsetBytes: number;
  /** Pages in the page cache. */
  nrpages = 0;
  /**
   * The frame caching each page index, or NO_FRAME: the lookup side of the page cache (the
   * radix tree's role; the hash holds the same pages). Grows with the file.
   */
  cached: Int32Array;
  /** VMAs mapping the file (the kernel's i_mmap prio tree, as a list). */
  readonly iMmap: Vma[] = [];
  /** mapping_gfp_mask. */
  readonly gfpMask: number = GFP_HIGHUSER;
  /** shmem's swap vector (info->i_direct …): the swap slot of each page out on swap, or 0. */
  readonly shmemSwap: Int32Array | null;
  /** Content stamps of the file's pages on the disk (see PageDescriptors.stamp). */
  readonly diskStamp: Uint32Array;
  /** file_ra_state: ra_pages, mmap_hit, mmap_miss. */
  raPages: number;
  mmapHit = 0;
  mmapMiss = 0;

  constructor(
    id: number,
    name: string,
    kind: AddressSpaceKind,
    sizeBytes: number,
    diskOffsetBytes: number,
    raPages: number,
  ) {
    this.id = id;
    this.name = name;
    this.kind = kind;
    this.sizeBytes = sizeBytes;
    this.diskOffsetBytes = diskOffsetBytes;
    this.raPages = raPages;
    this.diskStamp = new Uint32Array(Math.ceil(sizeBytes / PAGE_SIZE));
    this.cached = new Int32Array(Math.max(1, Math.ceil(sizeBytes / PAGE_SIZE))).fill(NO_FRAME);
    this.shmemSwap = kind === 'shmem' ? new Int32Array(Math.ceil(sizeBytes / PAGE_SIZE)) : null;
  }

  /** Size in pages, rounded up. */
  get sizePages(): number {
    return Math.ceil(this.sizeBytes / PAGE_SIZE);
  }
}

/** Bucket of the page-cache hash for (mapping, index). */
export function pageCacheBucket(k: Kernel, mapping: number, index: number): number {
  return (Math.imul(mapping, 0x9e3779b1) ^ Math.imul(index, 0x85ebca77)) & k.pageCacheMask;
}

/**
 * radix_tree_lookup: the frame caching page `index` of the address_space `mapping`, or -1. No
 * reference taken. One read of the address_space's index (the hash, searched instead, costs
 * a miss per frame of the bucket's chain).
 */
export function findPage(k: Kernel, mapping: number, index: number): number {
  const cached = k.addressSpace(mapping).cached;
  return index >= 0 && index < cached.length ? cached[index]! : -1;
}

/** The same lookup through the page-cache hash, for the invariant checks. */
export function findPageHashed(k: Kernel, mapping: number, index: number): number {
  const pages = k.pages;
  let f = k.pageCacheBuckets[pageCacheBucket(k, mapping, index)]!;
  while (f !== NO_FRAME) {
    if (
      pages.mapping[f] === mapping &&
      pages.index[f] === index &&
      (pages.flags[f]! & PG_SWAPCACHE) === 0
    ) {
      return f;
    }
    f = pages.hashNext[f]!;
  }
  return -1;
}

/** find_get_page: like findPage, taking a reference on the page found. */
export function findGetPage(k: Kernel, mapping: number, index: number): number {
  const f = findPage(k, mapping, index);
  if (f >= 0) k.pages.count[f]!++;
  return f;
}

function hashInsert(k: Kernel, frame: number, bucket: number): void {
  k.pages.hashNext[frame] = k.pageCacheBuckets[bucket]!;
  k.pageCacheBuckets[bucket] = frame;
}

function hashRemove(k: Kernel, frame: number, bucket: number): void {
  const next = k.pages.hashNext;
  let f = k.pageCacheBuckets[bucket]!;
  if (f === frame) {
    k.pageCacheBuckets[bucket] = next[frame]!;
  } else {
    while (next[f] !== frame) {
      if (next[f] === NO_FRAME) throw new Error(`page cache: frame ${frame} not in its bucket`);
      f = next[f]!;
    }
    next[f] = next[frame]!;
  }
  next[frame] = NO_FRAME;
}

/**
 * add_to_page_cache: the page joins `mapping` at `index` locked, with a reference held by
 * the cache. Throws if the index is already cached (the caller looked first).
 */
export function addToPageCache(k: Kernel, frame: number, as: AddressSpace, index: number): void {
  if (findPage(k, as.id, index) >= 0) {
    throw new Error(`addToPageCache: ${as.name} page ${index} is already cached`);
  }
  const pages = k.pages;
  pages.count[frame]!++;
  pages.set(frame, PG_LOCKED);
  pages.mapping[frame] = as.id;
  pages.index[frame] = index;
  hashInsert(k, frame, pageCacheBucket(k, as.id, index));
  if (index >= as.cached.length) {
    let length = as.cached.length;
    while (length <= index) length *= 2;
    const grown = new Int32Array(length).fill(NO_FRAME);
    grown.set(as.cached);
    as.cached = grown;
  }
  as.cached[index] = frame;
  as.nrpages++;
  k.nrPagecache++;
}

/** add_to_page_cache_lru: and onto the inactive list (§A1). */
export function addToPageCacheLru(k: Kernel, frame: number, as: AddressSpace, index: number): void {
  addToPageCache(k, frame, as, index);
  lruCacheAdd(k, frame);
}

/**
 * __remove_from_page_cache: the page leaves its mapping (the caller drops the cache's
 * reference).
 */
export function removeFromPageCache(k: Kernel, frame: number): void {
  const pages = k.pages;
  const as = k.addressSpace(pages.mapping[frame]!);
  const index = pages.index[frame]!;
  hashRemove(k, frame, pageCacheBucket(k, as.id, index));
  as.cached[index] = NO_FRAME;
  pages.mapping[frame] = 0;
  as.nrpages--;
  k.nrPagecache--;
}

/** unlock_page: clears PG_locked (waking whoever waits on it). */
export function unlockPage(k: Kernel, frame: number): void {
  if (!k.pages.testAndClear(frame, PG_LOCKED)) {
    throw new Error(`unlockPage: frame ${frame} is not locked`);
  }
}

/** Reads pages `first … first + frames.length − 1` of `as` into `frames`: one disk request. */
function readRun(k: Kernel, as: AddressSpace, first: number, frames: number[]): void {
  k.vm.pgpgin += (frames.length * PAGE_SIZE) >>> 10;
  k.blockQueue.submit(
    false,
    as.diskOffsetBytes + first * PAGE_SIZE,
    frames.length * PAGE_SIZE,
    () => {
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        k.pages.stamp[f] = as.diskStamp[first + i]!;
        k.pages.set(f, PG_UPTODATE);
        unlockPage(k, f);
      }
    },
  );
}

/**
 * __do_page_cache_readahead: allocates a page for each of pages `start … start + nr − 1`
 * (inside the file) that is not cached, adds them to the page cache and the inactive list
 * locked and not up to date, and reads each run of consecutive pages with one disk request
 * (mpage_readpages merges them into one bio; file blocks are contiguous here). The pages
 * are unlocked and up to date when their request completes. Returns how many were started.
 */
export function doPageCacheReadahead(
  k: Kernel,
  as: AddressSpace,
  start: number,
  nr: number,
): number {
  const endIndex = as.sizePages - 1;
  let started = 0;
  let run: number[] = [];
  let runFirst = 0;
  for (let i = 0; i < nr; i++) {
    const index = start + i;
    if (index > endIndex) break;
    if (findPage(k, as.id, index) >= 0) {
      if (run.length > 0) readRun(k, as, runFirst, run);
      run = [];
      continue;
    }
    const frame = allocPages(k, as.gfpMask | __GFP_COLD, 0, k.currentTaskFlags());
    if (frame < 0) break;
    addToPageCacheLru(k, frame, as, index);
    // The page cache holds the page now; drop the allocation's reference.
    k.pages.count[frame]!--;
    if (run.length === 0) runFirst = index;
    run.push(frame);
    started++;
  }
  if (run.length > 0) readRun(k, as, runFirst, run);
  return started;
}

/**
 * max_sane_readahead: no more than half of the inactive and free pages (2.6.17 counts the
 * node's; there is one node).
 */
export function maxSaneReadahead(k: Kernel, nr: number): number {
  let inactiveAndFree = 0;
  for (const z of k.zones) inactiveAndFree += z.nrInactive + z.freePages;
  return Math.min(nr, Math.floor(inactiveAndFree / 2));
}
