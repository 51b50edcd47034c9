/**
 * Zones of the i386 layout (§A6): DMA (0–16 MB), Normal (16–896 MB), HighMem (the rest),
 * with their free areas, LRU lists, reclaim state (§A1) and watermarks (§A6).
 */

/** Zone numbers of this emulation (the kernel's ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM). */
export const ZONE_DMA = 0;
export const ZONE_NORMAL = 1;
export const ZONE_HIGHMEM = 2;
export const NR_ZONES = 3;
export const ZONE_NAMES: readonly string[] = ['DMA', 'Normal', 'HighMem'];

/** Buddy orders 0 … MAX_ORDER − 1 (blocks of 1 … 1024 pages). */
export const MAX_ORDER = 11;

/** i386 zone boundaries in 4 KiB frames: 16 MB and 896 MB (§A6). */
export const DMA_END_FRAME = (16 << 20) >>> 12;
export const NORMAL_END_FRAME = (896 << 20) >>> 12;

/** SWAP_CLUSTER_MAX (§A3), also the lower clamp of HighMem's pages_min (§A6). */
export const SWAP_CLUSTER_MAX = 32;
/** DEF_PRIORITY (§A3). */
export const DEF_PRIORITY = 12;

/**
 * sysctl_lowmem_reserve_ratio of 2.6.17 (§A6): `{256, 256, 32}`, indexed by the kernel's
 * zone types DMA, DMA32, Normal. i386 has an empty DMA32 zone between DMA and Normal, so
 * DMA is protected by 1/256 of what lies above it and Normal by 1/32 of HighMem.
 */
export const LOWMEM_RESERVE_RATIO: readonly number[] = [256, 256, 32];
/** The kernel's zone type (0 DMA, 1 DMA32, 2 Normal, 3 HighMem) of each zone here. */
const KERNEL_ZONE_TYPE: readonly number[] = [0, 2, 3];

/** Lists heads each zone owns: MAX_ORDER free lists, then active, then inactive. */
export const ZONE_LIST_HEADS = MAX_ORDER + 2;

/** One zone: struct zone of 2.6.17, the fields §A1 and §A6 name. */
export class Zone {
  readonly index: number;
  readonly name: string;
  /** zone_start_pfn. */
  readonly startPfn: number;
  /** Frames the zone spans (no holes here, so also its present pages). */
  readonly spannedPages: number;
  readonly presentPages: number;
  /** List head of free_area[order] is `freeHeadBase + order`. */
  readonly freeHeadBase: number;
  readonly activeHead: number;
  readonly inactiveHead: number;

  /** Free pages in the buddy lists. */
  freePages = 0;
  /** free_area[order].nr_free: free blocks of each order. */
  readonly nrFree = new Int32Array(MAX_ORDER);
  pagesMin = 0;
  pagesLow = 0;
  pagesHigh = 0;
  /** lowmem_reserve[classzone]: pages kept back from allocations aimed at a higher zone. */
  readonly lowmemReserve = new Int32Array(NR_ZONES);

  nrActive = 0;
  nrInactive = 0;
  /** Scan accumulators of shrink_zone (§A3). */
  nrScanActive = 0;
  nrScanInactive = 0;
  /** Pages scanned since the last page was freed in this zone (§A7). */
  pagesScanned = 0;
  allUnreclaimable = false;
  /** Reclaim priority of the last scan that finished; drives `distress` (§A4). */
  prevPriority = DEF_PRIORITY;
  tempPriority = DEF_PRIORITY;

  constructor(index: number, startPfn: number, pages: number, headBase: number) {
    this.index = index;
    this.name = ZONE_NAMES[index]!;
    this.startPfn = startPfn;
    this.spannedPages = pages;
    this.presentPages = pages;
    this.freeHeadBase = headBase;
    this.activeHead = headBase + MAX_ORDER;
    this.inactiveHead = headBase + MAX_ORDER + 1;
  }

  /** One past the zone's last frame. */
  get endPfn(): number {
    return this.startPfn + this.spannedPages;
  }

  get isHighmem(): boolean {
    return this.index === ZONE_HIGHMEM;
  }

  /** True when the zone holds `frame`. */
  contains(frame: number): boolean {
    return frame >= this.startPfn && frame < this.startPfn + this.spannedPages;
  }
}

/** First frame and size of each zone for `frameCount` 4 KiB frames, i386 layout (§A6). */
export function i386ZoneSpans(frameCount: number): { start: number; pages: number }[] {
  const dmaEnd = Math.min(frameCount, DMA_END_FRAME);
  const normalEnd = Math.min(frameCount, NORMAL_END_FRAME);
  return [
    { start: 0, pages: dmaEnd },
    { start: dmaEnd, pages: normalEnd - dmaEnd },
    { start: normalEnd, pages: frameCount - normalEnd },
  ];
}

/** int_sqrt: the largest integer whose square is ≤ x. */
export function intSqrt(x: number): number {
  if (x < 0) throw new RangeError(`intSqrt: negative argument ${x}`);
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/**
 * init_per_zone_pages_min (§A6): `int_sqrt(lowmem_kB · 16)` clamped to 128 … 65536, where
 * lowmem_kB is nr_free_buffer_pages() at boot — the present pages of DMA and Normal (the
 * pages_high it subtracts are still 0 then).
 */
export function defaultMinFreeKbytes(lowmemPages: number, pageBytes = 4096): number {
  const lowmemKbytes = lowmemPages * (pageBytes >>> 10);
  return Math.min(65536, Math.max(128, intSqrt(lowmemKbytes * 16)));
}

/**
 * setup_per_zone_pages_min (§A6): each zone gets `tmp = pages_min_total · present /
 * lowmem_pages`; pages_min = tmp (HighMem: present/1024 clamped to 32 … 128);
 * pages_low = pages_min + tmp/4; pages_high = pages_min + tmp/2.
 */
export function setupPerZonePagesMin(
  zones: readonly Zone[],
  minFreeKbytes: number,
  pageBytes = 4096,
): void {
  const pagesMinTotal = Math.floor(minFreeKbytes / (pageBytes >>> 10));
  let lowmemPages = 0;
  for (const z of zones) if (!z.isHighmem) lowmemPages += z.presentPages;
  for (const z of zones) {
    const tmp = lowmemPages === 0 ? 0 : Math.floor((pagesMinTotal * z.presentPages) / lowmemPages);
    if (z.isHighmem) {
      // __GFP_HIGH and PF_MEMALLOC allocations rarely need highmem: cap its reserve.
      z.pagesMin = Math.min(128, Math.max(SWAP_CLUSTER_MAX, Math.floor(z.presentPages / 1024)));
    } else {
      z.pagesMin = tmp;
    }
    z.pagesLow = z.pagesMin + (tmp >>> 2);
    z.pagesHigh = z.pagesMin + (tmp >>> 1);
  }
}

/**
 * setup_per_zone_lowmem_reserve (§A6): zone j's `lowmem_reserve[k]` for a higher zone k is
 * the present pages of zones j+1 … k divided by the ratio of zone j (LOWMEM_RESERVE_RATIO,
 * indexed by the kernel's zone type; the empty DMA32 zone adds no pages).
 */
export function setupPerZoneLowmemReserve(zones: readonly Zone[]): void {
  for (let k = 0; k < zones.length; k++) {
    const zk = zones[k]!;
    zk.lowmemReserve[k] = 0;
    let present = zk.presentPages;
    for (let j = k - 1; j >= 0; j--) {
      const lower = zones[j]!;
      const ratio = Math.max(1, LOWMEM_RESERVE_RATIO[KERNEL_ZONE_TYPE[j]!]!);
      lower.lowmemReserve[k] = Math.floor(present / ratio);
      present += lower.presentPages;
    }
  }
}

/** alloc_flags of the allocator (mm/page_alloc.c). */
export const ALLOC_NO_WATERMARKS = 0x01;
export const ALLOC_WMARK_MIN = 0x02;
export const ALLOC_WMARK_LOW = 0x04;
export const ALLOC_WMARK_HIGH = 0x08;
/** Try harder: atomic and real-time allocations take another quarter off the mark. */
export const ALLOC_HARDER = 0x10;
/** __GFP_HIGH: the mark is halved. */
export const ALLOC_HIGH = 0x20;

/**
 * zone_watermark_ok (§A6): after taking 2^order pages, the free pages must exceed
 * `mark + lowmem_reserve[classzone]` (ALLOC_HIGH halves the mark, ALLOC_HARDER takes another
 * quarter off), and for each order below `order` enough larger blocks must remain.
 */
export function zoneWatermarkOk(
  zone: Zone,
  order: number,
  mark: number,
  classzone: number,
  allocFlags: number,
): boolean {
  let min = mark;
  let free = zone.freePages - (1 << order) + 1;
  if (allocFlags & ALLOC_HIGH) min -= Math.floor(min / 2);
  if (allocFlags & ALLOC_HARDER) min -= Math.floor(min / 4);
  if (free <= min + zone.lowmemReserve[classzone]!) return false;
  for (let o = 0; o < order; o++) {
    // At the next order, this order's pages become unavailable.
    free -= zone.nrFree[o]! << o;
    min >>= 1;
    if (free <= min) return false;
  }
  return true;
}
