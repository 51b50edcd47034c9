// Runs of fake faults taken at once (mm's TrackingRunHook, served by the CvHRC bridge with
// the tracker's planSweep/commitSweep) against the same programs with the scheduler's
// tracking runs off (every fake fault through the touch loop's generic turn and the handler):
// every charge, count, PTE, tracker entity and hit must come out the same.
import { VPN_COUNT } from '@cvhrc/hw';
import { Scheduler, type Operation, type Program } from '@cvhrc/mm';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { VServerHost } from '@cvhrc/vserver';
import { smallKernel } from './helpers.js';

interface Pass {
  pages: number;
  repeat: number;
  write: boolean;
  order: 'sequential' | 'reverse' | 'random';
  stride: number;
  words: number;
}

const passArb: fc.Arbitrary<Pass> = fc.record({
  pages: fc.integer({ min: 1, max: 700 }),
  repeat: fc.integer({ min: 1, max: 6 }),
  write: fc.boolean(),
  order: fc.constantFrom(
    'sequential' as const,
    'sequential' as const,
    'reverse' as const,
    'random' as const,
  ),
  stride: fc.constantFrom(1, 1, 1, 2),
  words: fc.constantFrom(1, 64, 1024),
});

const programArb = fc.record({
  size: fc.integer({ min: 300, max: 1400 }),
  passes: fc.array(passArb, { minLength: 1, maxLength: 5 }),
  fork: fc.boolean(),
  cow: fc.boolean(),
  sleepUs: fc.integer({ min: 0, max: 300 }),
});

interface Spec {
  size: number;
  passes: Pass[];
  fork: boolean;
  /** After the fork the parent writes the heap (COW) while the child sleeps. */
  cow: boolean;
  sleepUs: number;
}

function program(s: Spec): Program {
  const ops: Operation[] = [
    { op: 'mmap', name: 'ws', pages: s.size },
    { op: 'touch', mapping: 'ws', pages: s.size, write: true },
  ];
  for (const p of s.passes) {
    const pages = Math.max(1, Math.min(p.pages, Math.floor(s.size / p.stride)));
    ops.push({
      op: 'touch',
      mapping: 'ws',
      pages,
      stride: p.stride,
      write: p.write,
      repeat: p.repeat,
      words: p.words,
      ...(p.order === 'sequential' ? {} : { order: p.order, seed: pages }),
    });
    if (s.sleepUs > 0) ops.push({ op: 'sleep', ns: s.sleepUs * 1000 });
  }
  if (s.fork) {
    // A child that shares the heap (COW, mapcount > 0) and sweeps it too. With `cow` it
    // sleeps first while the parent writes the heap: the parent's copies are then each
    // mapped once, in an anon_vma of two VMAs (the rmap walk visits both: no run may take
    // them), and so are the child's originals.
    const child: Operation[] = [
      { op: 'touch', mapping: 'ws', pages: s.size, write: false, repeat: 2 },
    ];
    if (s.cow) child.unshift({ op: 'sleep', ns: 200_000_000 });
    ops.push({ op: 'fork', program: child });
    if (s.cow) ops.push({ op: 'touch', mapping: 'ws', pages: s.size, write: true });
    ops.push({ op: 'touch', mapping: 'ws', pages: s.size, write: false, repeat: 2 });
    ops.push({ op: 'wait' });
  }
  return ops;
}

/** Runs the programs in two contexts and returns everything observable, as JSON. */
function run(
  specs: Spec[],
  trackingRuns: boolean,
  quantumNs: number,
): { state: string; runs: number; permutedRuns: number } {
  const k = smallKernel(64);
  const host = new VServerHost(k, {
    cvhrc: { scanList: 128, group: 32, scanIntervalMs: 2 },
    watchdog: { enabled: false },
  });
  const sched = new Scheduler(k, { trackingRuns, quantumNs });
  let runs = 0;
  let permutedRuns = 0;
  let permuted = false;
  const hook = k.hooks.trackingRun;
  if (hook !== undefined) {
    k.hooks.trackingRun = {
      plan: (task, vpn, step, max, leftNs, userNs, order) => {
        permuted = order !== null && order !== undefined;
        return hook.plan(task, vpn, step, max, leftNs, userNs, order);
      },
      charges: hook.charges,
      commit: (task, n) => {
        if (n > 0) runs++;
        if (n > 0 && permuted) permutedRuns++;
        hook.commit(task, n);
      },
      permuted: hook.permuted === true,
    };
  }
  host.createContext(100);
  host.createContext(200);
  const tasks = specs.map((s, i) => host.spawn(sched, i % 2 === 0 ? 100 : 200, program(s)));
  const snapshot = (): unknown => ({
    now: k.clock.now,
    tasks: k.tasks().map((t) => [t.pid, t.utimeNs, t.stimeNs, t.minFlt, t.majFlt]),
    ptes: k
      .tasks()
      .filter((t) => t.mm !== null)
      .map((t) => {
        const out: number[] = [];
        t.mm!.pageTable.walk(0, VPN_COUNT, (vpn, pte) => void out.push(vpn, pte));
        return out;
      }),
    trackers: [100, 200].map((xid) => {
      const h = host.hrc(xid);
      const tr = host.trackerOf(xid)!;
      tr.checkInvariants();
      return { counters: h.counters, hits: h.curve.points(), entities: Array.from(tr.entities()) };
    }),
  });
  // Midway (tasks alive, PTEs armed) and at the end.
  sched.run(20_000_000);
  host.checkTrackingInvariants();
  const mid = snapshot();
  const result = sched.run();
  return {
    state: JSON.stringify({
      mid,
      end: snapshot(),
      result,
      exits: sched.exits,
      tasks: tasks.length,
    }),
    runs,
    permutedRuns,
  };
}

test('runs of fake faults leave every charge, count, PTE and hit as one fault at a time', () => {
  let taken = 0;
  let takenPermuted = 0;
  fc.assert(
    fc.property(
      fc.array(programArb, { minLength: 1, maxLength: 3 }),
      fc.constantFrom(300_000, 1_000_000, 4_000_000),
      (specs, quantumNs) => {
        const on = run(specs, true, quantumNs);
        const off = run(specs, false, quantumNs);
        expect(off.runs).toBe(0);
        expect(on.state).toBe(off.state);
        taken += on.runs;
        takenPermuted += on.permutedRuns;
      },
    ),
    { numRuns: 25, seed: 11 },
  );
  expect(taken).toBeGreaterThan(25); // runs were taken, not only refused
  expect(takenPermuted).toBeGreaterThan(5); // also in passes in a random order
});
