/**
 * checkInvariants (CONFIG_DEBUG_VM): every frame free xor in use; buddy lists, LRU lists and
 * their counts agree with the flags; mapcounts match the PTEs; every PTE is found by the
 * rmap; RSS counters match the page tables; the page cache agrees with itself.
 */
import { PTE_PRESENT, pteIsSwap, pteSwapSlot } from '@cvhrc/hw';
import type { Kernel } from './kernel.js';
import {
  formatPageFlags,
  NO_FRAME,
  PG_ACTIVE,
  PG_ANON,
  PG_BUDDY,
  PG_LRU,
  PG_RESERVED,
  PG_SWAPCACHE,
} from './page.js';
import { MAX_ORDER } from './zone.js';
import { findPage, findPageHashed } from './filemap.js';

const findPageIn = (k: Kernel, mapping: number, index: number): boolean =>
  findPage(k, mapping, index) >= 0;

const MAX_REPORTED = 10;

export function checkInvariants(k: Kernel): void {
  const errors: string[] = [];
  const fail = (msg: string): void => {
    if (errors.length < MAX_REPORTED) errors.push(msg);
  };
  const pages = k.pages;
  const n = pages.frameCount;
  const { next, flags, count, mapcount } = pages;
  const free = new Uint8Array(n);

  // Buddy lists.
  for (const z of k.zones) {
    let freeTotal = 0;
    for (let order = 0; order < MAX_ORDER; order++) {
      const head = z.freeHeadBase + order;
      let blocks = 0;
      for (let f = next[head]!; f !== head; f = next[f]!) {
        blocks++;
        if (blocks > n) {
          fail(`zone ${z.name} order ${order}: free list loops`);
          break;
        }
        if (!z.contains(f) || !z.contains(f + (1 << order) - 1)) {
          fail(`zone ${z.name}: free block ${f} order ${order} outside the zone`);
          continue;
        }
        if (f % (1 << order) !== 0) fail(`free block ${f} not aligned to order ${order}`);
        if ((flags[f]! & PG_BUDDY) === 0 || pages.private[f] !== order) {
          fail(`free block ${f}: PG_buddy/order wrong (order ${pages.private[f]}, want ${order})`);
        }
        for (let g = f; g < f + (1 << order); g++) {
          if (free[g]) fail(`frame ${g} in two free blocks`);
          free[g] = 1;
        }
        freeTotal += 1 << order;
      }
      if (blocks !== z.nrFree[order]) {
        fail(`zone ${z.name} order ${order}: nr_free ${z.nrFree[order]} but ${blocks} blocks`);
      }
    }
    if (freeTotal !== z.freePages) {
      fail(`zone ${z.name}: free_pages ${z.freePages} but ${freeTotal} in the free lists`);
    }
  }

  // Free xor in use.
  let mapped = 0;
  for (let f = 0; f < n; f++) {
    const fl = flags[f]!;
    if (free[f]) {
      if (count[f] !== 0 || mapcount[f] !== -1 || fl & (PG_LRU | PG_RESERVED | PG_SWAPCACHE)) {
        fail(
          `free frame ${f} in use: count ${count[f]} mapcount ${mapcount[f]} [${formatPageFlags(fl)}]`,
        );
      }
    } else if (count[f]! <= 0) {
      fail(`frame ${f} neither free nor referenced (count ${count[f]})`);
    } else if (fl & PG_BUDDY && f !== 0) {
      fail(`frame ${f} in use with PG_buddy`);
    }
    if (mapcount[f]! >= 0) mapped++;
  }
  if (mapped !== k.nrMapped) fail(`nr_mapped ${k.nrMapped} but ${mapped} frames mapped`);

  // LRU lists.
  for (const z of k.zones) {
    const walk = (head: number, active: boolean): number => {
      let len = 0;
      for (let f = next[head]!; f !== head; f = next[f]!) {
        if (++len > n) {
          fail(`zone ${z.name}: LRU list loops`);
          break;
        }
        const fl = flags[f]!;
        if ((fl & PG_LRU) === 0 || ((fl & PG_ACTIVE) !== 0) !== active) {
          fail(`frame ${f} on the ${active ? '' : 'in'}active list with [${formatPageFlags(fl)}]`);
        }
        if (!z.contains(f)) fail(`frame ${f} on zone ${z.name}'s LRU`);
      }
      return len;
    };
    const a = walk(z.activeHead, true);
    const i = walk(z.inactiveHead, false);
    if (a !== z.nrActive) fail(`zone ${z.name}: nr_active ${z.nrActive} but ${a} listed`);
    if (i !== z.nrInactive) fail(`zone ${z.name}: nr_inactive ${z.nrInactive} but ${i} listed`);
    let onLru = 0;
    for (let f = z.startPfn; f < z.endPfn; f++) if (flags[f]! & PG_LRU) onLru++;
    if (onLru !== a + i) fail(`zone ${z.name}: ${onLru} pages PG_lru but ${a + i} listed`);
  }

  // Page cache and swap cache (one hash).
  const cached = new Uint8Array(n);
  let cachedTotal = 0;
  let swapCached = 0;
  const swapCacheOf = new Map<number, number>();
  const perMapping = new Map<number, number>();
  for (let b = 0; b < k.pageCacheBuckets.length; b++) {
    for (let f = k.pageCacheBuckets[b]!; f !== NO_FRAME; f = pages.hashNext[f]!) {
      if (cached[f]) {
        fail(`frame ${f} twice in the page cache`);
        break;
      }
      cached[f] = 1;
      if (count[f]! < 1) fail(`cached frame ${f} has count ${count[f]}`);
      if (flags[f]! & PG_SWAPCACHE) {
        swapCached++;
        const slot = pages.private[f]!;
        if (swapCacheOf.has(slot)) fail(`swap slot ${slot} cached twice`);
        swapCacheOf.set(slot, f);
        // (A page read ahead from swap is not anonymous until a fault maps it.)
        if (pages.mapping[f] !== 0 && (flags[f]! & PG_ANON) === 0) {
          fail(`swap-cache frame ${f} belongs to a file`);
        }
        continue;
      }
      cachedTotal++;
      const m = pages.mapping[f]!;
      perMapping.set(m, (perMapping.get(m) ?? 0) + 1);
      if (findPage(k, m, pages.index[f]!) !== f) {
        fail(`frame ${f} hashed at page ${pages.index[f]} of mapping ${m} but not indexed there`);
      }
      if (flags[f]! & PG_ANON) fail(`anonymous frame ${f} in the page cache`);
    }
  }
  if (cachedTotal !== k.nrPagecache) {
    fail(`nr_pagecache ${k.nrPagecache} but ${cachedTotal} pages hashed`);
  }
  if (swapCached !== k.nrSwapcache) {
    fail(`swap cache holds ${swapCached} pages but nr_swapcache is ${k.nrSwapcache}`);
  }
  for (let f = 0; f < n; f++) {
    if (flags[f]! & PG_SWAPCACHE && !cached[f]) fail(`frame ${f} PG_swapcache but not hashed`);
  }
  for (const as of k.addressSpaces()) {
    const c = perMapping.get(as.id) ?? 0;
    if (c !== as.nrpages) fail(`${as.name}: nrpages ${as.nrpages} but ${c} cached`);
    let indexed = 0;
    for (let i = 0; i < as.cached.length; i++) {
      const f = as.cached[i]!;
      if (f === NO_FRAME) continue;
      indexed++;
      if (findPageHashed(k, as.id, i) !== f)
        fail(`${as.name} page ${i}: indexed frame ${f} not hashed`);
    }
    if (indexed !== as.nrpages) fail(`${as.name}: nrpages ${as.nrpages} but ${indexed} indexed`);
  }

  // Page tables: mapcounts, RSS, rmap, swap entries.
  const ptes = new Int32Array(n);
  const swapUsers = new Map<number, number>();
  for (const mm of k.mms()) {
    let anonRss = 0;
    let fileRss = 0;
    for (const vma of mm.vmas) {
      mm.pageTable.walk(vma.start, vma.pages, (vpn, pte) => {
        if ((pte & PTE_PRESENT) === 0) {
          if (!pteIsSwap(pte)) fail(`mm ${mm.id} vpn ${vpn}: bad PTE 0x${pte.toString(16)}`);
          else {
            const slot = pteSwapSlot(pte);
            swapUsers.set(slot, (swapUsers.get(slot) ?? 0) + 1);
            if (vma.anonVma === null)
              fail(`mm ${mm.id} vpn ${vpn}: swap entry in a VMA without anon_vma`);
          }
          return;
        }
        const f = pte >>> 12;
        if (f >= n) {
          fail(`mm ${mm.id} vpn ${vpn}: frame ${f} beyond memory`);
          return;
        }
        ptes[f]!++;
        if (free[f]) fail(`mm ${mm.id} vpn ${vpn} maps free frame ${f}`);
        const fl = flags[f]!;
        if (fl & PG_ANON) {
          anonRss++;
          const av = vma.anonVma;
          if (av === null || av.id !== pages.mapping[f] || vma.addressOf(pages.index[f]!) !== vpn) {
            fail(`rmap: anon frame ${f} at mm ${mm.id} vpn ${vpn} not found through its anon_vma`);
          }
        } else {
          fileRss++;
          if (f !== k.zeroPage) {
            const file = vma.file;
            if (
              file === null ||
              file.id !== pages.mapping[f] ||
              !file.iMmap.includes(vma) ||
              vma.addressOf(pages.index[f]!) !== vpn
            ) {
              fail(`rmap: file frame ${f} at mm ${mm.id} vpn ${vpn} not found through i_mmap`);
            }
          }
        }
      });
    }
    if (anonRss !== mm.anonRss) fail(`mm ${mm.id}: anon_rss ${mm.anonRss} but ${anonRss} PTEs`);
    if (fileRss !== mm.fileRss) fail(`mm ${mm.id}: file_rss ${mm.fileRss} but ${fileRss} PTEs`);
    // Nothing may be mapped outside the VMAs.
    let inVmas = 0;
    for (const vma of mm.vmas) inVmas += mm.pageTable.walk(vma.start, vma.pages, () => undefined);
    const all = mm.pageTable.walk(0, 1 << 20, () => undefined);
    if (all !== inVmas) fail(`mm ${mm.id}: ${all - inVmas} PTEs outside every VMA`);
  }
  for (let f = 0; f < n; f++) {
    if (ptes[f] !== mapcount[f]! + 1) {
      fail(`frame ${f}: mapcount ${mapcount[f]! + 1} but ${ptes[f]} PTEs map it`);
    }
    const refs = ptes[f]! + (cached[f] ? 1 : 0) + (flags[f]! & PG_RESERVED ? 1 : 0);
    if (!free[f] && count[f]! < refs) fail(`frame ${f}: count ${count[f]} < ${refs} references`);
  }

  // shmem swap vectors hold slots too.
  for (const as of k.addressSpaces()) {
    const vec = as.shmemSwap;
    if (vec === null) continue;
    for (let i = 0; i < vec.length; i++) {
      const slot = vec[i]!;
      if (slot === 0) continue;
      swapUsers.set(slot, (swapUsers.get(slot) ?? 0) + 1);
      if (findPageIn(k, as.id, i)) fail(`${as.name} page ${i} both cached and on swap`);
    }
  }

  // swap_map: each slot's count is its PTEs and swap-vector entries, plus one for the swap cache.
  const si = k.swap;
  if (si !== null) {
    let inuse = 0;
    for (let slot = 1; slot < si.max; slot++) {
      const want = (swapUsers.get(slot) ?? 0) + (swapCacheOf.has(slot) ? 1 : 0);
      if (si.swapMap[slot] !== want) {
        fail(`swap slot ${slot}: swap_map ${si.swapMap[slot]} but ${want} users`);
      }
      if (si.swapMap[slot]) inuse++;
    }
    if (inuse !== si.inusePages) fail(`swap inuse_pages ${si.inusePages} but ${inuse} slots used`);
  } else if (swapUsers.size > 0 || swapCached > 0) {
    fail('swap entries without a swap area');
  }

  if (errors.length > 0) {
    throw new Error(`checkInvariants: ${errors.length} broken:\n  ${errors.join('\n  ')}`);
  }
}
