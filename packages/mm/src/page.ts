import { listInit } from './internal/list.js';

/*
 * Page flags: the bits of `page->flags` in 2.6.17 (include/linux/page-flags.h) that the
 * emulation uses, at the kernel's own bit numbers, plus PG_anon (bit 20), which stands for
 * the low bit the kernel sets in `page->mapping` of an anonymous page (PAGE_MAPPING_ANON).
 * As in the kernel, the top bits of the flags word hold the zone number (bits 30–31).
 */
export const PG_LOCKED = 1 << 0;
export const PG_ERROR = 1 << 1;
/** Software reference bit, set by mark_page_accessed (§A1). */
export const PG_REFERENCED = 1 << 2;
export const PG_UPTODATE = 1 << 3;
export const PG_DIRTY = 1 << 4;
/** On a zone's active or inactive list (§A1). */
export const PG_LRU = 1 << 5;
/** On the active list (§A1). */
export const PG_ACTIVE = 1 << 6;
/** Never allocated or freed: boot memory, the kernel image, mem_map, ZERO_PAGE. */
export const PG_RESERVED = 1 << 10;
export const PG_WRITEBACK = 1 << 12;
/** In the swap cache; `private` holds the swap entry (§D). */
export const PG_SWAPCACHE = 1 << 15;
export const PG_RECLAIM = 1 << 17;
/** Free, heading a buddy block; `private` holds the block's order (2.6.18's PG_buddy). */
export const PG_BUDDY = 1 << 19;
/** `mapping` is an anon_vma id (the kernel's PAGE_MAPPING_ANON bit in page->mapping). */
export const PG_ANON = 1 << 20;

/** Where the zone number sits in the flags word (page_zonenum). */
export const PAGE_ZONE_SHIFT = 30;
const PAGE_FLAGS_MASK = (1 << PAGE_ZONE_SHIFT) - 1;

/** `mapping` value of a page with no mapping (NULL). */
export const NO_MAPPING = 0;
/** `next`/`prev`/`hashNext` value of a frame on no list. */
export const NO_FRAME = -1;

const FLAG_NAMES: readonly [number, string][] = [
  [PG_LOCKED, 'locked'],
  [PG_ERROR, 'error'],
  [PG_REFERENCED, 'referenced'],
  [PG_UPTODATE, 'uptodate'],
  [PG_DIRTY, 'dirty'],
  [PG_LRU, 'lru'],
  [PG_ACTIVE, 'active'],
  [PG_RESERVED, 'reserved'],
  [PG_WRITEBACK, 'writeback'],
  [PG_SWAPCACHE, 'swapcache'],
  [PG_RECLAIM, 'reclaim'],
  [PG_BUDDY, 'buddy'],
  [PG_ANON, 'anon'],
];

/** Names of the flags set in a flags word, e.g. `lru active referenced` (zone bits left out). */
export function formatPageFlags(flags: number): string {
  return FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0)
    .map(([, name]) => name)
    .join(' ');
}

/**
 * `struct page` for every frame, as a structure of arrays (mem_map). Frame `f`'s fields are
 * `flags[f]`, `count[f]`, … The link arrays `next`/`prev` are longer than the frame count:
 * the indices from `frameCount` on are list heads (sentinels) that zones use for their LRU
 * and buddy free lists. Fields are public for the kernel's hot paths; change them through
 * the kernel's functions.
 */
export class PageDescriptors {
  readonly frameCount: number;
  /** Index of the first list head. */
  readonly headBase: number;
  readonly headCount: number;
  /** page->flags: PG_* bits, zone number in bits 30–31. */
  readonly flags: Uint32Array;
  /** page->_count: references (0 = free). */
  readonly count: Int32Array;
  /** page->_mapcount: PTEs mapping the frame, minus one (−1 = unmapped; §C). */
  readonly mapcount: Int32Array;
  /** page->mapping: an address_space id, or an anon_vma id when PG_ANON is set; 0 = none. */
  readonly mapping: Int32Array;
  /** page->index: page offset in the file, or linear index in the VMA for anon pages (§C). */
  readonly index: Int32Array;
  /** page->private: the swap entry of a swap-cache page, or the order of a free buddy block. */
  readonly private: Int32Array;
  /** page->lru.next / .prev, over frames and list heads. */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** Next frame in the same page-cache hash chain (the radix tree's role). */
  readonly hashNext: Int32Array;
  /**
   * Content stamp (emulation, for checking that no data is lost): which version of its
   * contents the frame holds. A store by a program writes a fresh stamp; zero-filled pages
   * have 0; copies, swap and file I/O carry stamps with the data.
   */
  readonly stamp: Uint32Array;

  constructor(frameCount: number, headCount: number) {
    this.frameCount = frameCount;
    this.headBase = frameCount;
    this.headCount = headCount;
    this.flags = new Uint32Array(frameCount);
    this.count = new Int32Array(frameCount);
    this.mapcount = new Int32Array(frameCount).fill(-1);
    this.mapping = new Int32Array(frameCount);
    this.index = new Int32Array(frameCount);
    this.private = new Int32Array(frameCount);
    this.next = new Int32Array(frameCount + headCount).fill(NO_FRAME);
    this.prev = new Int32Array(frameCount + headCount).fill(NO_FRAME);
    this.hashNext = new Int32Array(frameCount).fill(NO_FRAME);
    this.stamp = new Uint32Array(frameCount);
    for (let h = 0; h < headCount; h++) listInit(this.next, this.prev, frameCount + h);
  }

  /** page_zonenum. */
  zoneOf(frame: number): number {
    return this.flags[frame]! >>> PAGE_ZONE_SHIFT;
  }

  /** set_page_zone: done once at boot. */
  setZone(frame: number, zone: number): void {
    this.flags[frame] = (this.flags[frame]! & PAGE_FLAGS_MASK) | (zone << PAGE_ZONE_SHIFT);
  }

  /** True when every bit of `bits` is set. */
  test(frame: number, bits: number): boolean {
    return (this.flags[frame]! & bits) === bits;
  }

  set(frame: number, bits: number): void {
    this.flags[frame] = this.flags[frame]! | bits;
  }

  clear(frame: number, bits: number): void {
    this.flags[frame] = this.flags[frame]! & ~bits;
  }

  /** TestClearPageX: clears `bit` and says whether it was set. */
  testAndClear(frame: number, bit: number): boolean {
    const f = this.flags[frame]!;
    if ((f & bit) === 0) return false;
    this.flags[frame] = f & ~bit;
    return true;
  }

  /** page_mapcount: the number of PTEs mapping the frame. */
  mapCount(frame: number): number {
    return this.mapcount[frame]! + 1;
  }

  /** page_mapped. */
  isMapped(frame: number): boolean {
    return this.mapcount[frame]! >= 0;
  }

  /** Host bytes held by these arrays. */
  hostBytes(): number {
    return (
      this.flags.byteLength +
      this.count.byteLength +
      this.mapcount.byteLength +
      this.mapping.byteLength +
      this.index.byteLength +
      this.private.byteLength +
      this.next.byteLength +
      this.prev.byteLength +
      this.hashNext.byteLength +
      this.stamp.byteLength
    );
  }
}
