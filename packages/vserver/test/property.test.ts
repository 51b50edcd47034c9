// Property test (fast-check): whatever tasks in two contexts and the host do — mmap (and fill), touch,
// fork, exit, under memory pressure that swaps — each context's counters equal what its
// address spaces hold: RSS the distinct frames their PTEs map, VM / ANON the sums of the
// per-mm counters, PROC its live tasks.
import { pteFrame, pteIsPresent, VPN_COUNT } from '@cvhrc/hw';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, type Task } from '@cvhrc/mm';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { VServerHost, XID_HOST } from '@cvhrc/vserver';
import { smallKernel } from './helpers.js';

type Op =
  | { op: 'start'; xid: number }
  | { op: 'mmap'; t: number; pages: number }
  | { op: 'touch'; t: number; at: number; pages: number; write: boolean }
  | { op: 'fork'; t: number }
  | { op: 'exit'; t: number };

const XIDS = [XID_HOST, 100, 200];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('start' as const), xid: fc.constantFrom(...XIDS) }),
  fc.record({
    op: fc.constant('mmap' as const),
    t: fc.nat(),
    pages: fc.integer({ min: 1, max: 2500 }),
  }),
  fc.record({
    op: fc.constant('touch' as const),
    t: fc.nat(),
    at: fc.nat(),
    pages: fc.integer({ min: 1, max: 2500 }),
    write: fc.boolean(),
  }),
  fc.record({ op: fc.constant('fork' as const), t: fc.nat() }),
  fc.record({ op: fc.constant('exit' as const), t: fc.nat() }),
);

test('context counters match the address spaces charged to each context', () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => {
      const k = smallKernel(8);
      const host = new VServerHost(k);
      host.createContext(100);
      host.createContext(200);
      const heaps = new Map<Task, { vpn: number; pages: number }[]>();
      const live = (): Task[] => k.tasks().filter((t) => t.mm !== null);
      for (const o of ops) {
        const tasks = live();
        const t = tasks.length > 0 && o.op !== 'start' ? tasks[o.t % tasks.length]! : null;
        if (o.op === 'start') {
          const task = o.xid === XID_HOST ? k.createTask('h') : host.startTask(o.xid, 'g');
          heaps.set(task, []);
        } else if (t === null) {
          continue;
        } else if (o.op === 'mmap') {
          const vpn = k.mmap(t, {
            pages: o.pages,
            prot: PROT_READ | PROT_WRITE,
            flags: MAP_PRIVATE | MAP_ANONYMOUS,
          });
          heaps.get(t)!.push({ vpn, pages: o.pages });
          for (let i = 0; i < o.pages; i++) {
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
        } else {
          k.exit(t);
        }
      }
      k.checkInvariants();
      for (const xid of [100, 200]) {
        const ctx = host.context(xid)!;
        const frames = new Set<number>();
        let vm = 0;
        let anon = 0;
        for (const mm of ctx.mms) {
          vm += mm.totalVm;
          anon += mm.anonRss;
          mm.pageTable.walk(0, VPN_COUNT, (_vpn, pte) => {
            if (pteIsPresent(pte)) frames.add(pteFrame(pte));
          });
        }
        const tasks = live().filter((t) => host.xidOf(t) === xid).length;
        expect(host.usage(xid, 'RSS').cur).toBe(frames.size);
        expect(host.usage(xid, 'VM').cur).toBe(vm);
        expect(host.usage(xid, 'ANON').cur).toBe(anon);
        expect(host.usage(xid, 'PROC').cur).toBe(tasks);
      }
    }),
    { numRuns: 40, seed: 1 },
  );
});
