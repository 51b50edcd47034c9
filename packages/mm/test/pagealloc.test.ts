// The buddy allocator and the watermark passes of __alloc_pages (§A6, §A7).
import { describe, expect, test } from 'vitest';
import {
  allocPages,
  freePages,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_HIGHUSER,
  GFP_KERNEL,
  __GFP_NORETRY,
  PF_MEMALLOC,
  PG_BUDDY,
  putPage,
  ZONE_DMA,
  ZONE_NORMAL,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

describe('buddy allocator on a 64 MiB machine', () => {
  // DMA: frames 0–1279 reserved → free blocks 1280 (order 8), 1536 (9), 2048 and 3072 (10).
  // Normal: mem_map at 4096–4223 → 4224 (order 7), 4352 (8), 4608 (9), 5120… (eleven of 10).
  test('boot leaves maximal aligned blocks', () => {
    const k = smallKernel(64);
    expect(Array.from(k.zones[ZONE_DMA]!.nrFree)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
    expect(Array.from(k.zones[ZONE_NORMAL]!.nrFree)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 11]);
  });

  test('an order-0 allocation splits the smallest block; freeing merges it back', () => {
    const k = smallKernel(64);
    const normal = k.zones[ZONE_NORMAL]!;
    const before = normal.freePages;
    const f = allocPages(k, GFP_KERNEL);
    // The order-7 block at 4224 is split: 4224 is handed out, its upper halves freed.
    expect(f).toBe(4224);
    expect(Array.from(normal.nrFree)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 11]);
    expect(k.pages.test(4225, PG_BUDDY) && k.pages.private[4225]).toBe(0);
    expect(k.pages.private[4288]).toBe(6);
    expect(normal.freePages).toBe(before - 1);
    expect(k.pages.count[f]).toBe(1);
    k.checkInvariants();
    putPage(k, f);
    expect(Array.from(normal.nrFree)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 11]);
    expect(normal.freePages).toBe(before);
    k.checkInvariants();
  });

  test('higher orders and out-of-order frees merge completely', () => {
    const k = smallKernel(64);
    const normal = k.zones[ZONE_NORMAL]!;
    const a = allocPages(k, GFP_KERNEL, 3);
    const b = allocPages(k, GFP_KERNEL, 3);
    const c = allocPages(k, GFP_KERNEL, 0);
    expect([a, b]).toEqual([4224, 4232]);
    expect(a % 8).toBe(0);
    // (checkInvariants would flag the tail pages of a block out: they have no count of their own.)
    k.pages.count[a] = 0;
    freePages(k, a, 3);
    putPage(k, c);
    k.pages.count[b] = 0;
    freePages(k, b, 3);
    expect(Array.from(normal.nrFree)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 11]);
    k.checkInvariants();
  });

  test('GFP_DMA stays in DMA; GFP_HIGHUSER falls back to Normal without HighMem', () => {
    const k = smallKernel(64);
    expect(k.pages.zoneOf(allocPages(k, GFP_DMA))).toBe(ZONE_DMA);
    expect(k.pages.zoneOf(allocPages(k, GFP_HIGHUSER))).toBe(ZONE_NORMAL);
  });

  test('freeing a page still in use is a bug', () => {
    const k = smallKernel(64);
    const f = allocPages(k, GFP_KERNEL);
    expect(() => freePages(k, f)).toThrow(/Bad page state/);
  });
});

describe('__alloc_pages watermark passes (64 MiB: DMA 64/80/96, Normal 192/240/288)', () => {
  /** Allocates order-0 pages until the allocator refuses; returns per-zone free pages after each zone stops. */
  function drain(
    gfp: number,
    flags = 0,
  ): { normal: number; dma: number; k: ReturnType<typeof smallKernel> } {
    const k = smallKernel(64);
    while (allocPages(k, gfp, 0, flags) >= 0) {
      /* keep allocating */
    }
    return { normal: k.zones[ZONE_NORMAL]!.freePages, dma: k.zones[ZONE_DMA]!.freePages, k };
  }

  test('GFP_KERNEL: down to pages_min, DMA keeping lowmem_reserve 48 on top', () => {
    // Pass 1 (low): Normal to 240, DMA to 80 + 48. Pass 2 (min): Normal to 192, DMA to 64 + 48.
    // (__GFP_NORETRY: with nothing to reclaim, fail instead of calling the OOM killer.)
    const { normal, dma, k } = drain(GFP_KERNEL | __GFP_NORETRY);
    expect(normal).toBe(192);
    expect(dma).toBe(64 + 48);
    k.checkInvariants();
  });

  test('with nothing to reclaim and nobody to kill, the kernel panics', () => {
    const k = smallKernel(64);
    expect(() => {
      for (;;) allocPages(k, GFP_KERNEL);
    }).toThrow(/out of memory and no killable processes/);
  });

  test('GFP_ATOMIC: ALLOC_HIGH and ALLOC_HARDER lower the marks', () => {
    // Normal: 192 → 96 → 72. DMA: 64 → 32 → 24, + 48 reserve = 72.
    const { normal, dma } = drain(GFP_ATOMIC);
    expect(normal).toBe(72);
    expect(dma).toBe(72);
  });

  test('PF_MEMALLOC ignores the watermarks', () => {
    const { normal, dma } = drain(GFP_KERNEL, PF_MEMALLOC);
    expect(normal).toBe(0);
    expect(dma).toBe(0);
  });

  test('the first pass spreads over the zonelist at pages_low before dipping to min', () => {
    const k = smallKernel(64);
    const normal = k.zones[ZONE_NORMAL]!;
    const dma = k.zones[ZONE_DMA]!;
    const normalFree = normal.freePages;
    for (let i = 0; i < normalFree - 240; i++) allocPages(k, GFP_KERNEL | __GFP_NORETRY);
    expect(normal.freePages).toBe(240);
    const f = allocPages(k, GFP_KERNEL | __GFP_NORETRY);
    expect(k.pages.zoneOf(f)).toBe(ZONE_DMA);
    expect(dma.freePages).toBe(4096 - 1280 - 1);
  });
});
