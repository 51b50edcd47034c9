// Reclaim rules with known answers: reclaim_mapped (§A4), shrink_active_list (§A4),
// shrink_zone's accumulators (§A3), shrink_page_list's order (§A5), the OOM killer (§A8),
// and the swap token (§A9).
import { PTE_ACCESSED } from '@cvhrc/hw';
import { describe, expect, test } from 'vitest';
import {
  badness,
  GFP_KERNEL,
  grabSwapToken,
  hasSwapToken,
  listFrames,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  markPageAccessed,
  newScanControl,
  outOfMemory,
  pageReferenced,
  PG_ACTIVE,
  PG_DIRTY,
  PG_LRU,
  PG_WRITEBACK,
  PROT_READ,
  PROT_WRITE,
  reclaimMapped,
  shrinkActiveList,
  shrinkInactiveList,
  shrinkZone,
  ZONE_NORMAL,
  setPageDirty,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

const RW = PROT_READ | PROT_WRITE;

describe('reclaim_mapped (§A4) on a 64 MiB machine', () => {
  // total_memory = (4096 − 96) + (12288 − 288) = 16000 pages.
  test('total_memory is present − pages_high over the zones', () => {
    expect(smallKernel(64).totalMemory).toBe(16000);
  });

  test('flips when mapped_ratio/2 + distress + swappiness reaches 100', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const sc = newScanControl(k, GFP_KERNEL, false);
    zone.prevPriority = 12; // distress = 100 >> 12 = 0
    sc.nrMapped = 12799; // mapped_ratio 79 → 39 + 0 + 60 = 99
    expect(reclaimMapped(k, zone, sc)).toBe(false);
    sc.nrMapped = 12800; // 80 → 40 + 0 + 60 = 100
    expect(reclaimMapped(k, zone, sc)).toBe(true);
    zone.prevPriority = 6; // distress 1: 78 → 39 + 1 + 60 = 100
    sc.nrMapped = 12480;
    expect(reclaimMapped(k, zone, sc)).toBe(true);
    sc.nrMapped = 12479; // 77 → 38 + 1 + 60 = 99
    expect(reclaimMapped(k, zone, sc)).toBe(false);
    zone.prevPriority = 0; // distress 100: always
    sc.nrMapped = 0;
    expect(reclaimMapped(k, zone, sc)).toBe(true);
  });

  test('swappiness 100 always reclaims mapped pages; 0 needs distress', () => {
    const hi = smallKernel(64, { swappiness: 100 });
    const sc = newScanControl(hi, GFP_KERNEL, false);
    sc.nrMapped = 0;
    expect(reclaimMapped(hi, hi.zones[ZONE_NORMAL]!, sc)).toBe(true);
    const lo = smallKernel(64, { swappiness: 0 });
    const z = lo.zones[ZONE_NORMAL]!;
    const sc0 = newScanControl(lo, GFP_KERNEL, false);
    sc0.nrMapped = 16000;
    z.prevPriority = 1; // 50 + 50 + 0
    expect(reclaimMapped(lo, z, sc0)).toBe(true);
    z.prevPriority = 2; // 50 + 25
    expect(reclaimMapped(lo, z, sc0)).toBe(false);
  });
});

describe('shrink_active_list (§A4)', () => {
  function setup(): { k: ReturnType<typeof smallKernel>; file: number; anon: number[] } {
    const k = smallKernel(64);
    const t = k.createTask('t');
    const f = k.createFile('/f', 4096);
    const fv = k.mmap(t, { pages: 1, prot: PROT_READ, flags: MAP_SHARED, file: f });
    const file = k.userAccess(t, fv, false);
    k.munmap(t, fv, 1); // unmapped: the young PTE marks it accessed → active
    expect(k.pages.test(file, PG_ACTIVE)).toBe(true);
    const av = k.mmap(t, { pages: 2, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const anon = [k.userAccess(t, av, true), k.userAccess(t, av + 1, true)];
    t.mm!.pageTable.clearFlags(av + 1, PTE_ACCESSED); // second anon page: not referenced
    return { k, file, anon };
  }

  test('without reclaim_mapped, mapped pages stay active; unmapped ones always go', () => {
    const { k, file, anon } = setup();
    const zone = k.zones[ZONE_NORMAL]!;
    const sc = newScanControl(k, GFP_KERNEL, false);
    zone.prevPriority = 12;
    sc.nrMapped = 0;
    shrinkActiveList(k, 32, zone, sc);
    expect(listFrames(k, zone.inactiveHead)).toEqual([file]);
    expect(new Set(listFrames(k, zone.activeHead))).toEqual(new Set(anon));
    expect(k.vm.pgdeactivate).toBe(1);
    k.checkInvariants();
  });

  test('with reclaim_mapped, only referenced mapped pages stay (young bits cleared)', () => {
    const { k, file, anon } = setup();
    const zone = k.zones[ZONE_NORMAL]!;
    const sc = newScanControl(k, GFP_KERNEL, false);
    zone.prevPriority = 0;
    shrinkActiveList(k, 32, zone, sc);
    expect(listFrames(k, zone.activeHead)).toEqual([anon[0]]);
    expect(new Set(listFrames(k, zone.inactiveHead))).toEqual(new Set([file, anon[1]]));
    expect(pageReferenced(k, anon[0]!)).toBe(0); // its young bit was cleared
    k.checkInvariants();
  });

  test('anonymous pages stay active when there is no swap', () => {
    const k = smallKernel(64, { swapBytes: 0 });
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 1, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const f = k.userAccess(t, v, true);
    t.mm!.pageTable.clearFlags(v, PTE_ACCESSED);
    const zone = k.zones[ZONE_NORMAL]!;
    zone.prevPriority = 0;
    shrinkActiveList(k, 32, zone, newScanControl(k, GFP_KERNEL, false));
    expect(listFrames(k, zone.activeHead)).toEqual([f]);
  });
});

describe('shrink_zone accumulators (§A3)', () => {
  test('a budget is spent only once it reaches 32', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const sc = newScanControl(k, GFP_KERNEL, false);
    // Empty lists: each call adds (0 >> 12) + 1 = 1.
    for (let i = 1; i <= 31; i++) {
      shrinkZone(k, 12, zone, sc);
      expect(zone.nrScanActive).toBe(i);
    }
    shrinkZone(k, 12, zone, sc);
    expect([zone.nrScanActive, zone.nrScanInactive]).toEqual([0, 0]);
  });
});

describe('shrink_page_list (§A5)', () => {
  test('clean unmapped file pages are freed; referenced ones activated; dirty ones written first', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const f = k.createFile('/f', 3 * 4096);
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 3, prot: PROT_READ, flags: MAP_PRIVATE, file: f });
    const frames = [0, 1, 2].map((i) => k.userAccess(t, v + i, false));
    k.munmap(t, v, 3);
    // After the unmap each page was marked accessed twice (fault + young PTE): active.
    // Move them back to the inactive list by hand through shrink_active_list.
    zone.prevPriority = 12;
    shrinkActiveList(k, 32, zone, newScanControl(k, GFP_KERNEL, false));
    const [a, b, c] = frames as [number, number, number];
    markPageAccessed(k, b); // referenced, but its file is no longer mapped: not "in use"
    setPageDirty(k, c);
    const free = k.freePages;
    const sc = newScanControl(k, GFP_KERNEL, false);
    const freed = shrinkInactiveList(k, 32, zone, sc);
    // a: clean → freed; b: referenced but mapping not in use → freed; c: dirty → pageout.
    expect(freed).toBe(2);
    expect(k.freePages).toBe(free + 2);
    expect(k.pages.test(c, PG_WRITEBACK | PG_LRU)).toBe(true);
    expect(k.pages.test(c, PG_DIRTY)).toBe(false);
    expect(listFrames(k, zone.inactiveHead)).toEqual([c]);
    void a;
    // The write completes: the page is rotated to the tail, then the next scan frees it.
    k.runEvents();
    expect(k.vm.pgrotated).toBe(1);
    expect(shrinkInactiveList(k, 32, zone, newScanControl(k, GFP_KERNEL, false))).toBe(1);
    expect(f.nrpages).toBe(0);
    k.checkInvariants();
  });

  test('a referenced page of a file that is mapped somewhere is activated', () => {
    const k = smallKernel(64);
    const zone = k.zones[ZONE_NORMAL]!;
    const f = k.createFile('/lib', 2 * 4096);
    const t = k.createTask('t');
    const v = k.mmap(t, { pages: 2, prot: PROT_READ, flags: MAP_SHARED, file: f });
    const page = k.userAccess(t, v, false); // inactive, PG_referenced, young PTE
    const freed = shrinkInactiveList(k, 32, zone, newScanControl(k, GFP_KERNEL, false));
    // Page 1 came in by read-around and nobody touched it: it is freed.
    expect(freed).toBe(1);
    expect(f.nrpages).toBe(1);
    expect(k.pages.test(page, PG_ACTIVE)).toBe(true);
    expect(k.vm.pgactivate).toBe(1);
    k.checkInvariants();
  });
});

describe('the OOM killer (§A8)', () => {
  test('badness: total_vm, half of each child with its own mm, root ÷4, oomkilladj', () => {
    const k = smallKernel(64);
    const init = k.createTask('init');
    const a = k.createTask('a');
    k.mmap(a, { pages: 1000, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    expect(badness(k, a)).toBe(1000);
    const child = k.fork(a);
    k.mmap(child, { pages: 300, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    // child total_vm = 1000 + 300; parent = 1000 + 1300/2 + 1
    expect(badness(k, a)).toBe(1651);
    a.uid = 0;
    expect(badness(k, a)).toBe(412);
    a.uid = 1000;
    a.oomkilladj = 2;
    expect(badness(k, a)).toBe(6604);
    a.oomkilladj = -3;
    expect(badness(k, a)).toBe(206);
    a.oomkilladj = 0;
    a.nice = 5;
    expect(badness(k, a)).toBe(3302);
    expect(badness(k, init)).toBe(0);
  });

  test('badness divides by isqrt of CPU time (~8 s units) and of isqrt of run time (~17 min)', () => {
    const k = smallKernel(64);
    const t = k.createTask('t');
    k.mmap(t, { pages: 900, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    t.utimeNs = 4 * 2048 * 4e6; // 4 units of 2048 jiffies → ÷2
    expect(badness(k, t, 0)).toBe(450);
    // run time 16 · 1024 s → isqrt(isqrt(16)) = 2 → ÷2 again
    expect(badness(k, t, 16 * 1024)).toBe(225);
  });

  test('the highest badness is chosen, and a child of it with its own mm is killed first', () => {
    const k = smallKernel(64);
    k.createTask('init');
    const a = k.createTask('a');
    k.mmap(a, { pages: 1000, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const b = k.createTask('b');
    k.mmap(b, { pages: 600, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const c = k.fork(b, 'c'); // total_vm 600: b scores 600 + 301 = 901 < 1000
    expect(outOfMemory(k)).toBe(a);
    expect(k.task(a.pid)).toBeUndefined();
    k.mmap(c, { pages: 400, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    // b: 600 + 1000/2 + 1 = 1101 > c: 1000 → b is chosen, its child c dies first.
    expect(outOfMemory(k)).toBe(c);
    expect(k.oomKills.map((x) => x.comm)).toEqual(['a', 'c']);
    k.checkInvariants();
  });
});

describe('the swap token (§A9)', () => {
  test('a major fault grabs it; its holder’s pages count as referenced while it faults', () => {
    const k = smallKernel(64);
    const a = k.createTask('a');
    const b = k.createTask('b');
    k.clock.advance(1e9); // jiffies > 0
    grabSwapToken(k, a.mm!);
    expect(hasSwapToken(k, a.mm!)).toBe(true);
    // b cannot take it within 2 s, and not while a still pages in.
    grabSwapToken(k, a.mm!); // a notes a recent page-in
    k.clock.advance(3e9);
    grabSwapToken(k, b.mm!);
    expect(hasSwapToken(k, a.mm!)).toBe(true);
    // No page-in by a since the last check: b takes it at the next check.
    k.clock.advance(3e9);
    grabSwapToken(k, b.mm!);
    expect(hasSwapToken(k, b.mm!)).toBe(true);

    const v = k.mmap(b, { pages: 1, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const f = k.userAccess(b, v, true);
    b.mm!.pageTable.clearFlags(v, PTE_ACCESSED);
    expect(pageReferenced(k, f)).toBe(0);
    b.mm!.faultsInProgress++;
    expect(pageReferenced(k, f)).toBe(1);
    b.mm!.faultsInProgress--;
  });
});
