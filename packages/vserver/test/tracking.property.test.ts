// Property test (fast-check): whatever tasks in two contexts and the host do — mmap, touch,
// fork, exit, shm shared inside and across contexts, scans, under memory pressure that
// swaps — every context's tracker holds only frames its context alone maps, every PTE is
// armed exactly when its entity is protected, the kernel side's per-frame state agrees with
// the trackers, and the trackers' own invariants hold.
import { PG_RESERVED } from '@cvhrc/mm';
import { PTE_TRACKING, pteFrame, pteIsPresent, VPN_COUNT } from '@cvhrc/hw';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, type Task } from '@cvhrc/mm';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { VServerHost, XID_HOST } from '@cvhrc/vserver';
import { smallKernel } from './helpers.js';

type Op =
  | { op: 'start'; xid: number }
  | { op: 'mmap'; t: number; pages: number }
  | { op: 'touch'; t: number; at: number; pages: number; write: boolean }
  | { op: 'shm'; t: number; key: number; pages: number }
  | { op: 'fork'; t: number }
  | { op: 'migrate'; t: number; xid: number }
  | { op: 'scan'; xid: number }
  | { op: 'exit'; t: number };

const XIDS = [XID_HOST, 100, 200];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('start' as const), xid: fc.constantFrom(...XIDS) }),
  fc.record({
    op: fc.constant('mmap' as const),
    t: fc.nat(),
    pages: fc.integer({ min: 1, max: 1500 }),
  }),
  fc.record({
    op: fc.constant('touch' as const),
    t: fc.nat(),
    at: fc.nat(),
    pages: fc.integer({ min: 1, max: 1500 }),
    write: fc.boolean(),
  }),
  fc.record({
    op: fc.constant('shm' as const),
    t: fc.nat(),
    key: fc.integer({ min: 1, max: 3 }),
    pages: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ op: fc.constant('fork' as const), t: fc.nat() }),
  fc.record({ op: fc.constant('migrate' as const), t: fc.nat(), xid: fc.constantFrom(100, 200) }),
  fc.record({ op: fc.constant('scan' as const), xid: fc.constantFrom(100, 200) }),
  fc.record({ op: fc.constant('exit' as const), t: fc.nat() }),
);

test('trackers hold exactly-owned frames; PTEs are armed exactly for protected entities', () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => {
      const k = smallKernel(8);
      const host = new VServerHost(k, {
        cvhrc: { scanList: 48, group: 16, scanIntervalMs: 0.05 },
        watchdog: { enabled: false },
      });
      host.createContext(100);
      host.createContext(200);
      const heaps = new Map<Task, { vpn: number; pages: number }[]>();
      const live = (): Task[] => k.tasks().filter((t) => t.mm !== null);
      for (const o of ops) {
        const tasks = live();
        const t =
          tasks.length > 0 && o.op !== 'start' && o.op !== 'scan'
            ? tasks[o.t % tasks.length]!
            : null;
        if (o.op === 'start') {
          const task = o.xid === XID_HOST ? k.createTask('h') : host.startTask(o.xid, 'g');
          heaps.set(task, []);
        } else if (o.op === 'scan') {
          host.scanNow(o.xid);
        } else if (t === null) {
          continue;
        } else if (o.op === 'mmap' || o.op === 'shm') {
          let vpn: number;
          let pages = o.pages;
          if (o.op === 'mmap') {
            vpn = k.mmap(t, {
              pages,
              prot: PROT_READ | PROT_WRITE,
              flags: MAP_PRIVATE | MAP_ANONYMOUS,
            });
          } else {
            const id = k.shmget(o.key, o.pages * 4096);
            vpn = k.shmat(t, id);
            pages = k.shmSegment(id)!.file.sizePages;
          }
          heaps.get(t)!.push({ vpn, pages });
          for (let i = 0; i < pages; i++) {
            if (k.userAccess(t, vpn + i, (i & 1) === 0) < 0 || t.mm === null) break;
          }
        } else if (o.op === 'touch') {
          const hs = heaps.get(t)!;
          const h = hs[o.at % Math.max(1, hs.length)];
          if (h === undefined) continue;
          for (let i = 0; i < Math.min(o.pages, h.pages); i++) {
            if (k.userAccess(t, h.vpn + i, o.write) < 0 || t.mm === null) break;
          }
        } else if (o.op === 'fork') {
          heaps.set(k.fork(t), [...heaps.get(t)!]);
        } else if (o.op === 'migrate') {
          host.migrate(t, o.xid); // its next fork shares pages across contexts
        } else {
          k.exit(t);
        }
      }
      k.checkInvariants();
      host.checkTrackingInvariants();
      for (const xid of [100, 200]) {
        const tracker = host.trackerOf(xid)!;
        tracker.checkInvariants();
        const ctx = host.context(xid)!;
        for (const f of tracker.entities()) {
          expect(ctx.frameMaps[f]).toBeGreaterThan(0);
          expect(k.pages.mapCount(f)).toBe(ctx.frameMaps[f]); // nobody else maps it
          expect(k.pages.flags[f]! & PG_RESERVED).toBe(0);
        }
      }
      for (const t of live()) {
        const mm = t.mm!;
        const ctx = host.contextOfMm(mm);
        const tracker = ctx === undefined ? undefined : host.trackerOf(ctx.xid);
        mm.pageTable.walk(0, VPN_COUNT, (vpn, pte) => {
          if (!pteIsPresent(pte)) return;
          const f = pteFrame(pte);
          const want = tracker !== undefined && tracker.has(f) && tracker.isProtected(f);
          if (((pte & PTE_TRACKING) !== 0) !== want) {
            throw new Error(`vpn ${vpn} of mm ${mm.id}: armed ${!want}, protected ${want}`);
          }
        });
      }
    }),
    { numRuns: 30, seed: 7 },
  );
});
