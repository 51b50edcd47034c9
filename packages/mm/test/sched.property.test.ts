// Property test (fast-check): random programs run by the scheduler on a 4 MiB machine under
// memory pressure finish, take no SIGSEGV or SIGBUS, keep checkInvariants() true, and give
// the same times and counters when run again.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { Kernel, Scheduler, type Operation } from '@cvhrc/mm';
import { createMachine, parseMachineConfig } from '@cvhrc/hw';

const MAPPINGS = [
  { name: 'anon', pages: 600 },
  { name: 'priv', pages: 256 },
  { name: 'shared', pages: 256 },
] as const;

const touchArb: fc.Arbitrary<Operation> = fc
  .record({
    m: fc.nat(2),
    offset: fc.nat(255),
    pages: fc.integer({ min: 1, max: 400 }),
    stride: fc.integer({ min: 1, max: 3 }),
    order: fc.constantFrom('sequential' as const, 'reverse' as const, 'random' as const),
    seed: fc.nat(1000),
    repeat: fc.integer({ min: 1, max: 3 }),
    write: fc.boolean(),
    words: fc.integer({ min: 1, max: 1024 }),
  })
  .map((r) => {
    const m = MAPPINGS[r.m]!;
    const offset = r.offset % m.pages;
    const pages = Math.max(1, Math.min(r.pages, Math.floor((m.pages - 1 - offset) / r.stride) + 1));
    return {
      op: 'touch',
      mapping: m.name,
      offset,
      pages,
      stride: r.stride,
      order: r.order,
      seed: r.seed,
      repeat: r.repeat,
      write: r.write,
      words: r.words,
    };
  });

const simpleArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: touchArb },
  {
    weight: 1,
    arbitrary: fc
      .record({ offset: fc.nat(2 << 20), bytes: fc.nat(512 << 10) })
      .map(({ offset, bytes }): Operation => ({ op: 'read', file: '/data', offset, bytes })),
  },
  { weight: 1, arbitrary: fc.nat(3_000_000).map((ns): Operation => ({ op: 'compute', ns })) },
  { weight: 1, arbitrary: fc.nat(3_000_000).map((ns): Operation => ({ op: 'sleep', ns })) },
  {
    weight: 1,
    arbitrary: fc.constant<Operation[]>([
      { op: 'shmget', key: 7, bytes: 64 * 4096 },
      { op: 'shmat', key: 7, name: 'shm' },
      { op: 'touch', mapping: 'shm', pages: 64, write: true },
      { op: 'shmdt', name: 'shm' },
    ]),
  },
) as fc.Arbitrary<Operation>;

const flat = (ops: (Operation | Operation[])[]): Operation[] => ops.flat(2);

const programArb = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: simpleArb },
      {
        weight: 1,
        arbitrary: fc.array(simpleArb, { maxLength: 4 }).map(
          (child): Operation => ({
            op: 'fork',
            program: flat(child as (Operation | Operation[])[]),
          }),
        ),
      },
      { weight: 1, arbitrary: fc.constant<Operation>({ op: 'wait' }) },
    ),
    { maxLength: 8 },
  )
  .map((ops): Operation[] => [
    { op: 'mmap', name: 'anon', pages: 600 },
    { op: 'mmap', name: 'priv', file: '/lib.so', pages: 256 },
    { op: 'mmap', name: 'shared', file: '/lib.so', shared: true, pages: 256 },
    ...flat(ops as (Operation | Operation[])[]),
  ]);

function runAll(programs: Operation[][]): unknown[] {
  const k = new Kernel({
    machine: createMachine(parseMachineConfig({ memory: { bytes: 4 << 20 } })),
  });
  k.createFile('/lib.so', 256 * 4096);
  k.createFile('/data', 3 << 20);
  const s = new Scheduler(k, { quantumNs: 300_000 });
  const tasks = programs.map((p, i) => s.spawn(p, `t${i}`));
  const r = s.run();
  expect(r.finished).toBe(true);
  expect(s.exits.filter((e) => e.signal === 'SIGSEGV' || e.signal === 'SIGBUS')).toEqual([]);
  k.checkInvariants();
  return [
    r.nowNs,
    k.vm.pgfault,
    k.vm.pgmajfault,
    k.vm.pswpout,
    tasks.map((t) => [t.minFlt, t.majFlt, t.utimeNs, t.stimeNs]),
    s.exits,
  ];
}

test('random programs under the scheduler: invariants hold, runs repeat exactly', () => {
  fc.assert(
    fc.property(fc.array(programArb, { minLength: 1, maxLength: 4 }), (programs) => {
      expect(runAll(programs)).toEqual(runAll(programs));
    }),
    { numRuns: 50, seed: 4 },
  );
});
