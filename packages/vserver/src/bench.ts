/**
 * The tracking-overhead benchmark (`cvhrc bench tracking`): the same looping workload in 1,
 * 2, 3 … contexts, run to completion with CvHRC off and on; simulated-time overhead (the
 * measure that counts: every piece of tracking work is charged to the clock), host-time
 * overhead, and tracking work per 1000 page references.
 */
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, Scheduler, type Operation, type Program } from '@cvhrc/mm';
import { VServerHost } from './host.js';
import type { CvhrcOptions } from './tracking.js';

/** Options of {@link benchTracking}. */
export interface TrackingBenchOptions {
  /** Numbers of contexts to run; default [1, 2, 3, 15]. */
  readonly contexts?: readonly number[];
  /** Pages of each context's hot set (looped `hotRepeat` times per loop); default 6144. */
  readonly hotPages?: number;
  /** Pages of each context's cold set (swept once per loop); default 4096. */
  readonly coldPages?: number;
  /** Passes over the hot set per loop; default 16. */
  readonly hotRepeat?: number;
  /** Loops; default 2. */
  readonly loops?: number;
  /** RAM of the machine, bytes; default the paper's Table 1 (2 GiB). */
  readonly memoryBytes?: number;
  /** Runs of each mode; host times are the fastest (default 3). */
  readonly hostRepeats?: number;
  /** The tracking settings; default the paper's (8192-entity scan list) and this package's. */
  readonly cvhrc?: CvhrcOptions;
}

/** One row: `contexts` contexts, tracking off vs on. */
export interface TrackingBenchRow {
  readonly contexts: number;
  /** (simulated run time on − off) / off, percent. */
  readonly simOverheadPct: number;
  /** (host run time on − off) / off, percent. */
  readonly hostOverheadPct: number;
  /** Fake faults per 1000 page references (all contexts). */
  readonly fakeFaultsPer1k: number;
  /** PTEs read by the tracking (scans, arming, disarming) per 1000 page references. */
  readonly ptesScannedPer1k: number;
  /** Page references made (all contexts). */
  readonly references: number;
  /** Simulated run times, ns. */
  readonly simOffNs: number;
  readonly simOnNs: number;
  /** Host run times, ms. */
  readonly hostOffMs: number;
  readonly hostOnMs: number;
  /** Scans run (all contexts). */
  readonly scans: number;
  /** Simulated time charged for tracking, ns (all contexts). */
  readonly trackingNs: number;
}

/** The looping workload of one context: first touches, then `loops` × (hot × repeat, cold). */
export function loopingWorkload(
  hotPages: number,
  coldPages: number,
  hotRepeat: number,
  loops: number,
): Program {
  const program: Operation[] = [
    { op: 'mmap', name: 'hot', pages: hotPages },
    { op: 'touch', mapping: 'hot', pages: hotPages, write: true },
  ];
  if (coldPages > 0) {
    program.push(
      { op: 'mmap', name: 'cold', pages: coldPages },
      { op: 'touch', mapping: 'cold', pages: coldPages, write: true },
    );
  }
  for (let l = 0; l < loops; l++) {
    program.push({ op: 'touch', mapping: 'hot', pages: hotPages, write: false, repeat: hotRepeat });
    if (coldPages > 0)
      program.push({ op: 'touch', mapping: 'cold', pages: coldPages, write: false });
  }
  return program;
}

const positive = (name: string, v: number): number => {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`benchTracking: ${name} must be a positive integer, got ${v}`);
  }
  return v;
};

interface RunResult {
  simNs: number;
  hostMs: number;
  fakeFaults: number;
  ptesScanned: number;
  scans: number;
  trackingNs: number;
}

function runOnce(
  contexts: number,
  program: () => Program,
  memoryBytes: number | undefined,
  cvhrc: CvhrcOptions | undefined,
): RunResult {
  const machine = createMachine(
    memoryBytes === undefined ? undefined : parseMachineConfig({ memory: { bytes: memoryBytes } }),
  );
  const k = new Kernel({ machine });
  const host = new VServerHost(k, cvhrc === undefined ? {} : { cvhrc });
  const sched = new Scheduler(k);
  for (let c = 0; c < contexts; c++) {
    const xid = 100 + c;
    host.createContext(xid);
    host.spawn(sched, xid, program(), `loop${c}`);
  }
  const start = k.clock.now;
  const t0 = performance.now();
  const r = sched.run();
  const hostMs = performance.now() - t0;
  if (!r.finished) throw new Error('benchTracking: the run did not finish');
  const killed = sched.exits.filter((e) => e.signal !== null);
  if (killed.length > 0 || host.rebooted) {
    throw new Error(
      `benchTracking: ${killed.length} tasks were killed (${killed[0]?.signal ?? 'reboot'}); ` +
        'the working sets do not fit the machine',
    );
  }
  let fakeFaults = 0;
  let ptesScanned = 0;
  let scans = 0;
  let trackingNs = 0;
  if (host.tracking) {
    for (const xid of host.xids()) {
      const c = host.hrcCounters(xid);
      fakeFaults += c.fakeFaults;
      ptesScanned += c.ptesScanned;
      scans += c.scans;
      trackingNs += c.trackingNs;
    }
  }
  return { simNs: r.nowNs - start, hostMs, fakeFaults, ptesScanned, scans, trackingNs };
}

/**
 * Runs the looping workload in each number of contexts, with CvHRC off then on (same
 * machine, same seedless deterministic programs), and reports the overheads.
 */
export function benchTracking(options: TrackingBenchOptions = {}): TrackingBenchRow[] {
  const counts = options.contexts ?? [1, 2, 3, 15];
  const hot = positive('hotPages', options.hotPages ?? 6144);
  const cold = options.coldPages ?? 4096;
  if (!Number.isSafeInteger(cold) || cold < 0) {
    throw new RangeError(`benchTracking: coldPages must be an integer ≥ 0, got ${cold}`);
  }
  const repeat = positive('hotRepeat', options.hotRepeat ?? 16);
  const loops = positive('loops', options.loops ?? 2);
  const repeats = positive('hostRepeats', options.hostRepeats ?? 3);
  const cvhrc: CvhrcOptions = { ...options.cvhrc, enabled: true };
  const perContext = hot + cold + loops * (hot * repeat + cold);
  const rows: TrackingBenchRow[] = [];
  // Warm-up, untimed: both modes once at a small size, so that host times compare code
  // the JIT has compiled rather than the first run's interpretation.
  const warm = (): Program => loopingWorkload(512, 512, 2, 1);
  runOnce(1, warm, options.memoryBytes, undefined);
  runOnce(1, warm, options.memoryBytes, { ...cvhrc, scanList: 256, scanIntervalMs: 1 });
  for (const n of counts) {
    positive('contexts', n);
    const program = (): Program => loopingWorkload(hot, cold, repeat, loops);
    // Host time is noisy (garbage collection, other processes): the fastest of `repeats`
    // runs of each mode, alternating. Simulated time is the same every time.
    let off = runOnce(n, program, options.memoryBytes, undefined);
    let on = runOnce(n, program, options.memoryBytes, cvhrc);
    for (let r = 1; r < repeats; r++) {
      const off2 = runOnce(n, program, options.memoryBytes, undefined);
      const on2 = runOnce(n, program, options.memoryBytes, cvhrc);
      if (off2.simNs !== off.simNs || on2.simNs !== on.simNs) {
        throw new Error('benchTracking: a repeated run took another simulated time');
      }
      if (off2.hostMs < off.hostMs) off = off2;
      if (on2.hostMs < on.hostMs) on = on2;
    }
    const references = n * perContext;
    const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
    rows.push({
      contexts: n,
      simOverheadPct: round((100 * (on.simNs - off.simNs)) / off.simNs, 3),
      hostOverheadPct: round((100 * (on.hostMs - off.hostMs)) / off.hostMs, 1),
      fakeFaultsPer1k: round((1000 * on.fakeFaults) / references, 3),
      ptesScannedPer1k: round((1000 * on.ptesScanned) / references, 3),
      references,
      simOffNs: Math.round(off.simNs),
      simOnNs: Math.round(on.simNs),
      hostOffMs: round(off.hostMs, 1),
      hostOnMs: round(on.hostMs, 1),
      scans: on.scans,
      trackingNs: Math.round(on.trackingNs),
    });
  }
  return rows;
}
