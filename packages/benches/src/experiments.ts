/**
 * The paper's experiments as scenarios (presets) and the tables and figures made from
 * their results: Table 2 (space), Table 3 (run time with and without CvHRC, 1–3 VMs, plus
 * 4 and 5 VMs to see where thrashing starts) and Figures 3–5 (curves).
 */
import { PAPER_TABLE2, PAPER_TABLE3, PAPER_THRASHING, overheadPct } from './paper.js';
import type { RunResults, CurvePointOut } from './runner.js';
import type { ScenarioInput } from './scenario.js';

/** The two Table 3 programs. */
export type Table3Workload = 'lmbench-mem' | 'kernel-compile';
export const TABLE3_WORKLOADS: readonly Table3Workload[] = ['lmbench-mem', 'kernel-compile'];

/** Which experiments to run. */
export type ExperimentPart = 'table2' | 'table3' | 'figures';
export const EXPERIMENT_PARTS: readonly ExperimentPart[] = ['table2', 'table3', 'figures'];

/** Settings of one reproduction: full (the paper's) or quick (smaller, labelled). */
export interface ExperimentSettings {
  readonly quick: boolean;
  /** Label used in every report and file. */
  readonly label: string;
  /** Machine overrides (quick: less RAM so that everything scales down). */
  readonly machine: Readonly<Record<string, unknown>>;
  /** Seeds per Table 3 cell (the paper: 5 runs). */
  readonly seeds: number;
  /** Parameters of each workload. */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** VM counts for Table 3 proper. */
  readonly vms: readonly number[];
  /** VM counts run to look for thrashing/starvation (no tracking, one seed). */
  readonly thrashVms: readonly number[];
  /** Simulated seconds the thrashing runs may take at most. */
  readonly thrashMaxSec: number;
  /** Times of the Figure 3/4 curves (the paper: 1 and 2 minutes). */
  readonly figureTimesSec: readonly number[];
  /** Time of the Figure 5 curve (the paper: 2 minutes). */
  readonly figure5Sec: number;
  /** Period of the progress samples. */
  readonly sampleEverySec: number;
  readonly maxSec: number;
}

const MiB = 1024 * 1024;

/**
 * Workload parameters of the full reproduction, each program's one free knob fitted to the
 * paper's one-VM baseline only (see the package README, "Calibration"):
 * - lmbench's MB (config-run's memory-size answer; the paper does not give it): 379 MB
 *   makes Lmbench-Mem alone take 5'28" of simulated time on the 2 GiB machine;
 * - the kernel compile's cc1 time per byte of source: 28.1 µs makes the compile alone
 *   (make -j2) take 6'27".
 * Lmbench-All uses the same MB.
 */
export const FULL_PARAMS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'lmbench-mem': { mb: 379 },
  'lmbench-all': { mb: 379 },
  'kernel-compile': { compileNsPerByte: 28_100 },
};

/**
 * Workload parameters of the quick reproduction, on a 256 MiB machine: the full run's
 * proportions scaled down — lmbench's MB at the same share of RAM as the full run's 379 MB
 * of 2 GiB (48 MB), ENOUGH of 1 ms instead of 5 ms, and a compile of 40 units with smaller
 * cc1 heaps (2 MiB median) and 300 headers.
 */
export const QUICK_PARAMS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'lmbench-mem': { mb: 48, enoughUs: 1000 },
  'lmbench-all': { mb: 48, enoughUs: 1000 },
  'kernel-compile': { units: 40, headers: 300, cc1HeapMedianMb: 2 },
};

/** The settings of a full or a quick reproduction. */
export function experimentSettings(quick: boolean): ExperimentSettings {
  if (quick) {
    return {
      quick,
      label: 'quick (256 MiB machine, smaller workloads, 2 seeds — not the paper’s settings)',
      machine: { memory: { bytes: 256 * MiB } },
      seeds: 2,
      params: QUICK_PARAMS,
      vms: [1, 2, 3],
      thrashVms: [4, 5],
      thrashMaxSec: 600,
      figureTimesSec: [10, 20],
      figure5Sec: 20,
      sampleEverySec: 2,
      maxSec: 3600,
    };
  }
  return {
    quick,
    label: 'full (the paper’s machine: 2 GiB, dual core; 5 seeds)',
    machine: {},
    seeds: 5,
    params: FULL_PARAMS,
    vms: [1, 2, 3],
    thrashVms: [4, 5],
    thrashMaxSec: 3600,
    figureTimesSec: [60, 120],
    figure5Sec: 120,
    sampleEverySec: 10,
    maxSec: 7200,
  };
}

/** A scenario of the reproduction, with what it stands for. */
export interface PlannedRun {
  readonly key: string;
  readonly part: 'table2' | 'table3' | 'thrash' | 'figure34' | 'figure5';
  readonly vms: number;
  readonly workload: string;
  readonly tracking: boolean;
  readonly seed: number;
  readonly scenario: ScenarioInput;
}

function vmScenario(
  st: ExperimentSettings,
  name: string,
  workload: string,
  vms: number,
  tracking: boolean,
  seed: number,
  extra: Partial<ScenarioInput> = {},
): ScenarioInput {
  return {
    name,
    description: `${vms} VM(s) of ${workload}, CvHRC ${tracking ? 'on' : 'off'}, seed ${seed}; ${st.label}`,
    seed,
    machine: st.machine,
    tracking: { enabled: tracking, scanList: 8192, oracle: false },
    contexts: [{ workload, params: st.params[workload] ?? {}, count: vms }],
    sampleEverySec: st.sampleEverySec,
    maxSec: st.maxSec,
    ...extra,
  };
}

/** Every scenario of a reproduction, in a fixed order. */
export function planReproduction(
  st: ExperimentSettings,
  parts: ReadonlySet<ExperimentPart>,
): PlannedRun[] {
  const runs: PlannedRun[] = [];
  if (parts.has('table3') || parts.has('table2')) {
    for (const workload of TABLE3_WORKLOADS) {
      for (const vms of st.vms) {
        // Table 2 needs only the tracked one-VM runs; Table 3 needs every cell.
        if (!parts.has('table3') && vms !== 1) continue;
        for (const tracking of parts.has('table3') ? [false, true] : [true]) {
          for (let seed = 1; seed <= (parts.has('table3') ? st.seeds : 1); seed++) {
            const key = `table3-${workload}-${vms}vm-${tracking ? 'cvhrc' : 'linux'}-s${seed}`;
            runs.push({
              key,
              part: 'table3',
              vms,
              workload,
              tracking,
              seed,
              scenario: vmScenario(st, key, workload, vms, tracking, seed),
            });
          }
        }
      }
    }
  }
  if (parts.has('table3')) {
    for (const workload of TABLE3_WORKLOADS) {
      for (const vms of st.thrashVms) {
        const key = `thrash-${workload}-${vms}vm`;
        runs.push({
          key,
          part: 'thrash',
          vms,
          workload,
          tracking: false,
          seed: 1,
          scenario: vmScenario(st, key, workload, vms, false, 1, { maxSec: st.thrashMaxSec }),
        });
      }
    }
  }
  if (parts.has('figures')) {
    const key34 = 'figures-3-4-lmbench-mem';
    runs.push({
      key: key34,
      part: 'figure34',
      vms: 1,
      workload: 'lmbench-mem',
      tracking: true,
      seed: 1,
      scenario: {
        ...vmScenario(st, key34, 'lmbench-mem', 1, true, 1),
        tracking: { enabled: true, scanList: 8192, oracle: true },
        curvesAtSec: [...st.figureTimesSec],
        durationSec: Math.max(...st.figureTimesSec),
      },
    });
    const key5 = 'figure-5-lmbench-all-and-kernel-compile';
    runs.push({
      key: key5,
      part: 'figure5',
      vms: 1,
      workload: 'lmbench-all+kernel-compile',
      tracking: true,
      seed: 1,
      scenario: {
        name: key5,
        description: `Lmbench-All and a kernel compile in one VM; ${st.label}`,
        seed: 1,
        machine: st.machine,
        tracking: { enabled: true, scanList: 8192, oracle: true },
        contexts: [
          {
            workload: 'lmbench-all',
            params: st.params['lmbench-all'] ?? {},
            alongside: [{ workload: 'kernel-compile', params: st.params['kernel-compile'] ?? {} }],
          },
        ],
        curvesAtSec: [st.figure5Sec],
        durationSec: st.figure5Sec,
        sampleEverySec: st.sampleEverySec,
        maxSec: st.maxSec,
      },
    });
  }
  return runs;
}

/**
 * A planned run's host time relative to the others (seconds of one core of the reference
 * 2-core machine at full settings, from `timing.json` of a full reproduction), used only to
 * start the longest runs first and to estimate the time left; results do not depend on it.
 * Tracked Lmbench-Mem dominates: every page of a sweep beyond the scan list is a fake fault
 * the emulator handles one by one.
 */
export function estimatedHostCost(run: PlannedRun): number {
  // The figures' runs stop after two simulated minutes.
  if (run.part === 'figure34') return HOST_SEC.figure34;
  if (run.part === 'figure5') return HOST_SEC.figure5;
  const byVms =
    run.workload === 'lmbench-mem'
      ? run.tracking
        ? HOST_SEC.lmbenchTracked
        : HOST_SEC.lmbench
      : run.tracking
        ? HOST_SEC.compileTracked
        : HOST_SEC.compile;
  const n = byVms.length;
  return run.vms <= n ? byVms[run.vms - 1]! : (byVms[n - 1]! / n) * run.vms;
}

/**
 * Host seconds of a run by kind and number of VMs (1, 2, 3; see {@link estimatedHostCost}),
 * the means over seeds from the `timing.json` of a full reproduction on the reference
 * machine (2026-11-27, commit d1dac0e: 753 s on 2 workers). They are not proportional to the
 * VMs: a tracked run's cost per VM grows with the VMs (22, 27 and 34 s for Lmbench-Mem), as
 * their frames interleave and the emulator's per-frame structures are read scattered, and
 * as the VMs share the CPUs, each runs longer in simulated time and is scanned for longer. A
 * run of more VMs is estimated at the 3-VM run's seconds per VM (the 4- and 5-VM runs,
 * untracked, took 31.8 and 41.3 s for Lmbench-Mem, 11.8 and 15.9 s for the compile). With
 * costs proportional to the VMs, the estimate of the time left had been up to 40 % short.
 */
const HOST_SEC = {
  lmbenchTracked: [22.3, 53.3, 100.9],
  lmbench: [7.1, 15.4, 23.0],
  compileTracked: [5.2, 12.7, 21.1],
  compile: [2.8, 5.4, 8.7],
  figure34: 6.5,
  figure5: 2.7,
} as const;

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** One row of our Table 3 (results.json's `table3`). */
export interface Table3Row {
  readonly vms: number;
  readonly workload: Table3Workload;
  /** Mean over seeds of the set's run time (the last VM to finish), without CvHRC. */
  readonly withoutSec: number;
  readonly withSec: number;
  /** (with − without) / without × 100, the formula read from the paper's table. */
  readonly overheadPerVmPct: number;
  readonly seeds: number;
  /** Runs of the cell that did not finish within maxSec (excluded from the means). */
  readonly unfinished: number;
  /** withoutSec divided by the 1-VM withoutSec of the same program. */
  readonly ratioTo1Vm: number;
  readonly paper?: {
    readonly withoutSec: number;
    readonly withSec: number;
    readonly overheadPct: number;
    readonly ratioTo1Vm: number;
  };
}

/** Table 3 from the runs of {@link planReproduction}. */
export function table3(runs: readonly PlannedRun[], results: readonly RunResults[]): Table3Row[] {
  const rows: Table3Row[] = [];
  for (const workload of TABLE3_WORKLOADS) {
    const vmsList = [...new Set(runs.filter((r) => r.part === 'table3').map((r) => r.vms))].sort(
      (a, b) => a - b,
    );
    let base1: number | undefined;
    for (const vms of vmsList) {
      const cell = (tracking: boolean): { times: number[]; unfinished: number } => {
        const times: number[] = [];
        let unfinished = 0;
        runs.forEach((r, i) => {
          if (r.part !== 'table3' || r.workload !== workload || r.vms !== vms) return;
          if (r.tracking !== tracking) return;
          const m = results[i]!.makespanSec;
          if (m === null) unfinished++;
          else times.push(m);
        });
        return { times, unfinished };
      };
      const off = cell(false);
      const on = cell(true);
      if (off.times.length === 0 || on.times.length === 0) continue;
      const withoutSec = mean(off.times);
      const withSec = mean(on.times);
      if (vms === 1) base1 = withoutSec;
      const paper = PAPER_TABLE3.find((p) => p.vms === vms && p.workload === workload);
      const paper1 = PAPER_TABLE3.find((p) => p.vms === 1 && p.workload === workload)!;
      rows.push({
        vms,
        workload,
        withoutSec: round(withoutSec, 3),
        withSec: round(withSec, 3),
        overheadPerVmPct: round(overheadPct(withoutSec, withSec), 3),
        seeds: off.times.length + off.unfinished,
        unfinished: off.unfinished + on.unfinished,
        ratioTo1Vm: base1 === undefined ? 1 : round(withoutSec / base1, 3),
        ...(paper !== undefined
          ? {
              paper: {
                withoutSec: paper.withoutSec,
                withSec: paper.withSec,
                overheadPct: paper.overheadPct,
                ratioTo1Vm: round(paper.withoutSec / paper1.withoutSec, 3),
              },
            }
          : {}),
      });
    }
  }
  return rows;
}

/** Where thrashing or starvation shows, per program and VM count (results.json). */
export interface ThrashRow {
  readonly vms: number;
  readonly workload: Table3Workload;
  readonly finished: boolean;
  readonly makespanSec: number | null;
  readonly simulatedSec: number;
  readonly majorFaults: number;
  /** Per VM: CPU seconds it got over the run, and the longest stretch without progress. */
  readonly perVm: readonly {
    readonly name: string;
    readonly cpuSec: number;
    readonly runtimeSec: number | null;
    readonly longestStallSec: number;
    readonly killed: number;
  }[];
  /** Thrashing: major faults per VM per simulated second above 50, or a VM that stalled. */
  readonly thrashing: boolean;
  readonly starvation: boolean;
  readonly watchdogResets: number;
  readonly rebooted: boolean;
  readonly paperThrashingFrom: number;
}

/** A VM is said to stall when it gets under 1 % of a CPU over a progress interval. */
const STALL_CPU_SHARE = 0.01;

export function thrashTable(
  runs: readonly PlannedRun[],
  results: readonly RunResults[],
): ThrashRow[] {
  const rows: ThrashRow[] = [];
  runs.forEach((r, i) => {
    if (r.part !== 'thrash' && !(r.part === 'table3' && !r.tracking && r.seed === 1)) return;
    const res = results[i]!;
    // progressed[v][k]: VM v got at least STALL_CPU_SHARE of a CPU in interval k (or was done).
    const progressed = res.contexts.map((c) => {
      const out: boolean[] = [];
      for (let k = 1; k < c.progress.length; k++) {
        const a = c.progress[k - 1]!;
        const b = c.progress[k]!;
        const dt = b.tSec - a.tSec;
        const done = c.runtimeSec !== null && b.tSec > c.runtimeSec;
        out.push(done || dt <= 0 || (b.cpuSec - a.cpuSec) / dt >= STALL_CPU_SHARE);
      }
      return out;
    });
    const perVm = res.contexts.map((c, v) => {
      // A stall is an interval without progress while another VM did progress: the VM was
      // left behind (when all wait together, e.g. on the one disk, nobody is starved).
      let stall = 0;
      let longest = 0;
      for (let k = 1; k < c.progress.length; k++) {
        const others = progressed.some((p, w) => w !== v && p[k - 1] === true);
        if (!progressed[v]![k - 1]! && others) {
          stall += c.progress[k]!.tSec - c.progress[k - 1]!.tSec;
          longest = Math.max(longest, stall);
        } else {
          stall = 0;
        }
      }
      return {
        name: c.name,
        cpuSec: c.cpuSec,
        runtimeSec: c.runtimeSec,
        longestStallSec: round(longest, 3),
        killed: c.killed,
      };
    });
    const majorFaults = res.contexts.reduce((a, c) => a + c.majorFaults, 0);
    const starvation = perVm.some((v) => v.longestStallSec >= 60);
    const thrashing =
      majorFaults / Math.max(1, res.contexts.length) / Math.max(1, res.simulatedSec) > 50 ||
      !res.finished;
    rows.push({
      vms: r.vms,
      workload: r.workload as Table3Workload,
      finished: res.finished,
      makespanSec: res.makespanSec,
      simulatedSec: res.simulatedSec,
      majorFaults,
      perVm,
      thrashing,
      starvation,
      watchdogResets: res.watchdog.filter((e) => e.level === 'reset').length,
      rebooted: res.rebooted,
      paperThrashingFrom: PAPER_THRASHING[r.workload as Table3Workload],
    });
  });
  return rows.sort((a, b) => a.workload.localeCompare(b.workload) || a.vms - b.vms);
}

/** Table 2 from the tracked one-VM runs (the trackers' own byte accounting). */
export interface Table2 {
  readonly scanList: number;
  readonly staticBytes: number;
  readonly bytesPerNode: number;
  /** Per program: nodes (tracked entities) at the end of the run and bytes in use then. */
  readonly perWorkload: readonly {
    readonly workload: string;
    /** Most entities tracked at once during the run. */
    readonly peakNodes: number;
    readonly nodeCapacity: number;
    /** static + bytesPerNode × peakNodes. */
    readonly bytesAtPeak: number;
  }[];
  /** static + bytesPerNode × scanList: the paper's "about 500 KB" case. */
  readonly perVmAtScanListBytes: number;
  readonly vms: number;
  readonly totalForVmsBytes: number;
  readonly paper: typeof PAPER_TABLE2;
}

export function table2(runs: readonly PlannedRun[], results: readonly RunResults[]): Table2 | null {
  const per: { workload: string; peakNodes: number; nodeCapacity: number; bytesAtPeak: number }[] =
    [];
  let staticBytes = 0;
  let bytesPerNode = 0;
  for (const workload of TABLE3_WORKLOADS) {
    const i = runs.findIndex(
      (r) => r.part === 'table3' && r.workload === workload && r.vms === 1 && r.tracking,
    );
    if (i < 0) continue;
    const tracker = results[i]!.contexts[0]!.tracker;
    if (tracker === undefined) continue;
    const space = tracker.space;
    staticBytes = space.staticBytes;
    bytesPerNode = space.bytesPerNode;
    per.push({
      workload,
      peakNodes: tracker.peakEntities,
      nodeCapacity: space.nodeCapacity,
      bytesAtPeak: Math.round(space.staticBytes + space.bytesPerNode * tracker.peakEntities),
    });
  }
  if (per.length === 0) return null;
  const perVm = staticBytes + bytesPerNode * 8192;
  return {
    scanList: 8192,
    staticBytes,
    bytesPerNode,
    perWorkload: per,
    perVmAtScanListBytes: perVm,
    vms: PAPER_TABLE2.vms,
    totalForVmsBytes: perVm * PAPER_TABLE2.vms,
    paper: PAPER_TABLE2,
  };
}

/** One figure: curves of one context at one time, tracker and exact. */
export interface FigureOut {
  readonly id: string;
  readonly title: string;
  readonly atSec: number;
  readonly cvhrc: readonly CurvePointOut[];
  readonly exact: readonly CurvePointOut[];
  readonly pageNeed: number;
  readonly exactPageNeed: number;
  readonly mae: number;
}

export function figures(runs: readonly PlannedRun[], results: readonly RunResults[]): FigureOut[] {
  const out: FigureOut[] = [];
  runs.forEach((r, i) => {
    if (r.part !== 'figure34' && r.part !== 'figure5') return;
    const c = results[i]!.contexts[0]!;
    c.curves.forEach((cs, k) => {
      const id = r.part === 'figure5' ? 'figure5' : k === 0 ? 'figure3' : 'figure4';
      const what =
        r.part === 'figure5' ? 'Lmbench-All + kernel compile in one VM' : 'Lmbench-Mem in one VM';
      out.push({
        id,
        title: `${what}, ${cs.atSec} s after the start`,
        atSec: cs.atSec,
        cvhrc: cs.cvhrc,
        exact: cs.exact ?? [],
        pageNeed: cs.pageNeed,
        exactPageNeed: cs.exactPageNeed ?? 0,
        mae: cs.mae ?? 0,
      });
    });
  });
  return out;
}
