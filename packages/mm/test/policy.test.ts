// The reclaim-policy registration point: a policy plugged in through the Kernel option
// `reclaimPolicy` is what direct reclaim (try_to_free_pages) and kswapd call per zone.
import { describe, expect, test } from 'vitest';
import {
  type Kernel,
  LINUX_2_6_17_RECLAIM,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  type ReclaimPolicy,
  shrinkActiveList,
  shrinkInactiveList,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

/** Wraps the 2.6.17 policy and counts its calls from kswapd and from direct reclaim. */
function counting(): ReclaimPolicy & { kswapd: number; direct: number; freed: number } {
  const p = {
    name: 'counting',
    kswapd: 0,
    direct: 0,
    freed: 0,
    shrinkZone(...args: Parameters<ReclaimPolicy['shrinkZone']>): number {
      if (args[3].isKswapd) p.kswapd++;
      else p.direct++;
      const n = LINUX_2_6_17_RECLAIM.shrinkZone(...args);
      p.freed += n;
      return n;
    },
  };
  return p;
}

/**
 * A trivial alternative without shrink_zone's accumulators: every call scans
 * max(32, nr_active >> priority) active pages, then as many inactive ones.
 */
const noAccumulators: ReclaimPolicy = {
  name: 'no-accumulators',
  shrinkZone(k, priority, zone, sc) {
    shrinkActiveList(k, Math.max(sc.swapClusterMax, zone.nrActive >>> priority), zone, sc);
    const n = Math.max(sc.swapClusterMax, zone.nrInactive >>> priority);
    return shrinkInactiveList(k, n, zone, sc);
  },
};

/** One task writes every page of an anonymous mapping of `pages`. */
function writeAnon(k: Kernel, pages: number): void {
  const t = k.createTask('w');
  const at = k.mmap(t, {
    pages,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  for (let i = 0; i < pages; i++) expect(k.userStore(t, at + i)).toBeGreaterThan(0);
}

/** One task reads a file of `pages` through a window it maps, touches once and unmaps. */
function streamFile(k: Kernel, pages: number): void {
  const f = k.createFile('/data', pages * 4096);
  const t = k.createTask('r');
  const window = 1024;
  for (let off = 0; off < pages; off += window) {
    const at = k.mmap(t, {
      pages: window,
      prot: PROT_READ,
      flags: MAP_SHARED,
      file: f,
      pgoff: off,
    });
    for (let i = 0; i < window; i++) expect(k.userAccess(t, at + i, false)).toBeGreaterThan(0);
    k.munmap(t, at, window);
  }
}

describe('reclaimPolicy', () => {
  test('defaults to the 2.6.17 policy', () => {
    expect(smallKernel(32).reclaimPolicy).toBe(LINUX_2_6_17_RECLAIM);
    expect(LINUX_2_6_17_RECLAIM.name).toBe('linux-2.6.17');
  });

  test('a wrapping policy is called from kswapd and from direct reclaim', () => {
    const p = counting();
    const k = smallKernel(32, { reclaimPolicy: p });
    expect(k.reclaimPolicy).toBe(p);
    writeAnon(k, 12000); // ~1.5 × RAM: swaps
    k.runEvents();
    k.checkInvariants();
    expect(p.kswapd).toBeGreaterThan(0);
    expect(p.direct).toBeGreaterThan(0);
    expect(k.vm.pageoutrun).toBeGreaterThan(0);
    expect(k.vm.allocstall).toBeGreaterThan(0);
    expect(p.freed).toBe(k.vm.pgsteal.reduce((a, b) => a + b, 0));
    expect(k.oomKills.length).toBe(0);
  });

  test('an alternative policy reclaims anonymous memory and page cache, invariants kept', () => {
    const k = smallKernel(32, { reclaimPolicy: noAccumulators });
    writeAnon(k, 12000);
    streamFile(k, 16384); // 64 MiB through 32 MiB
    k.runEvents();
    k.checkInvariants();
    // shrink_zone's accumulators are never touched.
    for (const z of k.zones) expect([z.nrScanActive, z.nrScanInactive]).toEqual([0, 0]);
    expect(k.vm.pswpout).toBeGreaterThan(0);
    expect(k.vm.pgsteal.reduce((a, b) => a + b, 0)).toBeGreaterThan(8192);
    expect(k.oomKills.length).toBe(0);
  });
});
