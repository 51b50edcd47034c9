/**
 * benchMm: host-side throughput of the memory manager (issue 4's `cvhrc bench mm`), on a
 * machine of the paper's Table 1 (2 GiB by default). Host time, not simulated time: a
 * benchmark, not a test.
 */
import { createMachine, defaultMachineConfig, mergeMachineConfig } from '@cvhrc/hw';
import { Kernel } from './kernel.js';
import type { Operation } from './program.js';
import { Scheduler } from './sched.js';

/** Options of {@link benchMm}. */
export interface MmBenchOptions {
  /** RAM of the machine, bytes; default 2 GiB. */
  readonly memoryBytes?: number;
  /** Passes of the resident touch; default 20. */
  readonly touchPasses?: number;
  /** Host clock in ms; default `performance.now`. */
  readonly now?: () => number;
}

/** Result of {@link benchMm}. */
export interface MmBenchResult {
  readonly bench: 'mm';
  /** Pages touched per host second through the touch loop, working set resident. */
  readonly touchPerSec: number;
  /** Anonymous (zero-fill) faults per host second, taken by the touch loop. */
  readonly anonFaultsPerSec: number;
  /** Pages reclaimed (pgsteal) per host second while read() streams a file larger than RAM. */
  readonly reclaimPagesPerSec: number;
  /** Host bytes of mm's per-frame structures per emulated frame. */
  readonly hostBytesPerFrame: number;
}

function machineOf(bytes: number): Kernel {
  const config = mergeMachineConfig(defaultMachineConfig(), { memory: { bytes } });
  return new Kernel({ machine: createMachine(config) });
}

/**
 * Three runs through the scheduler: (1) one task maps half of RAM anonymously and writes
 * every page once — zero-fill faults; (2) it touches the now resident pages `touchPasses`
 * times, one word a page (the fast path, with the page's word cost charged); (3) on a fresh
 * kernel a task read()s a file of 1.5 × RAM, so page-cache reclaim runs all along. The
 * program is a generator, so the host clock is read as each phase begins.
 */
export function benchMm(options: MmBenchOptions = {}): MmBenchResult {
  const bytes = options.memoryBytes ?? 2 * 1024 ** 3;
  const passes = options.touchPasses ?? 20;
  const now = options.now ?? (() => performance.now());

  const k = machineOf(bytes);
  // A long quantum: the bench measures the touch loop, not burst switching.
  const s = new Scheduler(k, { quantumNs: 100_000_000 });
  const pages = Math.floor(bytes / 4096 / 2);
  const marks: number[] = [];
  function* program(): Generator<Operation> {
    yield { op: 'mmap', name: 'ws', pages };
    marks.push(now());
    yield { op: 'touch', mapping: 'ws', pages, write: true, words: 1 };
    marks.push(now());
    yield { op: 'touch', mapping: 'ws', pages, write: false, words: 1, repeat: passes };
    marks.push(now());
  }
  const t = s.spawn(program(), 'bench');
  s.run();
  const [t0, t1, t2] = marks as [number, number, number];
  const anonFaultsPerSec = t.minFlt / ((t1 - t0) / 1000);
  const touchPerSec = (pages * passes) / ((t2 - t1) / 1000);

  const r = machineOf(bytes);
  const file = r.createFile('/big', Math.floor(bytes * 1.5));
  const rs = new Scheduler(r, { quantumNs: 100_000_000 });
  rs.spawn([{ op: 'read', file: file.name, offset: 0, bytes: file.sizeBytes }], 'cat');
  const r0 = now();
  rs.run();
  const r1 = now();
  const stolen = r.vm.pgsteal.reduce((a, b) => a + b, 0);
  return {
    bench: 'mm',
    touchPerSec,
    anonFaultsPerSec,
    reclaimPagesPerSec: stolen / ((r1 - r0) / 1000),
    hostBytesPerFrame: k.hostBytesPerFrame(),
  };
}
