// Per-zone LRU lists and mark_page_accessed (§A1).
import { describe, expect, test } from 'vitest';
import {
  allocPages,
  GFP_KERNEL,
  listFrames,
  lruCacheAdd,
  lruCacheAddActive,
  markPageAccessed,
  PG_ACTIVE,
  PG_LRU,
  PG_REFERENCED,
  putPage,
  ZONE_NORMAL,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

describe('LRU lists', () => {
  test('FIFO: new pages at the head, the oldest at the tail', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const [a, b, c] = [0, 1, 2].map(() => allocPages(k, GFP_KERNEL)) as [number, number, number];
    lruCacheAdd(k, a);
    lruCacheAdd(k, b);
    lruCacheAddActive(k, c);
    expect(listFrames(k, zone.inactiveHead)).toEqual([b, a]);
    expect(listFrames(k, zone.activeHead)).toEqual([c]);
    expect([zone.nrInactive, zone.nrActive]).toEqual([2, 1]);
    k.checkInvariants();
  });

  test('two-touch promotion: the first touch sets referenced, the second activates', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const p = allocPages(k, GFP_KERNEL);
    const q = allocPages(k, GFP_KERNEL);
    lruCacheAdd(k, p);
    lruCacheAdd(k, q);
    expect(k.pages.test(p, PG_REFERENCED)).toBe(false);

    markPageAccessed(k, p);
    expect(k.pages.test(p, PG_REFERENCED)).toBe(true);
    expect(k.pages.test(p, PG_ACTIVE)).toBe(false);
    expect(listFrames(k, zone.inactiveHead)).toEqual([q, p]);

    markPageAccessed(k, p);
    expect(k.pages.test(p, PG_ACTIVE | PG_LRU)).toBe(true);
    expect(k.pages.test(p, PG_REFERENCED)).toBe(false);
    expect(listFrames(k, zone.activeHead)).toEqual([p]);
    expect(k.vm.pgactivate).toBe(1);

    // On the active list a touch only sets referenced again.
    markPageAccessed(k, p);
    expect(k.pages.test(p, PG_REFERENCED | PG_ACTIVE)).toBe(true);
    expect(listFrames(k, zone.activeHead)).toEqual([p]);
    k.checkInvariants();
  });

  test('a page off the LRU is only marked referenced', () => {
    const k = smallKernel(64);
    const p = allocPages(k, GFP_KERNEL);
    markPageAccessed(k, p);
    markPageAccessed(k, p);
    expect(k.pages.test(p, PG_REFERENCED)).toBe(true);
    expect(k.pages.test(p, PG_ACTIVE)).toBe(false);
  });

  test('the last put_page takes the page off the LRU and frees it', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const free = zone.freePages;
    const p = allocPages(k, GFP_KERNEL);
    lruCacheAddActive(k, p);
    putPage(k, p);
    expect(zone.nrActive).toBe(0);
    expect(zone.freePages).toBe(free);
    k.checkInvariants();
  });
});
