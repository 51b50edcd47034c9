// Zones and watermarks (§A6), with answers computed by hand from the kernel's formulas.
import { describe, expect, test } from 'vitest';
import {
  ALLOC_HARDER,
  ALLOC_HIGH,
  defaultMinFreeKbytes,
  intSqrt,
  Kernel,
  Zone,
  ZONE_DMA,
  ZONE_HIGHMEM,
  ZONE_NORMAL,
  zoneWatermarkOk,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

describe('the 2 GiB i386 machine of Table 1', () => {
  const k = new Kernel();

  test('zones: DMA 0–16 MB, Normal 16–896 MB, HighMem the rest', () => {
    expect(k.zones.map((z) => [z.name, z.startPfn, z.presentPages])).toEqual([
      ['DMA', 0, 4096],
      ['Normal', 4096, 225280],
      ['HighMem', 229376, 294912],
    ]);
  });

  test('min_free_kbytes = int_sqrt(917504 KB · 16) = 3831', () => {
    // lowmem = (4096 + 225280) pages · 4 KB = 917504 KB; 917504 · 16 = 14680064; √ = 3831.4
    expect(k.minFreeKbytes).toBe(3831);
  });

  test('pages_min / low / high per zone', () => {
    // pages_min total = 3831 KB / 4 = 957 pages; tmp = 957 · present / 229376.
    // DMA:     tmp = 957·4096/229376   = 17   → min 17,  low 17+4 = 21,     high 17+8 = 25
    // Normal:  tmp = 957·225280/229376 = 939  → min 939, low 939+234 = 1173, high 939+469 = 1408
    // HighMem: tmp = 957·294912/229376 = 1230 → min = 294912/1024 = 288 clamped to 128,
    //          low 128+307 = 435, high 128+615 = 743
    const marks = k.zones.map((z) => [z.pagesMin, z.pagesLow, z.pagesHigh]);
    expect(marks).toEqual([
      [17, 21, 25],
      [939, 1173, 1408],
      [128, 435, 743],
    ]);
  });

  test('lowmem_reserve with ratios {256, 256, 32}', () => {
    // Normal for HighMem: 294912/32 = 9216; DMA for Normal: 225280/256 = 880;
    // DMA for HighMem: (294912 + 225280)/256 = 2032.
    expect(k.zones.map((z) => Array.from(z.lowmemReserve))).toEqual([
      [0, 880, 2032],
      [0, 0, 9216],
      [0, 0, 0],
    ]);
  });

  test('boot: reserved frames, ZERO_PAGE, everything else free', () => {
    // 1280 low frames (1 MiB + kernel image) and 524288·32/4096 = 4096 frames of mem_map.
    expect(k.reservedPages).toBe(1280 + 4096);
    expect(k.freePages).toBe(524288 - 5376);
    expect(k.zones[ZONE_DMA]!.freePages).toBe(4096 - 1280);
    expect(k.zones[ZONE_NORMAL]!.freePages).toBe(225280 - 4096);
    expect(k.zones[ZONE_HIGHMEM]!.freePages).toBe(294912);
    expect(k.zones[ZONE_HIGHMEM]!.nrFree[10]).toBe(288);
    expect(k.zeroPage).toBe(1279);
    k.checkInvariants();
  });

  test('host memory per frame stays within 64 bytes', () => {
    expect(k.hostBytesPerFrame()).toBeLessThanOrEqual(64);
  });
});

describe('min_free_kbytes', () => {
  test('int_sqrt', () => {
    expect([0, 1, 3, 4, 15, 16, 14680064].map(intSqrt)).toEqual([0, 1, 1, 2, 3, 4, 3831]);
  });

  test('clamped to 128 … 65536', () => {
    expect(defaultMinFreeKbytes(64)).toBe(128); // 256 KB → √4096 = 64 → 128
    expect(defaultMinFreeKbytes(16384)).toBe(1024); // 64 MiB → √1048576
    expect(defaultMinFreeKbytes(1 << 30)).toBe(65536);
  });

  test('a 64 MiB machine: no HighMem, pages_min 256 split 1:3', () => {
    const k = smallKernel(64);
    expect(k.minFreeKbytes).toBe(1024);
    // DMA tmp = 256·4096/16384 = 64; Normal tmp = 256·12288/16384 = 192.
    expect(k.zones.map((z) => [z.pagesMin, z.pagesLow, z.pagesHigh])).toEqual([
      [64, 80, 96],
      [192, 240, 288],
      [32, 32, 32], // the empty HighMem zone still gets the clamped minimum, as in the kernel
    ]);
    expect(Array.from(k.zones[ZONE_DMA]!.lowmemReserve)).toEqual([0, 48, 48]);
    expect(k.zonelist(0x02 | 0x10)).toEqual([ZONE_NORMAL, ZONE_DMA]);
  });

  test('setMinFreeKbytes recomputes the watermarks', () => {
    const k = smallKernel(64);
    k.setMinFreeKbytes(2048);
    expect(k.zones[ZONE_NORMAL]!.pagesMin).toBe(384);
  });
});

describe('zone_watermark_ok', () => {
  const zone = (free: number): Zone => {
    const z = new Zone(ZONE_NORMAL, 0, 4096, 10_000);
    z.freePages = free;
    return z;
  };

  test('free pages must exceed the mark', () => {
    expect(zoneWatermarkOk(zone(101), 0, 100, ZONE_NORMAL, 0)).toBe(true);
    expect(zoneWatermarkOk(zone(100), 0, 100, ZONE_NORMAL, 0)).toBe(false);
  });

  test('ALLOC_HIGH halves the mark, ALLOC_HARDER takes a quarter off', () => {
    expect(zoneWatermarkOk(zone(51), 0, 100, ZONE_NORMAL, ALLOC_HIGH)).toBe(true);
    expect(zoneWatermarkOk(zone(50), 0, 100, ZONE_NORMAL, ALLOC_HIGH)).toBe(false);
    expect(zoneWatermarkOk(zone(76), 0, 100, ZONE_NORMAL, ALLOC_HARDER)).toBe(true);
    expect(zoneWatermarkOk(zone(75), 0, 100, ZONE_NORMAL, ALLOC_HARDER)).toBe(false);
    // 100 → 50 → 50 − 12 = 38
    expect(zoneWatermarkOk(zone(39), 0, 100, ZONE_NORMAL, ALLOC_HIGH | ALLOC_HARDER)).toBe(true);
    expect(zoneWatermarkOk(zone(38), 0, 100, ZONE_NORMAL, ALLOC_HIGH | ALLOC_HARDER)).toBe(false);
  });

  test('lowmem_reserve of the classzone is added', () => {
    const z = zone(200);
    z.lowmemReserve[ZONE_HIGHMEM] = 150;
    expect(zoneWatermarkOk(z, 0, 40, ZONE_NORMAL, 0)).toBe(true);
    expect(zoneWatermarkOk(z, 0, 50, ZONE_HIGHMEM, 0)).toBe(false);
  });

  test('higher orders need enough pages in larger blocks', () => {
    // 100 free pages, all order-0 blocks: order 1 leaves 99 − 100 = −1 after order 0.
    const z = zone(100);
    z.nrFree[0] = 100;
    expect(zoneWatermarkOk(z, 0, 10, ZONE_NORMAL, 0)).toBe(true);
    expect(zoneWatermarkOk(z, 1, 10, ZONE_NORMAL, 0)).toBe(false);
    z.nrFree[0] = 20;
    z.nrFree[1] = 40;
    // order 1: free = 100 − 2 + 1 = 99 > 10; minus 20 order-0 pages = 79 > 5 → ok
    expect(zoneWatermarkOk(z, 1, 10, ZONE_NORMAL, 0)).toBe(true);
  });
});
