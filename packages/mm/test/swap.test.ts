// Swap (§D), swap-in (§B) and reclaim under memory pressure (§A3–A5, §A7).
import { pteIsSwap, pteSwapSlot } from '@cvhrc/hw';
import { describe, expect, test } from 'vitest';
import {
  ACCESS_OOM,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
  vmSwapFull,
} from '@cvhrc/mm';
import { smallKernel } from './helpers.js';

const RW = PROT_READ | PROT_WRITE;
const MiB = 256; // pages

describe('swap-out and swap-in', () => {
  test('a page swapped out comes back with a major fault; its read-ahead neighbour is a minor hit', () => {
    const k = smallKernel(32);
    const t = k.createTask('big');
    const pages = 40 * MiB;
    const v = k.mmap(t, { pages, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    for (let i = 0; i < pages; i++) expect(k.userAccess(t, v + i, true)).toBeGreaterThanOrEqual(0);
    k.runEvents();
    expect(k.vm.pswpout).toBeGreaterThan(pages - 32 * MiB);
    expect(t.mm!.pageTable.get(v) & 1).toBe(0); // page 0 is out
    k.checkInvariants();

    // Page 0 is in slot s; swap-in reads the aligned block of 8 around it (§B), skipping
    // the header slot 0 and stopping at the first free slot.
    const pt = t.mm!.pageTable;
    const slot = pteSwapSlot(pt.get(v));
    const map = k.swap!.swapMap;
    let first = slot & ~7;
    let n = 8;
    if (first === 0) {
      first = 1;
      n = 7;
    }
    let used = 0;
    while (used < n && map[first + used]! > 0) used++;
    const cachedBefore = k.nrSwapcache;
    const maj = t.majFlt;
    const min = t.minFlt;
    const reads = k.vm.pswpin;
    k.userAccess(t, v, false);
    expect(t.majFlt).toBe(maj + 1);
    expect(k.vm.pswpin - reads).toBeLessThanOrEqual(used);
    expect(k.vm.pswpin - reads).toBeGreaterThan(0);
    k.runEvents();
    expect(k.nrSwapcache).toBeGreaterThan(cachedBefore);
    // A neighbour whose slot was in the block: its fault is a swap-cache hit, minor.
    let neighbour = -1;
    for (let i = 1; i < pages && neighbour < 0; i++) {
      const pte = pt.get(v + i);
      if (pteIsSwap(pte) && pteSwapSlot(pte) >= first && pteSwapSlot(pte) < first + used) {
        neighbour = v + i;
      }
    }
    expect(neighbour).toBeGreaterThan(0);
    k.userAccess(t, neighbour, false);
    expect([t.majFlt, t.minFlt]).toEqual([maj + 1, min + 1]);
    k.checkInvariants();
  });

  test('no data lost: every page reads back the last stamp stored, through swap-out and in', () => {
    const k = smallKernel(32);
    const t = k.createTask('t');
    const pages = 40 * MiB;
    const v = k.mmap(t, { pages, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const stamps: number[] = [];
    for (let i = 0; i < pages; i++) stamps.push(k.userStore(t, v + i));
    const child = k.fork(t); // the child sees the parent's data until either writes
    for (let i = 0; i < pages; i += 3) stamps[i] = k.userStore(t, v + i);
    for (let i = 0; i < pages; i++) expect(k.userLoad(t, v + i)).toBe(stamps[i]);
    expect(k.vm.pswpin).toBeGreaterThan(0);
    expect(k.userLoad(child, v + 3)).not.toBe(stamps[3]);
    expect(k.userLoad(child, v + 4)).toBe(stamps[4]);
    k.checkInvariants();
  });

  test('without swap, anonymous memory beyond RAM ends in the OOM killer', () => {
    const k = smallKernel(32, { swapBytes: 0 });
    const small = k.createTask('small');
    const big = k.createTask('big');
    const vs = k.mmap(small, { pages: 2 * MiB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    for (let i = 0; i < 2 * MiB; i++) k.userAccess(small, vs + i, true);
    const vb = k.mmap(big, { pages: 40 * MiB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    let result = 0;
    for (let i = 0; i < 40 * MiB && result >= 0; i++) result = k.userAccess(big, vb + i, true);
    // badness: total_vm 10240 vs 512 pages — the big task is chosen (it is the faulting one).
    expect(result).toBeLessThan(0);
    expect(k.oomKills.map((x) => x.comm)).toEqual(['big']);
    expect(k.task(big.pid)).toBeUndefined();
    expect(k.task(small.pid)).toBe(small);
    expect(result === ACCESS_OOM || result === -4).toBe(true);
    k.checkInvariants();
  });

  test('vm_swap_full: free slots × 2 < total', () => {
    const k = smallKernel(32, { swapBytes: 9 * 4096 }); // slots 1–8 usable
    expect(k.totalSwapPages).toBe(8);
    expect(vmSwapFull(k)).toBe(false);
  });
});
