// CvHRC wiring: trackers per context, entities through rmap, fake faults, the scan and its
// interaction with reclaim, costs charged to the clock.
import { PTE_ACCESSED, PTE_TRACKING } from '@cvhrc/hw';
import { ExactLru, TraceHost } from '@cvhrc/core';
import { expect, test } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  pageReferenced,
  PG_ANON,
  PG_REFERENCED,
  PROT_READ,
  PROT_WRITE,
  type Kernel,
  type Task,
} from '@cvhrc/mm';
import { VServerHost, type CvhrcOptions } from '@cvhrc/vserver';
import { errnoOf, smallKernel } from './helpers.js';

const ANON = { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };
/** No timer scan during a test (scans are run by hand with scanNow). */
const MANUAL: CvhrcOptions = { scanIntervalMs: 1e9 };

function setup(cvhrc: CvhrcOptions = MANUAL, mib = 64) {
  const k = smallKernel(mib);
  const host = new VServerHost(k, { cvhrc, watchdog: { enabled: false } });
  return { k, host };
}

const frameOf = (t: Task, vpn: number): number => t.mm!.pageTable.get(vpn) >>> 12;
const armed = (t: Task, vpn: number): boolean => (t.mm!.pageTable.get(vpn) & PTE_TRACKING) !== 0;

function touchAll(k: Kernel, t: Task, base: number, pages: number, write: boolean): void {
  for (let i = 0; i < pages; i++) expect(k.userAccess(t, base + i, write)).toBeGreaterThan(0);
}

test('every context gets a tracker when created and loses it when destroyed', () => {
  const { k, host } = setup();
  expect(host.tracking).toBe(true);
  host.createContext(100);
  host.createContext(200);
  expect(host.trackers).toBe(2);
  expect(host.trackerOf(100)).toBeDefined();
  expect(host.trackerOf(100)).not.toBe(host.trackerOf(200));
  const t = host.startTask(100, 'init');
  touchAll(k, t, k.mmap(t, { pages: 8, ...ANON }), 8, true);
  expect(host.trackerOf(100)!.size).toBe(8);
  k.exit(t);
  expect(host.trackerOf(100)!.size).toBe(0); // unmapped at exit: removed
  host.destroyContext(100);
  expect(host.trackers).toBe(1);
  expect(host.trackerOf(100)).toBeUndefined();
  expect(errnoOf(() => host.hrc(100))).toBe('ENOENT');

  const off = new VServerHost(smallKernel(64));
  off.createContext(100);
  expect(off.tracking).toBe(false);
  expect(off.trackerOf(100)).toBeUndefined();
  expect(errnoOf(() => off.hrc(100))).toBe('EINVAL');
  const disabled = new VServerHost(smallKernel(64), { cvhrc: { enabled: false } });
  disabled.createContext(100);
  expect(disabled.trackers).toBe(0);
});

test("a forked child's COW pages are one entity with the parent's until written", () => {
  const { k, host } = setup({ ...MANUAL, scanList: 4, group: 1 });
  host.createContext(100);
  const parent = host.startTask(100, 'p');
  const v = k.mmap(parent, { pages: 8, ...ANON });
  touchAll(k, parent, v, 8, true);
  const tr = host.trackerOf(100)!;
  expect(tr.size).toBe(8);
  // Pages 0–3 fell out of the 4-entity scan list: armed.
  expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => armed(parent, v + i))).toEqual([
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  const child = k.fork(parent);
  expect(tr.size).toBe(8); // the same frames: the same entities
  for (let i = 0; i < 8; i++) {
    expect(frameOf(child, v + i)).toBe(frameOf(parent, v + i));
    expect(armed(child, v + i)).toBe(armed(parent, v + i)); // the entity's arming
  }
  // A read by the child of an armed entity: one fake fault disarms both PTEs.
  const faults = tr.counters.fakeFaults;
  k.userAccess(child, v, false);
  expect(tr.counters.fakeFaults).toBe(faults + 1);
  expect(armed(child, v) || armed(parent, v)).toBe(false);
  // A write breaks the COW: the child's copy is a new entity, the parent's frame stays one.
  const old = frameOf(parent, v + 5);
  k.userAccess(child, v + 5, true);
  expect(frameOf(child, v + 5)).not.toBe(old);
  expect(tr.size).toBe(9);
  expect(tr.has(old) && tr.has(frameOf(child, v + 5))).toBe(true);
  k.exit(child);
  expect(tr.size).toBe(8);
  expect(tr.has(old)).toBe(true);
});

test('shm attached by two tasks of one context is one entity per page', () => {
  const { k, host } = setup({ ...MANUAL, scanList: 4 });
  host.createContext(100);
  const a = host.startTask(100, 'a');
  const b = host.startTask(100, 'b');
  const id = k.shmget(42, 6 * 4096);
  const va = k.shmat(a, id);
  const vb = k.shmat(b, id);
  touchAll(k, a, va, 6, true);
  const tr = host.trackerOf(100)!;
  expect(tr.size).toBe(6);
  expect(armed(a, va)).toBe(true); // pages 0, 1 are beyond the 4-entity scan list
  // b's first access maps page 0 for b: the new PTE takes the entity's arming, so the
  // access is a fake fault (a hit on the shared entity), which disarms a's PTE too.
  const faults = tr.counters.fakeFaults;
  k.userAccess(b, vb, false);
  expect(tr.counters.fakeFaults).toBe(faults + 1);
  expect(armed(a, va) || armed(b, vb)).toBe(false);
  touchAll(k, b, vb, 6, false);
  expect(tr.size).toBe(6);
  expect(tr.counters.firstTouches).toBe(6);
  for (let i = 0; i < 6; i++) expect(frameOf(b, vb + i)).toBe(frameOf(a, va + i));
  expect(host.usage(100, 'RSS').cur).toBe(6);
  k.shmdt(a, va);
  expect(tr.size).toBe(6); // b still maps them
  k.shmdt(b, vb);
  expect(tr.size).toBe(0);
});

test('a page mapped by a second context leaves its tracker and is left to Linux', () => {
  const { k, host } = setup({ ...MANUAL, scanList: 2 });
  host.createContext(100);
  host.createContext(200);
  const a = host.startTask(100, 'a');
  const b = host.startTask(200, 'b');
  const id = k.shmget(7, 4 * 4096);
  const va = k.shmat(a, id);
  touchAll(k, a, va, 4, true);
  const ta = host.trackerOf(100)!;
  const tb = host.trackerOf(200)!;
  expect(ta.size).toBe(4);
  expect(armed(a, va)).toBe(true); // beyond the 2-entity scan list
  const vb = k.shmat(b, id);
  touchAll(k, b, vb, 4, false);
  expect(ta.size).toBe(0);
  expect(tb.size).toBe(0);
  expect(host.hrcCounters(100).untracked).toBe(4);
  for (let i = 0; i < 4; i++) expect(armed(a, va + i) || armed(b, vb + i)).toBe(false);
  // No tracking fault any more; accesses go at full speed.
  const traps = host.hrcCounters(100).traps + host.hrcCounters(200).traps;
  touchAll(k, a, va, 4, false);
  touchAll(k, b, vb, 4, true);
  expect(host.hrcCounters(100).traps + host.hrcCounters(200).traps).toBe(traps);
  // Still untracked while the other context maps them; tracked again once nobody does.
  k.shmdt(b, vb);
  expect(ta.size).toBe(0);
  k.shmdt(a, va);
  const vc = k.shmat(a, id);
  touchAll(k, a, vc, 4, false);
  expect(ta.size).toBe(4);
  // A host task mapping a context's page takes it out as well.
  const root = k.createTask('root');
  touchAll(k, root, k.shmat(root, id), 1, false);
  expect(ta.size).toBe(3);
});

test('inside the kernel the tracker counts exactly what the trace host counts', () => {
  // The same reference stream, with a scan after every `block` references, fed to the
  // context's tracker through the kernel (PTE young bits, tracking faults) and to core's
  // TraceHost: the hit counts and misses agree group by group. Each block references distinct
  // pages: a young bit cannot tell a faulting access's retry from a second reference in the
  // same interval (see the README), so only then are the two hosts the same.
  const scanList = 16;
  const group = 4;
  const block = 24;
  const { k, host } = setup({ ...MANUAL, scanList, group, oracle: true });
  host.createContext(100);
  const t = host.startTask(100, 't');
  const pages = 40;
  const v = k.mmap(t, { pages, ...ANON });
  const trace = new TraceHost({ scanListSize: scanList, groupSize: group, scanEvery: block });
  const exact = new ExactLru();
  let seed = 12345;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const order = Array.from({ length: pages }, (_, i) => i);
  const touched = new Set<number>();
  let refs = 0;
  for (let b = 0; b < 120; b++) {
    // A partial shuffle biased to low page numbers: a hot set and a cold rest.
    const span = b % 3 === 0 ? pages : 28;
    for (let i = 0; i < block; i++) {
      const j = i + (next() % (span - i));
      [order[i], order[j]] = [order[j]!, order[i]!];
      const p = order[i]!;
      // (A first access writes: a read would map ZERO_PAGE, which no context tracks.)
      const write = !touched.has(p) || (next() & 1) === 0;
      touched.add(p);
      expect(k.userAccess(t, v + p, write)).toBeGreaterThan(0);
      trace.access(p);
      exact.access(p);
      refs++;
    }
    host.scanNow(100);
  }
  const r = host.hrc(100);
  const want = trace.snapshot();
  expect(r.hits.misses).toBe(want.misses);
  expect([...r.hits.hitsPerGroup()]).toEqual([...want.hitsPerGroup()]);
  expect(r.counters.fakeFaults).toBe(trace.tracker.counters.fakeFaults);
  expect(r.counters.fakeFaults).toBeGreaterThan(100);
  expect(r.counters.entitiesScanned).toBe(trace.tracker.counters.entitiesScanned);
  // The oracle saw every reference: it is the exact curve of the stream.
  expect(r.oracle!.references).toBe(refs);
  for (const s of r.curve.sizes()) {
    expect(r.oracle!.curve.at(s)).toBeCloseTo(exact.curve().at(s), 12);
  }
  expect(r.oracle!.mae).toBeGreaterThan(0);
  expect(r.oracle!.mae).toBeLessThan(0.15);
});

test('a young bit the scan clears is kept for reclaim as PG_referenced', () => {
  for (const keep of [true, false]) {
    const { k, host } = setup({ ...MANUAL, keepReferenced: keep });
    host.createContext(100);
    const t = host.startTask(100, 't');
    const v = k.mmap(t, { pages: 2, ...ANON });
    touchAll(k, t, v, 2, true);
    const f = frameOf(t, v);
    host.scanNow(100); // the young bits of the first touches (owed to the faults)
    k.pages.clear(f, PG_REFERENCED);
    k.userAccess(t, v, false); // young again
    host.scanNow(100); // the scan counts the hit and clears the young bit
    expect(t.mm!.pageTable.get(v) & PTE_ACCESSED).toBe(0);
    expect(host.hrc(100).hits.hits).toBe(1);
    // page_referenced still sees the reference (or, without keeping, the scan robbed it).
    expect(pageReferenced(k, f)).toBe(keep ? 1 : 0);
    expect(host.hrcCounters(100).keptForReclaim).toBe(keep ? 3 : 0);
  }
});

test('a young bit reclaim clears first is still counted by the next scan', () => {
  const { k, host } = setup();
  host.createContext(100);
  const t = host.startTask(100, 't');
  const v = k.mmap(t, { pages: 2, ...ANON });
  touchAll(k, t, v, 2, true);
  host.scanNow(100);
  k.pages.clear(frameOf(t, v + 1), PG_REFERENCED); // what the first scan kept
  k.userAccess(t, v + 1, false);
  expect(pageReferenced(k, frameOf(t, v + 1))).toBe(1); // reclaim takes the young bit
  host.scanNow(100);
  expect(host.hrc(100).hits.hits).toBe(1);
  expect(host.hrcCounters(100).fromReclaim).toBe(1);
});

test('tracking work is charged to the clock through the cost model, and counted', () => {
  const { k, host } = setup({ ...MANUAL, scanList: 2, group: 1, listOpNs: 50, markerShiftNs: 5 });
  host.createContext(100);
  const t = host.startTask(100, 't');
  const v = k.mmap(t, { pages: 3, ...ANON });
  touchAll(k, t, v, 3, true);
  expect(armed(t, v)).toBe(true);
  const c0 = host.hrcCounters(100);
  const before = k.clock.now;
  k.userAccess(t, v, false); // a fake fault: page 0 moves in, page 1 falls out and is armed
  const spent = k.clock.now - before;
  const c1 = host.hrcCounters(100);
  const costs = k.costs;
  expect(c1.traps - c0.traps).toBe(1);
  expect(c1.fakeFaults - c0.fakeFaults).toBe(1);
  // unprotect page 0 (one PTE read), protect page 1 (one PTE read + one TLB flush).
  expect(c1.ptesScanned - c0.ptesScanned).toBe(2);
  expect(c1.tlbFlushes - c0.tlbFlushes).toBe(1);
  expect(c1.listOps - c0.listOps).toBe(1);
  const shifts = c1.markerShifts - c0.markerShifts;
  const want =
    costs.protectionFaultNs + 2 * costs.pteScanNs + costs.tlbFlushPageNs + 50 + 5 * shifts;
  expect(spent).toBe(want);
  expect(c1.trackingNs - c0.trackingNs).toBe(want);
  // A scan: one PTE per scan-list entity, a flush and a move per young one.
  const s0 = k.clock.now;
  host.scanNow(100);
  const c2 = host.hrcCounters(100);
  expect(c2.ptesScanned - c1.ptesScanned).toBe(2);
  expect(c2.entitiesScanned - c1.entitiesScanned).toBe(2);
  expect(k.clock.now - s0).toBe(c2.trackingNs - c1.trackingNs);
  expect(c2.trackingNs - c1.trackingNs).toBeGreaterThanOrEqual(2 * costs.pteScanNs);
});

test('checkTrackingInvariants finds per-frame state that disagrees with the tracker', () => {
  const { k, host } = setup({ ...MANUAL, scanList: 4, group: 2 });
  host.createContext(100);
  const t = host.startTask(100, 'init');
  const base = k.mmap(t, { pages: 16, ...ANON });
  touchAll(k, t, base, 16, true);
  host.checkTrackingInvariants();
  // Disarm one protected entity behind the tracker's back (as a lost port call would).
  const tracker = host.trackerOf(100)!;
  const victim = [...tracker.entities()].find((f) => tracker.isProtected(f))!;
  const ct = host.context(100)!.tracking!;
  ct.unprotect(victim);
  expect(() => host.checkTrackingInvariants()).toThrow(/protected but not marked armed/);
  ct.protect(victim);
  host.checkTrackingInvariants();
});

test.each(['anonymous', 'shared file'] as const)(
  'sweeps and scans of %s pages use the remembered PTE place exactly as the rmap walk would',
  (kind) => {
    // A fake fault disarms the faulting PTE and arms the entity falling out of the scan list,
    // and a scan tests the young bits of the scan list's entities; when the frame has one PTE in
    // the only VMA of its anon_vma, the kernel side takes the PTE's place from the fault (or
    // from the last arming or test, plus one) instead of walking the VMAs. Before a fork, while the child shares the pages (two PTEs per entity), after it has
    // written them all (one PTE each, but two VMAs in the anon_vma: the walk reads a PTE of the
    // wrong frame first for the child's pages) and after it exits, every fault must count,
    // charge and arm exactly as the walk's rule says.
    const listOpNs = 50;
    const markerShiftNs = 5;
    const scanList = 8;
    const { k, host } = setup({ ...MANUAL, scanList, group: 4, listOpNs, markerShiftNs });
    host.createContext(100);
    const t = host.startTask(100, 't');
    const pages = 40;
    const v =
      kind === 'anonymous'
        ? k.mmap(t, { pages, ...ANON })
        : k.mmap(t, {
            pages,
            prot: PROT_READ | PROT_WRITE,
            flags: MAP_SHARED,
            file: k.createFile('/data', pages * 4096),
          });
    const tracker = host.trackerOf(100)!;
    const costs = k.costs;
    /** The rmap walk's rule: PTEs read over the anon_vma's VMAs until the frame's are found. */
    const walkPtes = (f: number): number => {
      const pg = k.pages;
      let left = pg.mapcount[f]! + 1;
      let n = 0;
      const anon = (pg.flags[f]! & PG_ANON) !== 0;
      const vmas = anon ? k.anonVma(pg.mapping[f]!).vmas : k.addressSpace(pg.mapping[f]!).iMmap;
      for (const vma of vmas) {
        const vpn = vma.addressOf(pg.index[f]!);
        if (vpn < 0) continue;
        n++;
        const pte = vma.mm.pageTable.get(vpn);
        if ((pte & 1) !== 0 && pte >>> 12 === f && --left === 0) break;
      }
      return n;
    };
    const checkArming = (tasks: Task[]): void => {
      for (const task of tasks) {
        for (let i = 0; i < pages; i++) {
          expect(armed(task, v + i)).toBe(tracker.isProtected(frameOf(task, v + i)));
        }
      }
      host.checkTrackingInvariants();
    };
    let hinted = 0;
    /** A fixed shuffle of the pages: an order no step follows (the place of each PTE comes from
     * where it was last seen). */
    const shuffled = Array.from({ length: pages }, (_, i) => i);
    for (let i = pages - 1, x = 7; i > 0; i--) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const j = (x >>> 8) % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    /** One pass of reads, each a fake fault but for pages in the scan list at their turn, checked
     * against the walk's rule (`step` 2: the even pages, then the odd ones; 0: the shuffled
     * order). */
    const sweep = (task: Task, tasks: Task[], step = 1): void => {
      for (let n = 0; n < pages; n++) {
        const i =
          step === 0
            ? shuffled[n]!
            : step === 1
              ? n
              : n < pages / 2
                ? 2 * n
                : 2 * (n - pages / 2) + 1;
        const f = frameOf(task, v + i);
        if (!tracker.isProtected(f)) {
          // In the scan list: an access without a fault (the next scan counts it).
          const faults = host.hrcCounters(100).fakeFaults;
          expect(k.userAccess(task, v + i, false)).toBeGreaterThan(0);
          expect(host.hrcCounters(100).fakeFaults).toBe(faults);
          continue;
        }
        const fallen = tracker.entities()[scanList - 1]!;
        const ptesF = walkPtes(f);
        const ptesP = walkPtes(fallen);
        const flushes = k.pages.mapcount[fallen]! + 1;
        if (ptesF === 1 && ptesP === 1) hinted++;
        const c0 = host.hrcCounters(100);
        const before = k.clock.now;
        expect(k.userAccess(task, v + i, false)).toBeGreaterThan(0);
        const c1 = host.hrcCounters(100);
        expect(c1.fakeFaults - c0.fakeFaults).toBe(1);
        expect(tracker.isProtected(fallen)).toBe(true);
        expect(c1.ptesScanned - c0.ptesScanned).toBe(ptesF + ptesP);
        expect(c1.tlbFlushes - c0.tlbFlushes).toBe(flushes);
        const want =
          costs.protectionFaultNs +
          (ptesF + ptesP) * costs.pteScanNs +
          flushes * costs.tlbFlushPageNs +
          (c1.listOps - c0.listOps) * listOpNs +
          (c1.markerShifts - c0.markerShifts) * markerShiftNs;
        expect(k.clock.now - before).toBeCloseTo(want, 6);
        checkArming(tasks);
      }
    };
    /** Re-reads some scan-list pages, then scans: checked against the walk's rule too. */
    const scan = (tasks: Task[]): void => {
      for (let i = pages - 1; i >= pages - scanList; i -= 3) k.userAccess(tasks[0]!, v + i, false);
      const listed = [...tracker.entities()].slice(0, scanList);
      let ptes = 0;
      let young = 0;
      for (const f of listed) {
        ptes += walkPtes(f);
        for (const task of tasks) {
          for (let i = 0; i < pages; i++) {
            const pte = task.mm!.pageTable.get(v + i);
            if ((pte & 1) !== 0 && pte >>> 12 === f && (pte & PTE_ACCESSED) !== 0) young++;
          }
        }
      }
      const c0 = host.hrcCounters(100);
      const before = k.clock.now;
      host.scanNow(100);
      const c1 = host.hrcCounters(100);
      expect(c1.entitiesScanned - c0.entitiesScanned).toBe(scanList);
      expect(c1.ptesScanned - c0.ptesScanned).toBe(ptes);
      expect(c1.tlbFlushes - c0.tlbFlushes).toBe(young);
      const want =
        ptes * costs.pteScanNs +
        young * costs.tlbFlushPageNs +
        (c1.listOps - c0.listOps) * listOpNs +
        (c1.markerShifts - c0.markerShifts) * markerShiftNs;
      expect(k.clock.now - before).toBeCloseTo(want, 6);
      for (const task of tasks) {
        for (let i = 0; i < pages; i++) {
          expect(task.mm!.pageTable.get(v + i) & PTE_ACCESSED).toBe(0);
        }
      }
      checkArming(tasks);
    };
    touchAll(k, t, v, pages, true);
    checkArming([t]);
    sweep(t, [t]);
    scan([t]);
    sweep(t, [t], 2);
    sweep(t, [t]);
    sweep(t, [t], 0);
    scan([t]);
    sweep(t, [t], 0);
    sweep(t, [t]);
    const child = k.fork(t, 'child');
    // fork copies no PTEs of a shared file mapping: the child's first accesses map them.
    if (kind === 'shared file') touchAll(k, child, v, pages, false);
    checkArming([t, child]);
    sweep(t, [t, child]);
    scan([t, child]);
    sweep(child, [t, child]);
    touchAll(k, child, v, pages, true); // anonymous: COW gives the child its own frames
    checkArming([t, child]);
    sweep(child, [t, child]);
    scan([child, t]);
    sweep(t, [t, child]);
    sweep(child, [t, child], 0);
    k.exit(child);
    checkArming([t]);
    sweep(t, [t]);
    scan([t]);
    sweep(t, [t], 0);
    expect(hinted).toBeGreaterThan(3 * pages - 2 * scanList);
    expect(host.hrcCounters(100).fakeFaults).toBeGreaterThanOrEqual(11 * pages);
  },
);
