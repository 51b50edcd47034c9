/**
 * The runner: a validated scenario runs to results on one emulated host — a @cvhrc/mm
 * kernel and scheduler on the scenario's machine, a @cvhrc/vserver host with one context per
 * guest, each running its workload from @cvhrc/workloads. Everything in the results comes
 * from simulated time and counters, so the same scenario gives the same results on any
 * machine; host (wall-clock) time is kept apart in {@link RunOutcome.hostSec}.
 */
import { createMachine } from '@cvhrc/hw';
import { Kernel, Scheduler } from '@cvhrc/mm';
import type { Task } from '@cvhrc/mm';
import { VServerHost } from '@cvhrc/vserver';
import { getWorkload, WorkloadParamError } from '@cvhrc/workloads';
import type { WorkloadInstance } from '@cvhrc/workloads';
import type { HitRatioCurve } from '@cvhrc/core';
import { expandContexts, parseScenario, ScenarioError, workloadIssue } from './scenario.js';
import type { ExpandedContext, Scenario, ScenarioInput } from './scenario.js';

const NS = 1e9;

/** A curve as it is stored in results: size in pages → hit ratio (6 decimals). */
export interface CurvePointOut {
  readonly size: number;
  readonly hitRatio: number;
}

/** Curves of one context at one moment. */
export interface CurveSample {
  /** Simulated seconds since the start of the run. */
  readonly atSec: number;
  /** The tracker's curve (cumulative since the context was created). */
  readonly cvhrc: readonly CurvePointOut[];
  readonly pageNeed: number;
  /** The exact LRU curve of all the context's references, when the oracle is on. */
  readonly exact?: readonly CurvePointOut[];
  readonly exactPageNeed?: number;
  /** Mean absolute error tracker vs. exact over the tracker's sizes. */
  readonly mae?: number;
}

/** The tracker's space report in numbers (its parts' names left out). */
export interface TrackerSpaceOut {
  readonly staticBytes: number;
  readonly bytesPerNode: number;
  readonly nodeCapacity: number;
  readonly nodes: number;
  readonly nodeBytes: number;
  readonly totalBytes: number;
}

/** One progress sample of a context. */
export interface ProgressSample {
  readonly tSec: number;
  /** CPU seconds (user + system) its tasks have had so far: the work it got done. */
  readonly cpuSec: number;
  readonly rssPages: number;
  readonly majorFaults: number;
}

/** What one context did in a run. */
export interface ContextResult {
  readonly name: string;
  readonly xid: number;
  readonly workload: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** True when every task of the context exited before the run ended. */
  readonly finished: boolean;
  /** Simulated seconds from its start to its last task's exit; null if unfinished. */
  readonly runtimeSec: number | null;
  readonly tasks: number;
  readonly minorFaults: number;
  readonly majorFaults: number;
  readonly cpuSec: number;
  /** RSS watermark (Linux-VServer's `max` column of RSS), pages. */
  readonly peakRssPages: number;
  /** Tasks of this context the kernel's or the context's OOM killer killed. */
  readonly killed: number;
  readonly curves: readonly CurveSample[];
  /** Tracker work counts and space at the end of the run (tracking on). */
  readonly tracker?: {
    /** Most entities tracked at once (at the progress samples and the end). */
    readonly peakEntities: number;
    readonly counters: Readonly<Record<string, number>>;
    readonly space: TrackerSpaceOut;
  };
  readonly progress: readonly ProgressSample[];
  /** Result lines the workload printed (lmbench's), in order. */
  readonly output: readonly string[];
}

/** The results of one run (deterministic: no host-time fields). */
export interface RunResults {
  readonly scenario: string;
  readonly seed: number;
  readonly tracking: boolean;
  /** Simulated seconds at the end of the run. */
  readonly simulatedSec: number;
  /** Every context finished (false: stopped by durationSec, maxSec, or a node reboot). */
  readonly finished: boolean;
  /** Time until the last context finished, simulated seconds; null if one did not. */
  readonly makespanSec: number | null;
  readonly contexts: readonly ContextResult[];
  readonly watchdog: readonly {
    readonly tSec: number;
    readonly level: string;
    readonly xid: number | null;
    readonly reason: string;
  }[];
  readonly rebooted: boolean;
  readonly kernel: {
    readonly oomKills: number;
    readonly pswpin: number;
    readonly pswpout: number;
  };
}

/** A run's results plus the host time it took (not part of the deterministic results). */
export interface RunOutcome {
  readonly results: RunResults;
  readonly hostSec: number;
}

/** Progress of a running scenario, for a display. */
export interface RunProgress {
  readonly scenario: string;
  readonly simSec: number;
  /** Fraction done when the end is known (durationSec), else contexts finished / total. */
  readonly fraction: number;
}

export interface RunOptions {
  /** Called at every progress sample. */
  readonly onProgress?: (p: RunProgress) => void;
  /** Host clock for hostSec (default performance.now); injectable for tests. */
  readonly now?: () => number;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const round3 = (x: number): number => Math.round(x * 1e3) / 1e3;

function curveOut(c: HitRatioCurve): CurvePointOut[] {
  const out: CurvePointOut[] = [];
  for (let i = 0; i < c.length; i++) out.push({ size: c.size(i), hitRatio: round6(c.hitRatio(i)) });
  return out;
}

interface Guest {
  readonly spec: ExpandedContext;
  readonly xid: number;
  /** The context's workloads: its own first, then those started alongside it. */
  readonly instances: readonly WorkloadInstance[];
  started: boolean;
  startNs: number;
  lastExitNs: number;
  /** Tasks that ever ran in the context (faults and CPU time are summed over them). */
  readonly seen: Set<Task>;
  killed: number;
  peakEntities: number;
  readonly curves: CurveSample[];
  readonly progress: ProgressSample[];
}

function sumTasks(g: Guest): { minflt: number; majflt: number; cpuNs: number } {
  let minflt = 0;
  let majflt = 0;
  let cpuNs = 0;
  for (const t of g.seen) {
    minflt += t.minFlt;
    majflt += t.majFlt;
    cpuNs += t.utimeNs + t.stimeNs;
  }
  return { minflt, majflt, cpuNs };
}

/**
 * Runs one scenario (an input object, or one already parsed) to its results on this thread.
 */
export function runScenario(input: ScenarioInput | Scenario, options: RunOptions = {}): RunOutcome {
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const s = 'machineConfig' in input ? input : parseScenario(input);
  const guests = expandContexts(s);

  const machine = createMachine(s.machineConfig);
  const kernel = new Kernel({
    machine,
    ...(s.kernel.swapMiB !== undefined ? { swapBytes: s.kernel.swapMiB * 1024 * 1024 } : {}),
    ...(s.kernel.swappiness !== undefined ? { swappiness: s.kernel.swappiness } : {}),
  });
  const host = new VServerHost(kernel, {
    cvhrc: {
      enabled: s.tracking.enabled,
      scanList: s.tracking.scanList,
      ...(s.tracking.group !== undefined ? { group: s.tracking.group } : {}),
      ...(s.tracking.scanIntervalMs !== undefined
        ? { scanIntervalMs: s.tracking.scanIntervalMs }
        : {}),
      oracle: s.tracking.oracle,
    },
    watchdog: { enabled: s.watchdog.enabled },
  });
  const scheduler = new Scheduler(kernel);

  const byXid = new Map<number, Guest>();
  const list: Guest[] = guests.map((spec) => {
    const instances = [{ workload: spec.workload, params: spec.params }, ...spec.alongside].map(
      (w, k) => {
        try {
          return getWorkload(w.workload).instantiate(w.params, {
            seed: (s.seed * 1_000_003 + spec.index * 7919 + k * 104_729) >>> 0,
            root: k === 0 ? `/vservers/${spec.name}` : `/vservers/${spec.name}/w${k}`,
            machineMemoryBytes: s.machineConfig.memory.bytes,
          });
        } catch (e) {
          if (!(e instanceof WorkloadParamError)) throw e;
          // Named by its place in the scenario, as parseScenario names a field.
          const at = k === 0 ? spec.path : `${spec.path}.alongside[${k - 1}]`;
          throw new ScenarioError([workloadIssue(e, at)]);
        }
      },
    );
    const ctx = host.createContext();
    if (spec.limits.rssPages !== undefined) host.setLimit(ctx.xid, 'RSS', spec.limits.rssPages);
    if (spec.limits.vmPages !== undefined) host.setLimit(ctx.xid, 'VM', spec.limits.vmPages);
    for (const inst of instances) inst.setup(kernel);
    const g: Guest = {
      spec,
      xid: ctx.xid,
      instances,
      started: false,
      startNs: spec.startSec * NS,
      lastExitNs: 0,
      seen: new Set(),
      killed: 0,
      peakEntities: 0,
      curves: [],
      progress: [],
    };
    byXid.set(ctx.xid, g);
    return g;
  });

  // Every task of a guest is remembered at creation, so faults and CPU time of short-lived
  // children count; exits set the guest's finishing time. The host's own hooks run too.
  const prevCreated = kernel.hooks.taskCreated;
  kernel.hooks.taskCreated = (task, parent) => {
    prevCreated?.(task, parent);
    byXid.get(host.xidOf(task))?.seen.add(task);
  };
  const prevExited = kernel.hooks.taskExited;
  kernel.hooks.taskExited = (task) => {
    const g = byXid.get(host.xidOf(task));
    if (g !== undefined) {
      g.lastExitNs = kernel.clock.now;
      if (task.killed) g.killed++;
    }
    prevExited?.(task);
  };

  const start = (g: Guest): void => {
    g.started = true;
    g.startNs = kernel.clock.now;
    for (const inst of g.instances)
      g.seen.add(host.spawn(scheduler, g.xid, inst.program, inst.comm));
  };
  const live = (g: Guest): boolean => {
    const ctx = host.context(g.xid);
    return ctx !== undefined && ctx.tasks.size > 0;
  };

  const endNs = (s.durationSec ?? s.maxSec) * NS;
  const sampleNs = s.sampleEverySec * NS;
  const curveTimes = s.curvesAtSec.map((t) => t * NS);
  let nextSample = sampleNs;
  let nextCurve = 0;

  const takeCurves = (atNs: number): void => {
    for (const g of list) {
      if (!s.tracking.enabled) continue;
      const h = host.hrc(g.xid);
      const sample: CurveSample = {
        atSec: round3(atNs / NS),
        cvhrc: curveOut(h.curve),
        pageNeed: h.pageNeed,
        ...(h.oracle !== undefined
          ? {
              exact: curveOut(h.oracle.curve),
              exactPageNeed: h.oracle.pageNeed,
              mae: round6(h.oracle.mae),
            }
          : {}),
      };
      g.curves.push(sample);
    }
  };
  const sample = (atNs: number): void => {
    let done = 0;
    for (const g of list) {
      const sum = sumTasks(g);
      g.peakEntities = Math.max(g.peakEntities, host.trackerOf(g.xid)?.size ?? 0);
      g.progress.push({
        tSec: round3(atNs / NS),
        cpuSec: round3(sum.cpuNs / NS),
        rssPages: host.usage(g.xid, 'RSS').cur,
        majorFaults: sum.majflt,
      });
      if (g.started && !live(g)) done++;
    }
    options.onProgress?.({
      scenario: s.name,
      simSec: atNs / NS,
      fraction: s.durationSec !== undefined ? Math.min(1, atNs / endNs) : done / list.length,
    });
  };

  for (const g of list) if (g.startNs === 0) start(g);

  let rebooted: boolean;
  for (;;) {
    const pendingStart = list.reduce((m, g) => (g.started ? m : Math.min(m, g.startNs)), Infinity);
    const target = Math.min(
      endNs,
      nextSample,
      nextCurve < curveTimes.length ? curveTimes[nextCurve]! : Infinity,
      pendingStart,
    );
    const r = scheduler.run(target);
    const t = kernel.clock.now;
    rebooted = host.rebooted;
    while (nextCurve < curveTimes.length && curveTimes[nextCurve]! <= t) {
      takeCurves(curveTimes[nextCurve]!);
      nextCurve++;
    }
    if (t >= nextSample) {
      sample(t);
      while (nextSample <= t) nextSample += sampleNs;
    }
    for (const g of list) if (!g.started && g.startNs <= t) start(g);
    if (rebooted) break;
    if (t >= endNs) break;
    if (r.finished && list.every((g) => g.started)) {
      if (s.durationSec === undefined) break;
      // A fixed-duration run whose tasks all ended: nothing more will happen.
      break;
    }
  }
  const endT = kernel.clock.now;
  // Curves asked for at times the run did not reach (it finished earlier) are taken at the
  // end; with tracking on, the end of the run always gets its curve.
  if (s.tracking.enabled && (nextCurve < curveTimes.length || curveTimes.at(-1) !== endT)) {
    takeCurves(endT);
  }
  if (list.length > 0 && (list[0]!.progress.at(-1)?.tSec ?? -1) !== round3(endT / NS)) {
    sample(endT);
  }

  const contexts: ContextResult[] = list.map((g) => {
    const sum = sumTasks(g);
    const finished = g.started && !live(g);
    const h = s.tracking.enabled ? host.hrc(g.xid) : undefined;
    return {
      name: g.spec.name,
      xid: g.xid,
      workload: [g.spec.workload, ...g.spec.alongside.map((w) => w.workload)].join('+'),
      params: g.spec.params,
      finished,
      runtimeSec: finished ? round3((g.lastExitNs - g.startNs) / NS) : null,
      tasks: g.seen.size,
      minorFaults: sum.minflt,
      majorFaults: sum.majflt,
      cpuSec: round3(sum.cpuNs / NS),
      peakRssPages: host.usage(g.xid, 'RSS').max,
      killed: g.killed,
      curves: g.curves,
      ...(h !== undefined
        ? {
            tracker: {
              peakEntities: Math.max(g.peakEntities, h.entities),
              counters: { ...h.counters },
              space: {
                staticBytes: h.space.staticBytes,
                bytesPerNode: h.space.bytesPerNode,
                nodeCapacity: h.space.nodeCapacity,
                nodes: h.space.nodes,
                nodeBytes: h.space.nodeBytes,
                totalBytes: h.space.totalBytes,
              },
            },
          }
        : {}),
      progress: g.progress,
      output: g.instances.flatMap((inst) => [...inst.results()]),
    };
  });
  const allFinished = contexts.every((c) => c.finished);
  const results: RunResults = {
    scenario: s.name,
    seed: s.seed,
    tracking: s.tracking.enabled,
    simulatedSec: round3(endT / NS),
    finished: allFinished,
    makespanSec: allFinished ? round3(Math.max(...list.map((g) => g.lastExitNs)) / NS) : null,
    contexts,
    watchdog: host.watchdogLog().map((e) => ({
      tSec: round3(e.timeNs / NS),
      level: e.level,
      xid: e.xid ?? null,
      reason: e.reason,
    })),
    rebooted,
    kernel: {
      oomKills: kernel.oomKills.length,
      pswpin: kernel.vm.pswpin,
      pswpout: kernel.vm.pswpout,
    },
  };
  return { results, hostSec: round3((now() - t0) / 1000) };
}
