// Programs, the touch loop and the scheduler over the CPUs.
import { createMachine, parseMachineConfig, PAGE_SIZE } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import {
  DEF_TIMESLICE_NS,
  ELF_TEXT_START,
  findPage,
  Kernel,
  PG_ACTIVE,
  PG_REFERENCED,
  Scheduler,
  type Operation,
  type Program,
} from '@cvhrc/mm';

function kernel(mib: number, cpus = 2): Kernel {
  const machine = createMachine(
    parseMachineConfig({ memory: { bytes: mib * 1024 * 1024 }, cpu: { count: cpus } }),
  );
  return new Kernel({ machine });
}

const MS = 1_000_000;

test('a touch of 100 pages (write) takes 100 minor faults and the time of the cost formula', () => {
  const k = kernel(64);
  const s = new Scheduler(k);
  const t = s.spawn([
    { op: 'mmap', name: 'heap', pages: 100 },
    { op: 'touch', mapping: 'heap', pages: 100, write: true },
  ]);
  const r = s.run();
  expect(r.finished).toBe(true);
  expect([t.minFlt, t.majFlt]).toEqual([0 + 100, 0]);
  const c = k.costs;
  // 100 pages × 1024 words; 400 KiB fits the 2 MB cache: cacheWordNs a word.
  const perPage = c.memoryAccessNs(1024, 100 * PAGE_SIZE);
  expect(perPage).toBe(Math.round(1024 * c.cacheWordNs));
  expect(t.utimeNs).toBe(100 * perPage);
  // Each fault: the trap + zeroing a page; exit: one TLB flush + a PTE scan per page.
  const faults = 100 * (c.minorFaultNs + c.zeroPageNs);
  const exit = c.tlbFlushAllNs + 100 * c.pteScanNs;
  expect(t.stimeNs).toBe(faults + exit);
  // One task on one CPU, never waiting: the run lasts exactly its CPU time.
  expect(r.nowNs).toBe(t.utimeNs + t.stimeNs);
  expect(k.machine.cpus.busyNs(0)).toBe(r.nowNs);
  expect(s.exits.map((e) => [e.pid, e.signal])).toEqual([[t.pid, null]]);
  k.checkInvariants();
});

test('touch orders, stride and repeat: pages visited and faults taken', () => {
  const k = kernel(64);
  const s = new Scheduler(k);
  const t = s.spawn([
    { op: 'mmap', name: 'a', pages: 64 },
    // Every 4th page, backwards: 16 pages fault; a second pass hits.
    { op: 'touch', mapping: 'a', pages: 16, stride: 4, order: 'reverse', repeat: 2, write: true },
    // A random permutation of all 64, read, 10 words a page: the 48 others fault.
    { op: 'touch', mapping: 'a', pages: 64, order: 'random', seed: 7, write: false, words: 10 },
    { op: 'compute', ns: 0 },
  ]);
  const before = k.vm.pgfault;
  s.run();
  expect(t.minFlt).toBe(16 + 48);
  expect(k.vm.pgfault - before).toBe(64);
  const c = k.costs;
  expect(t.utimeNs).toBe(
    32 * c.memoryAccessNs(1024, 16 * PAGE_SIZE) + 64 * c.memoryAccessNs(10, 64 * PAGE_SIZE),
  );
  k.checkInvariants();
});

test('two tasks on two CPUs run in parallel: the run takes the max, not the sum', () => {
  const work: Program = [{ op: 'compute', ns: 50 * MS }];
  const two = kernel(64, 2);
  const s2 = new Scheduler(two);
  const a = s2.spawn(work, 'a');
  const b = s2.spawn(work, 'b');
  const r2 = s2.run();
  expect(r2.nowNs).toBeGreaterThanOrEqual(50 * MS);
  expect(r2.nowNs).toBeLessThan(51 * MS);
  expect([a.utimeNs, b.utimeNs]).toEqual([50 * MS, 50 * MS]);
  expect(two.machine.cpus.busyNs(0)).toBeGreaterThanOrEqual(50 * MS);
  expect(two.machine.cpus.busyNs(1)).toBeGreaterThanOrEqual(50 * MS);

  const one = kernel(64, 1);
  const s1 = new Scheduler(one);
  s1.spawn(work, 'a');
  s1.spawn(work, 'b');
  const r1 = s1.run();
  expect(r1.nowNs).toBeGreaterThanOrEqual(100 * MS);
  expect(r1.nowNs).toBeLessThan(101 * MS);
});

test('time slices: two CPU-bound tasks on one CPU alternate every 100 ms', () => {
  expect(DEF_TIMESLICE_NS).toBe(100 * MS);
  const k = kernel(64, 1);
  const s = new Scheduler(k);
  const a = s.spawn([{ op: 'compute', ns: 250 * MS }], 'a');
  const b = s.spawn([{ op: 'compute', ns: 250 * MS }], 'b');
  s.run();
  // a 0–100, b 100–200, a 200–300, b 300–400, a 400–450, b 450–500; each switch costs
  // contextSwitchNs of the incoming task's slice, so the last runs are longer by that much.
  const at = (pid: number): number => s.exits.find((e) => e.pid === pid)!.timeNs;
  const cs = k.costs.contextSwitchNs;
  expect(at(a.pid)).toBe(450 * MS + 2 * cs);
  expect(at(b.pid)).toBe(500 * MS + 5 * cs);
  expect(a.utimeNs).toBe(250 * MS);
  expect(b.stimeNs).toBe(3 * cs);
});

test('a task blocked on a major fault lets another run on its CPU', () => {
  const k = kernel(64, 1);
  k.createFile('/data', 1 << 20);
  const s = new Scheduler(k);
  const a = s.spawn(
    [
      { op: 'mmap', name: 'f', file: '/data', shared: true, writable: false },
      { op: 'touch', mapping: 'f', offset: 100, pages: 1, write: false },
    ],
    'reader',
  );
  const b = s.spawn([{ op: 'compute', ns: 5 * MS }], 'cpu');
  s.run();
  expect([a.majFlt, a.minFlt]).toEqual([1, 0]);
  const exitA = s.exits.find((e) => e.pid === a.pid)!.timeNs;
  const exitB = s.exits.find((e) => e.pid === b.pid)!.timeNs;
  // The disk read takes milliseconds; b's 5 ms run inside it.
  expect(exitB).toBeLessThan(exitA);
  expect(exitA).toBeGreaterThan(k.costs.diskAverageSeekNs / 2);
  expect(exitA).toBeLessThan(exitB + k.costs.diskRandomPageReadNs + MS);
  expect(b.utimeNs).toBe(5 * MS);
  k.checkInvariants();
});

test('sleep and wait: a parent wakes after its child exits', () => {
  const k = kernel(64);
  const s = new Scheduler(k);
  const parent = s.spawn(
    [
      { op: 'mmap', name: 'heap', pages: 8 },
      { op: 'touch', mapping: 'heap', pages: 8, write: true },
      {
        op: 'fork',
        comm: 'child',
        program: [
          { op: 'sleep', ns: 5 * MS },
          { op: 'touch', mapping: 'heap', pages: 8, write: true },
          { op: 'compute', ns: 3 * MS },
        ],
      },
      { op: 'wait' },
      { op: 'compute', ns: MS },
    ],
    'parent',
  );
  s.run();
  const child = s.exits.find((e) => e.comm === 'child')!;
  const p = s.exits.find((e) => e.pid === parent.pid)!;
  expect(child.timeNs).toBeGreaterThanOrEqual(8 * MS);
  expect(p.timeNs).toBeGreaterThanOrEqual(child.timeNs + MS);
  expect(parent.utimeNs).toBeGreaterThanOrEqual(MS);
  expect(s.exits.map((e) => e.comm)).toEqual(['child', 'parent']);
  // The child's writes were COW copies of the parent's 8 pages.
  expect(k.vm.pgfault).toBeGreaterThanOrEqual(16);
  k.checkInvariants();
});

test('read() goes through the page cache: a second read promotes the pages (§A1)', () => {
  const k = kernel(64);
  const f = k.createFile('/src.c', 64 * 1024);
  const s = new Scheduler(k);
  const t = s.spawn([{ op: 'read', file: '/src.c', offset: 0, bytes: 64 * 1024 }], 'cc');
  s.run();
  const frames = Array.from({ length: 16 }, (_, i) => findPage(k, f.id, i));
  expect(frames.every((fr) => fr >= 0)).toBe(true);
  // One read: inactive and referenced.
  for (const fr of frames) {
    expect(k.pages.flags[fr]! & (PG_ACTIVE | PG_REFERENCED)).toBe(PG_REFERENCED);
  }
  expect(k.vm.pgpgin).toBe(64);
  expect([t.minFlt, t.majFlt]).toEqual([0, 0]);
  s.spawn([{ op: 'read', file: '/src.c', offset: 100, bytes: 64 * 1024 }], 'cc2');
  s.run();
  for (const fr of frames) expect(k.pages.flags[fr]! & (PG_ACTIVE | PG_REFERENCED)).toBe(PG_ACTIVE);
  expect(k.vm.pgpgin).toBe(64);
  k.checkInvariants();
});

test('exec maps the binary and libc; shm is shared between tasks', () => {
  const k = kernel(64);
  k.createFile('/bin/cc1', 256 * 1024);
  k.createFile('/lib/libc.so', 1 << 20);
  const s = new Scheduler(k);
  const t = s.spawn(
    [
      { op: 'exec', binary: '/bin/cc1', libs: ['/lib/libc.so'] },
      { op: 'touch', vpn: ELF_TEXT_START, pages: 64, write: false, words: 16 },
      { op: 'shmget', key: 42, bytes: 16 * PAGE_SIZE },
      { op: 'shmat', key: 42, name: 'shm' },
      { op: 'touch', mapping: 'shm', pages: 16, write: true },
      {
        op: 'fork',
        program: [
          { op: 'shmat', key: 42, name: 'shm2' },
          { op: 'touch', mapping: 'shm2', pages: 16, write: false },
          { op: 'shmdt', name: 'shm2' },
        ],
      },
      { op: 'wait' },
      { op: 'shmdt', name: 'shm' },
    ],
    'sh',
  );
  s.run();
  expect(t.comm).toBe('cc1');
  // 64 text pages: read-around of 32 pages centred on the fault (§B) — at 0 (pages 0–31),
  // 32 (16–47), 48 (32–63) — makes 3 major faults, the rest minor; 16 shm pages minor.
  expect(t.majFlt).toBe(3);
  expect(t.minFlt).toBe(61 + 16);
  k.checkInvariants();
});

function scenario(): { counters: unknown[] } {
  const k = kernel(16, 2);
  k.createFile('/bin/app', 128 * 1024);
  k.createFile('/data', 4 << 20);
  const s = new Scheduler(k, { quantumNs: 200_000 });
  function* worker(seed: number): Generator<Operation> {
    yield { op: 'exec', binary: '/bin/app' };
    yield { op: 'mmap', name: 'ws', pages: 1200 };
    for (let i = 0; i < 3; i++) {
      yield {
        op: 'touch',
        mapping: 'ws',
        pages: 1200,
        order: 'random',
        seed: seed + i,
        write: true,
      };
      yield { op: 'read', file: '/data', offset: i * 65536, bytes: 1 << 20 };
      yield { op: 'sleep', ns: 100_000 };
    }
  }
  const tasks = [1, 2, 3].map((i) =>
    s.spawn(
      [{ op: 'fork', program: worker(i * 10) }, { op: 'compute', ns: 2 * MS }, { op: 'wait' }],
      `p${i}`,
    ),
  );
  s.run();
  k.checkInvariants();
  return {
    counters: [
      k.clock.now,
      k.vm.pgfault,
      k.vm.pgmajfault,
      k.vm.pswpout,
      k.vm.pswpin,
      ...tasks.map((t) => [t.utimeNs, t.stimeNs, t.minFlt, t.majFlt]),
      s.exits.map((e) => [e.pid, e.timeNs, e.signal]),
    ],
  };
}

test('determinism: the same programs give identical counters and times', () => {
  const a = scenario();
  const b = scenario();
  expect(a).toEqual(b);
});

test('a malformed operation is refused with a typed error', () => {
  const k = kernel(64);
  const s = new Scheduler(k);
  s.spawn([{ op: 'jump' } as unknown as Operation]);
  expect(() => s.run()).toThrow(/program: EINVAL: task 1: not an operation: \{"op":"jump"\}/);
});
