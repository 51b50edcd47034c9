import { describe, expect, it } from 'vitest';
import {
  buildReproduction,
  experimentSettings,
  planReproduction,
  table3,
  thrashTable,
  type ContextResult,
  type PlannedRun,
  type RunResults,
} from '../src/index.js';

function ctx(
  name: string,
  runtimeSec: number | null,
  progress: [number, number][] = [],
): ContextResult {
  return {
    name,
    xid: 100,
    workload: 'w',
    params: {},
    finished: runtimeSec !== null,
    runtimeSec,
    tasks: 1,
    minorFaults: 10,
    majorFaults: 0,
    cpuSec: progress.at(-1)?.[1] ?? 0,
    peakRssPages: 100,
    killed: 0,
    curves: [],
    progress: progress.map(([tSec, cpuSec]) => ({ tSec, cpuSec, rssPages: 1, majorFaults: 0 })),
    output: [],
  };
}

function result(
  makespan: number | null,
  contexts: ContextResult[] = [ctx('vm1', makespan)],
): RunResults {
  return {
    scenario: 's',
    seed: 1,
    tracking: false,
    simulatedSec: makespan ?? 1000,
    finished: makespan !== null,
    makespanSec: makespan,
    contexts,
    watchdog: [],
    rebooted: false,
    kernel: { oomKills: 0, pswpin: 0, pswpout: 0 },
  };
}

describe('planReproduction', () => {
  it('plans every Table 3 cell × seed, the thrashing runs and the figures', () => {
    const st = experimentSettings(false);
    const plan = planReproduction(st, new Set(['table2', 'table3', 'figures'] as const));
    const t3 = plan.filter((r) => r.part === 'table3');
    expect(t3).toHaveLength(2 * 3 * 2 * st.seeds);
    expect(plan.filter((r) => r.part === 'thrash').map((r) => `${r.workload}:${r.vms}`)).toEqual([
      'lmbench-mem:4',
      'lmbench-mem:5',
      'kernel-compile:4',
      'kernel-compile:5',
    ]);
    expect(new Set(plan.map((r) => r.key)).size).toBe(plan.length);
    const f34 = plan.find((r) => r.part === 'figure34')!;
    expect(f34.scenario.curvesAtSec).toEqual([60, 120]);
    expect(f34.scenario.tracking).toMatchObject({ enabled: true, oracle: true, scanList: 8192 });
  });

  it('plans only the tracked one-VM runs for Table 2 alone', () => {
    const plan = planReproduction(experimentSettings(true), new Set(['table2'] as const));
    expect(plan.map((r) => [r.vms, r.tracking])).toEqual([
      [1, true],
      [1, true],
    ]);
  });
});

describe('table3', () => {
  const mk = (workload: string, vms: number, tracking: boolean, seed: number): PlannedRun => ({
    key: `${workload}-${vms}-${tracking}-${seed}`,
    part: 'table3',
    vms,
    workload,
    tracking,
    seed,
    scenario: { name: 'x', contexts: [{ workload }] },
  });

  it('averages seeds, applies the overhead formula and the ratio to one VM', () => {
    const runs = [
      mk('lmbench-mem', 1, false, 1),
      mk('lmbench-mem', 1, false, 2),
      mk('lmbench-mem', 1, true, 1),
      mk('lmbench-mem', 1, true, 2),
      mk('lmbench-mem', 2, false, 1),
      mk('lmbench-mem', 2, true, 1),
    ];
    const res = [result(100), result(110), result(105), result(115), result(210), result(231)];
    const rows = table3(runs, res);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      vms: 1,
      withoutSec: 105,
      withSec: 110,
      seeds: 2,
      unfinished: 0,
    });
    expect(rows[0]!.overheadPerVmPct).toBeCloseTo((5 / 105) * 100, 3);
    expect(rows[1]).toMatchObject({ vms: 2, withoutSec: 210, withSec: 231, ratioTo1Vm: 2 });
    expect(rows[1]!.overheadPerVmPct).toBeCloseTo(10, 6);
    expect(rows[1]!.paper).toMatchObject({ withoutSec: 619, withSec: 653 });
    expect(rows[1]!.paper!.ratioTo1Vm).toBeCloseTo(619 / 328, 3);
  });

  it('leaves unfinished runs out of the means and counts them', () => {
    const runs = [
      mk('kernel-compile', 1, false, 1),
      mk('kernel-compile', 1, false, 2),
      mk('kernel-compile', 1, true, 1),
    ];
    const rows = table3(runs, [result(100), result(null), result(104)]);
    expect(rows[0]).toMatchObject({ withoutSec: 100, withSec: 104, unfinished: 1, seeds: 2 });
  });
});

describe('thrashTable', () => {
  it('finds a VM that made no progress for a minute', () => {
    const run: PlannedRun = {
      key: 'thrash',
      part: 'thrash',
      vms: 2,
      workload: 'lmbench-mem',
      tracking: false,
      seed: 1,
      scenario: { name: 'x', contexts: [{ workload: 'lmbench-mem' }] },
    };
    const busy: [number, number][] = [
      [0, 0],
      [10, 9],
      [20, 18],
      [30, 27],
      [40, 36],
      [50, 45],
      [60, 54],
      [70, 63],
      [80, 72],
    ];
    const stalled: [number, number][] = [
      [0, 0],
      [10, 9],
      [20, 9],
      [30, 9],
      [40, 9],
      [50, 9],
      [60, 9],
      [70, 9],
      [80, 9],
    ];
    const rows = thrashTable(
      [run],
      [result(null, [ctx('vm1', null, busy), ctx('vm2', null, stalled)])],
    );
    expect(rows[0]!.perVm.map((v) => v.longestStallSec)).toEqual([0, 70]);
    expect(rows[0]!.starvation).toBe(true);
    expect(rows[0]!.thrashing).toBe(true);
    // Two VMs that wait together (on the one disk, say) are not starved.
    const both = thrashTable(
      [run],
      [result(null, [ctx('vm1', null, stalled), ctx('vm2', null, stalled)])],
    );
    expect(both[0]!.perVm.map((v) => v.longestStallSec)).toEqual([0, 0]);
    expect(both[0]!.starvation).toBe(false);
  });
});

describe('buildReproduction', () => {
  it('labels quick runs and writes the tables and CSV', () => {
    const st = experimentSettings(true);
    const runs: PlannedRun[] = [false, true].map((tracking) => ({
      key: `k${tracking}`,
      part: 'table3',
      vms: 1,
      workload: 'kernel-compile',
      tracking,
      seed: 1,
      scenario: { name: 'x', contexts: [{ workload: 'kernel-compile' }] },
    }));
    const r = buildReproduction(st, ['table3'], runs, [result(387), result(393)]);
    expect(r.reportMd).toMatch(/Quick mode/);
    expect(r.reportMd).toMatch(/6'27"/);
    expect(r.results.settings.mode).toBe('quick');
    expect(r.results.table3[0]).toMatchObject({
      vms: 1,
      workload: 'kernel-compile',
      withoutSec: 387,
      withSec: 393,
    });
    expect(r.csv['table3.csv']!.split('\n')[0]).toBe(
      'vms,workload,without_sec,with_sec,overhead_pct,ratio_to_1vm,paper_without_sec,paper_with_sec,paper_overhead_pct',
    );
    expect(r.plots.map((p) => p.file)).toEqual(['table3.svg']);
    expect(() => buildReproduction(st, ['table3'], runs, [result(1)])).toThrow(
      /2 runs but 1 results/,
    );
  });
});
