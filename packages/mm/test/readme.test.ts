// The README's example, with its comments turned into assertions.
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import {
  Kernel,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  pageReferenced,
  PG_ACTIVE,
  PG_ANON,
  PROT_READ,
  PROT_WRITE,
  rmapWalk,
  Scheduler,
  type Operation,
} from '@cvhrc/mm';

test('README example', () => {
  const machine = createMachine(parseMachineConfig({ memory: { bytes: 64 << 20 } }));
  const k = new Kernel({ machine });
  expect(k.totalSwapPages).toBe((128 << 20) / 4096 - 1);
  expect(k.minFreeKbytes).toBe(1024);

  const lib = k.createFile('/lib/libc.so', 1 << 20);
  const a = k.createTask('a');
  const heap = k.mmap(a, {
    pages: 16,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS,
  });
  const anon = k.userAccess(a, heap, true);
  expect(k.pages.test(anon, PG_ANON | PG_ACTIVE)).toBe(true);
  const text = k.mmap(a, { pages: 256, prot: PROT_READ, flags: MAP_SHARED, file: lib });
  const page = k.userAccess(a, text + 40, false);
  expect([a.minFlt, a.majFlt]).toEqual([1, 1]);
  expect(lib.nrpages).toBe(32);
  expect(k.clock.now).toBeGreaterThan(5e6); // seek + rotation + 128 KB transfer
  expect(k.clock.now).toBeLessThan(20e6);

  const b = k.fork(a);
  expect(k.userAccess(b, heap, true)).not.toBe(anon);
  const seen: number[] = [];
  rmapWalk(k, page, (mm) => {
    seen.push(mm.id);
  });
  expect(seen).toEqual([a.mm!.id]); // b never faulted the libc page (file VMAs are not copied)
  expect(pageReferenced(k, page)).toBe(2); // PG_referenced + a's young PTE
  k.exit(b);
  k.checkInvariants();
});

test('README example: programs on the CPUs', () => {
  const k = new Kernel({
    machine: createMachine(parseMachineConfig({ memory: { bytes: 64 << 20 } })),
  });
  k.createFile('/bin/cc1', 256 << 10);
  k.createFile('/lib/libc.so', 1 << 20);
  k.createFile('/src/main.c', 64 << 10);
  const s = new Scheduler(k);
  function* compile(): Generator<Operation> {
    yield { op: 'exec', binary: '/bin/cc1', libs: ['/lib/libc.so'] };
    yield { op: 'read', file: '/src/main.c', offset: 0, bytes: 64 << 10 };
    yield { op: 'mmap', name: 'heap', pages: 256 };
    yield { op: 'touch', mapping: 'heap', pages: 256, write: true };
    yield {
      op: 'touch',
      mapping: 'heap',
      pages: 64,
      stride: 4,
      order: 'random',
      repeat: 3,
      write: false,
    };
    yield { op: 'compute', ns: 2_000_000 };
  }
  const make = s.spawn(
    [
      { op: 'fork', program: compile(), comm: 'cc1' },
      { op: 'fork', program: compile(), comm: 'cc1' },
      { op: 'wait' },
    ],
    'make',
  );
  const r = s.run();
  expect(r.finished).toBe(true);
  expect(s.exits.map((e) => [e.comm, e.signal])).toEqual([
    ['cc1', null],
    ['cc1', null],
    ['make', null],
  ]);
  // Each child: 256 zero-fill faults of its heap (the random passes hit), 2 ms of compute.
  expect(make.utimeNs).toBe(0);
  expect(k.vm.pgfault).toBeGreaterThanOrEqual(2 * 256);
  // The two children ran side by side, one on each CPU.
  expect(k.machine.cpus.busyNs(0)).toBeGreaterThan(2_000_000);
  expect(k.machine.cpus.busyNs(1)).toBeGreaterThan(2_000_000);
  k.checkInvariants();
});
