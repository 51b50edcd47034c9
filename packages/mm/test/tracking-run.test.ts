// The touch loop's tight path for runs of tracking faults (SchedulerOptions.trackingRuns) gives
// the same run, to the bit, as sending every tracking fault through the loop's generic turn:
// random programs with a CvHRC-like handler (disarm the faulting page, re-arm the one that
// falls out of a FIFO, fractional charges) and a timer that arms pages between bursts.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { Kernel, Scheduler, type Operation, type Task, type TouchOp } from '@cvhrc/mm';
import { PTE_PRESENT, PTE_TRACKING, VPN_COUNT, createMachine, parseMachineConfig } from '@cvhrc/hw';

const touchArb: fc.Arbitrary<Operation> = fc
  .record({
    offset: fc.nat(300),
    pages: fc.integer({ min: 1, max: 600 }),
    stride: fc.integer({ min: 1, max: 3 }),
    order: fc.constantFrom('sequential' as const, 'reverse' as const, 'random' as const),
    seed: fc.nat(1000),
    repeat: fc.integer({ min: 1, max: 4 }),
    write: fc.boolean(),
    words: fc.integer({ min: 0, max: 1024 }),
    file: fc.boolean(),
  })
  .map((r): Operation => {
    const pages = r.file ? 256 : 600;
    const offset = r.offset % pages;
    const n = Math.max(1, Math.min(r.pages, Math.floor((pages - 1 - offset) / r.stride) + 1));
    return {
      op: 'touch',
      mapping: r.file ? 'priv' : 'anon',
      offset,
      pages: n,
      stride: r.stride,
      order: r.order,
      seed: r.seed,
      repeat: r.repeat,
      write: r.write,
      words: r.words,
    };
  });

const stepArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 8, arbitrary: touchArb },
  { weight: 1, arbitrary: fc.nat(2_000_000).map((ns): Operation => ({ op: 'compute', ns })) },
  { weight: 1, arbitrary: fc.nat(2_000_000).map((ns): Operation => ({ op: 'sleep', ns })) },
);

const programArb = fc
  .tuple(
    fc.array(stepArb, { minLength: 1, maxLength: 8 }),
    fc.option(fc.array(touchArb, { maxLength: 3 }), { nil: undefined }),
  )
  .map(([ops, child]): Operation[] => [
    { op: 'mmap', name: 'anon', pages: 600 },
    { op: 'mmap', name: 'priv', file: '/lib.so', pages: 256 },
    // Fill the mappings first, so that there is something to arm.
    { op: 'touch', mapping: 'anon', pages: 600, write: true },
    { op: 'touch', mapping: 'priv', pages: 256, write: false },
    ...(child === undefined ? [] : [{ op: 'fork', program: child } as Operation]),
    ...ops,
  ]);

interface Setup {
  readonly quantumNs: number;
  readonly fifo: number;
  readonly armEveryNs: number;
  readonly armModulo: number;
}

const setupArb: fc.Arbitrary<Setup> = fc.record({
  quantumNs: fc.constantFrom(23_456, 100_000, 1_000_000),
  fifo: fc.integer({ min: 1, max: 64 }),
  armEveryNs: fc.constantFrom(333_333, 2_000_000),
  armModulo: fc.integer({ min: 1, max: 4 }),
});

function run(programs: Operation[][], setup: Setup, trackingRuns: boolean): unknown {
  const k = new Kernel({
    machine: createMachine(parseMachineConfig({ memory: { bytes: 8 << 20 } })),
  });
  k.createFile('/lib.so', 256 * 4096);
  const s = new Scheduler(k, { quantumNs: setup.quantumNs, trackingRuns });
  const log: number[] = [];
  const fifos = new Map<number, number[]>();
  k.hooks.trackingFault = (task: Task, vpn: number, write: boolean) => {
    const pt = task.mm!.pageTable;
    log.push(task.pid, vpn, write ? 1 : 0, k.burstNs, k.clock.now);
    pt.clearFlags(vpn, PTE_TRACKING);
    k.chargeSystem(1234.567); // fractional: the order of the charges shows in the sums
    let fifo = fifos.get(task.pid);
    if (fifo === undefined) fifos.set(task.pid, (fifo = []));
    fifo.push(vpn);
    if (fifo.length > setup.fifo) {
      const out = fifo.shift()!;
      if (out !== vpn && (pt.get(out) & PTE_PRESENT) !== 0) {
        pt.setFlags(out, PTE_TRACKING);
        k.chargeSystem(56.789);
      }
    }
  };
  // Between bursts, every armModulo-th present page of every address space is armed.
  let rounds = 0;
  let cancel = (): void => undefined;
  cancel = k.addTimer(
    setup.armEveryNs,
    () => {
      if (s.liveTasks === 0) {
        cancel();
        return;
      }
      rounds++;
      for (const mm of k.mms()) {
        mm.pageTable.walk(0, VPN_COUNT, (vpn, pte) =>
          (pte & PTE_PRESENT) !== 0 && (vpn + rounds) % setup.armModulo === 0
            ? (pte | PTE_TRACKING) >>> 0
            : undefined,
        );
      }
    },
    setup.armEveryNs,
  );
  const tasks = programs.map((p, i) => s.spawn(p, `t${i}`));
  const r = s.run();
  expect(r.finished).toBe(true);
  expect(s.exits.filter((e) => e.signal !== null)).toEqual([]);
  k.checkInvariants();
  const ptes: number[][] = k.mms().map((mm) => {
    const out: number[] = [];
    mm.pageTable.walk(0, VPN_COUNT, (vpn, pte) => void out.push(vpn, pte));
    return out;
  });
  return {
    now: r.nowNs,
    pgfault: k.vm.pgfault,
    tasks: tasks.map((t) => [t.minFlt, t.majFlt, t.utimeNs, t.stimeNs]),
    exits: s.exits,
    log,
    ptes,
  };
}

test('runs of tracking faults: the tight path and the generic turn give the same run', () => {
  fc.assert(
    fc.property(
      fc.array(programArb, { minLength: 1, maxLength: 3 }),
      setupArb,
      (programs, setup) => {
        expect(run(programs, setup, true)).toEqual(run(programs, setup, false));
      },
    ),
    { numRuns: 40, seed: 11 },
  );
});

test('a sweep over armed pages takes one tracking fault per page, in order, the same both ways', () => {
  const program: Operation[] = [
    { op: 'mmap', name: 'anon', pages: 600 },
    { op: 'mmap', name: 'priv', file: '/lib.so', pages: 256 },
    { op: 'touch', mapping: 'anon', pages: 600, write: true },
    { op: 'touch', mapping: 'priv', pages: 256, write: false },
    { op: 'compute', ns: 1_000_000 },
    { op: 'touch', mapping: 'anon', pages: 600, repeat: 3, words: 64, write: false },
  ];
  const setup: Setup = { quantumNs: 100_000, fifo: 8, armEveryNs: 500_000, armModulo: 1 };
  const fast = run([program], setup, true) as { log: number[] };
  expect(fast).toEqual(run([program], setup, false));
  // The last pass's faults: a long run of consecutive pages (the tight path's case).
  const vpns = fast.log.filter((_, i) => i % 5 === 1);
  let longest = 0;
  for (let i = 1, n = 1; i < vpns.length; i++) {
    n = vpns[i] === vpns[i - 1]! + 1 ? n + 1 : 1;
    longest = Math.max(longest, n);
  }
  expect(longest).toBeGreaterThan(100);
});

// ---- two-range touches (TouchOp.then) ----------------------------------------------------
// A touch with `then` is the same run, to the bit, as its `repeat` pairs of one-pass touches
// (its range's, then the second range's), under the same CvHRC-like handler and timer: the
// pairs after a clean one are charged without their accesses (#repeatPairs), and the burst
// may end before, inside or between the two ranges.

const pairArb = fc
  .record({
    fromFile: fc.boolean(),
    toFile: fc.boolean(),
    offset: fc.nat(300),
    offset2: fc.nat(300),
    pages: fc.integer({ min: 0, max: 40 }),
    stride: fc.integer({ min: 1, max: 2 }),
    repeat: fc.integer({ min: 0, max: 60 }),
    write: fc.boolean(),
    words: fc.integer({ min: 0, max: 1024 }),
    words2: fc.integer({ min: 0, max: 1024 }),
    write2: fc.boolean(),
    ws: fc.option(fc.integer({ min: 4096, max: 8 << 20 }), { nil: undefined }),
  })
  .map((r): TouchOp => {
    const size = (file: boolean): number => (file ? 256 : 600);
    const fit = (offset: number, file: boolean): number =>
      Math.floor((size(file) - 1 - (offset % size(file))) / r.stride) + 1;
    const o1 = r.offset % size(r.fromFile);
    const o2 = r.offset2 % size(r.toFile);
    const pages = Math.min(r.pages, fit(o1, r.fromFile), fit(o2, r.toFile));
    return {
      op: 'touch',
      mapping: r.fromFile ? 'priv' : 'anon',
      offset: o1,
      pages,
      stride: r.stride,
      repeat: r.repeat,
      write: r.write,
      words: r.words,
      ...(r.ws === undefined ? {} : { workingSetBytes: r.ws }),
      then: {
        mapping: r.toFile ? 'priv' : 'anon',
        offset: o2,
        write: r.write2,
        words: r.words2,
        ...(r.ws === undefined ? {} : { workingSetBytes: r.ws }),
      },
    };
  });

/** The one-pass touches a two-range touch stands for. */
function expand(ops: readonly Operation[]): Operation[] {
  return ops.flatMap((op): Operation[] => {
    if (op.op === 'fork') return [{ ...op, program: expand(op.program as Operation[]) }];
    if (op.op !== 'touch' || op.then === undefined) return [op];
    const { then, repeat, ...first } = op;
    const second: Operation = { ...first, ...then, offset: then.offset ?? 0 };
    const out: Operation[] = [];
    for (let i = 0; i < (repeat ?? 1); i++) out.push({ ...first, repeat: 1 }, second);
    return out;
  });
}

const pairProgramArb = fc
  .tuple(
    fc.array(fc.oneof({ weight: 4, arbitrary: pairArb }, { weight: 2, arbitrary: stepArb }), {
      minLength: 1,
      maxLength: 6,
    }),
    fc.option(fc.array(pairArb, { maxLength: 2 }), { nil: undefined }),
  )
  .map(([ops, child]): Operation[] => [
    { op: 'mmap', name: 'anon', pages: 600 },
    { op: 'mmap', name: 'priv', file: '/lib.so', pages: 256 },
    ...(child === undefined ? [] : [{ op: 'fork', program: child } as Operation]),
    ...ops,
  ]);

test('a touch with `then` is the same run, to the bit, as its pairs of one-pass touches', () => {
  fc.assert(
    fc.property(
      fc.array(pairProgramArb, { minLength: 1, maxLength: 3 }),
      setupArb,
      fc.boolean(),
      (programs, setup, trackingRuns) => {
        expect(run(programs, setup, trackingRuns)).toEqual(
          run(programs.map(expand), setup, trackingRuns),
        );
      },
    ),
    { numRuns: 60, seed: 12 },
  );
});

test('a copy of a small buffer many times over: one operation, the same run as its pairs', () => {
  // bw_mem's copy at one page: the pairs after the first run without a fault, most of them
  // inside one burst, the rest cut by the quantum between and inside the two ranges.
  const program: Operation[] = [
    { op: 'mmap', name: 'anon', pages: 600 },
    { op: 'mmap', name: 'priv', file: '/lib.so', pages: 256 },
    {
      op: 'touch',
      mapping: 'anon',
      pages: 1,
      words: 128,
      write: false,
      repeat: 5000,
      then: { mapping: 'anon', offset: 300, words: 96, write: true },
    },
  ];
  const setup: Setup = { quantumNs: 23_456, fifo: 8, armEveryNs: 2_000_000, armModulo: 1 };
  const one = run([program], setup, true) as { tasks: number[][]; now: number };
  expect(one).toEqual(run([expand(program)], setup, true));
  // Every pass charged: the user time is the 5000 pairs' (and the first touch's faults').
  const k = new Kernel({ machine: createMachine(parseMachineConfig({})) });
  const perPair = k.costs.memoryAccessNs(128, 4096) + k.costs.memoryAccessNs(96, 4096);
  expect(one.tasks[0]![2]).toBe(5000 * perPair);
});

test('a touch with `then` is refused in another order than sequential, or without a range', () => {
  for (const [then, order, message] of [
    [{ mapping: 'anon', write: true }, 'random', /then needs the sequential order, not random/],
    [{ write: true }, 'sequential', /then: give a mapping or a vpn/],
    [{ mapping: 'anon', write: true, words: 2000 }, 'sequential', /then: words 2000/],
  ] as const) {
    const k = new Kernel({
      machine: createMachine(parseMachineConfig({ memory: { bytes: 8 << 20 } })),
    });
    const s = new Scheduler(k);
    s.spawn([
      { op: 'mmap', name: 'anon', pages: 600 },
      { op: 'touch', mapping: 'anon', pages: 4, order, write: false, then },
    ]);
    expect(() => s.run()).toThrow(message);
  }
});
