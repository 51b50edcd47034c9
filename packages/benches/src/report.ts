/**
 * The reproduction's outputs from its runs: results.json (deterministic), report.md, CSV
 * files, and the data of the plots (drawn by the CLI).
 */
import {
  figures,
  table2,
  table3,
  thrashTable,
  type ExperimentPart,
  type ExperimentSettings,
  type FigureOut,
  type PlannedRun,
  type Table2,
  type Table3Row,
  type ThrashRow,
} from './experiments.js';
import { formatMinSec } from './paper.js';
import type { RunResults } from './runner.js';

/** results.json. */
export interface ReproductionResults {
  readonly settings: {
    readonly mode: 'full' | 'quick';
    readonly label: string;
    readonly seeds: number;
    readonly parts: readonly ExperimentPart[];
    readonly machine: Readonly<Record<string, unknown>>;
    readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  };
  readonly table3: readonly Table3Row[];
  readonly thrashing: readonly ThrashRow[];
  readonly table2: Table2 | null;
  readonly figures: Readonly<Record<string, FigureOut>>;
  /** Every run's key and its results, in plan order. */
  readonly runs: readonly { readonly key: string; readonly results: RunResults }[];
}

/** A plot for the CLI to draw. */
export interface PlotSpec {
  readonly file: string;
  readonly kind: 'hrc' | 'bars';
  readonly title: string;
  readonly curves?: readonly {
    readonly label: string;
    readonly points: readonly { size: number; hitRatio: number }[];
  }[];
  readonly markers?: readonly { readonly label: string; readonly size: number }[];
  readonly bars?: readonly {
    readonly group: string;
    readonly series: string;
    readonly value: number;
  }[];
  readonly yTitle?: string;
}

export interface Reproduction {
  readonly results: ReproductionResults;
  readonly reportMd: string;
  readonly csv: Readonly<Record<string, string>>;
  readonly plots: readonly PlotSpec[];
}

const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB`;
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MB`;
const pct = (x: number): string => `${x.toFixed(1)} %`;

function mdTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function csvOf(
  head: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  return (
    [
      head.join(','),
      ...rows.map((r) => r.map((c) => (c === null ? '' : String(c))).join(',')),
    ].join('\n') + '\n'
  );
}

/** Builds every output of a reproduction from its plan and the results of its runs. */
export function buildReproduction(
  st: ExperimentSettings,
  parts: readonly ExperimentPart[],
  runs: readonly PlannedRun[],
  results: readonly RunResults[],
): Reproduction {
  if (runs.length !== results.length) {
    throw new Error(`buildReproduction: ${runs.length} runs but ${results.length} results`);
  }
  const t3 = parts.includes('table3') ? table3(runs, results) : [];
  const thr = parts.includes('table3') ? thrashTable(runs, results) : [];
  const t2 = parts.includes('table2') ? table2(runs, results) : null;
  const figs = parts.includes('figures') ? figures(runs, results) : [];
  const figMap: Record<string, FigureOut> = {};
  for (const f of figs) figMap[f.id] = f;

  const res: ReproductionResults = {
    settings: {
      mode: st.quick ? 'quick' : 'full',
      label: st.label,
      seeds: st.seeds,
      parts: [...parts],
      machine: st.machine,
      params: st.params,
    },
    table3: t3,
    thrashing: thr,
    table2: t2,
    figures: figMap,
    runs: runs.map((r, i) => ({ key: r.key, results: results[i]! })),
  };

  const md: string[] = [];
  const csv: Record<string, string> = {};
  const plots: PlotSpec[] = [];
  md.push(`# CvHRC: the paper's experiments, reproduced`);
  md.push('');
  md.push(`Settings: **${st.label}**.`);
  if (st.quick) {
    md.push('');
    md.push(
      "> **Quick mode.** A smaller machine and smaller workloads: the figures below show the shape of the results, not the paper's numbers. Run without `--quick` for the full reproduction.",
    );
  }
  md.push('');
  md.push(
    'Every figure here is simulated time on the emulated 2007 host (Linux 2.6.17 + Linux-VServer model), ' +
      'so a run gives the same numbers on any machine. Host time is in `timing.json`.',
  );

  if (t2 !== null) {
    md.push('', '## Table 2 — space overhead per VM', '');
    md.push(
      mdTable(
        ['part', 'ours', 'paper'],
        [
          [
            'static (scan-list slots; created with the VM)',
            kb(t2.staticBytes),
            kb(t2.paper.staticBytes),
          ],
          ['per LRU-list node', `${t2.bytesPerNode.toFixed(1)} B`, `${t2.paper.bytesPerNode} B`],
          [
            `per VM with an ${t2.scanList}-entry scan list`,
            kb(t2.perVmAtScanListBytes),
            `about ${kb(t2.paper.perVmBytes)}`,
          ],
          [`${t2.vms} VMs`, mb(t2.totalForVmsBytes), `about ${mb(t2.paper.totalBytes)}`],
        ],
      ),
    );
    md.push('');
    md.push(
      mdTable(
        ['program (1 VM)', 'most entities tracked at once', 'static + per node × entities'],
        t2.perWorkload.map((w) => [w.workload, w.peakNodes, kb(w.bytesAtPeak)]),
      ),
    );
    md.push('');
    md.push(
      "The static part is what a tracker allocates when its context is created; the per-node figure is the bytes of every structure that grows with the tracked entities (the tracker's own `spaceReport()`), divided by its node capacity.",
    );
    csv['table2.csv'] = csvOf(
      ['part', 'ours_bytes', 'paper_bytes'],
      [
        ['static', t2.staticBytes, t2.paper.staticBytes],
        ['per_node', t2.bytesPerNode, t2.paper.bytesPerNode],
        ['per_vm_8192', t2.perVmAtScanListBytes, t2.paper.perVmBytes],
        [`total_${t2.vms}_vms`, t2.totalForVmsBytes, t2.paper.totalBytes],
      ],
    );
  }

  if (t3.length > 0) {
    md.push('', '## Table 3 — run time without and with CvHRC', '');
    md.push(
      `Mean of ${st.seeds} seed(s) per cell; a run's time is the time until the last of its VMs finished. ` +
        "Overhead = (with − without) / without, the formula the paper's figures follow (see the package README).",
    );
    md.push('');
    md.push(
      mdTable(
        [
          'VMs',
          'program',
          'Linux+VServer',
          '+CvHRC',
          'overhead',
          'paper: without',
          'paper: with',
          'paper: overhead',
        ],
        t3.map((r) => [
          r.vms,
          r.workload,
          formatMinSec(r.withoutSec),
          formatMinSec(r.withSec),
          pct(r.overheadPerVmPct),
          r.paper ? formatMinSec(r.paper.withoutSec) : '',
          r.paper ? formatMinSec(r.paper.withSec) : '',
          r.paper ? pct(r.paper.overheadPct) : '',
        ]),
      ),
    );
    md.push(
      '',
      '### Scaling with the number of VMs (predictions: only the 1-VM times were calibrated)',
      '',
    );
    md.push(
      mdTable(
        ['program', 'VMs', 'ours: time / 1-VM time', 'paper'],
        t3
          .filter((r) => r.vms > 1)
          .map((r) => [
            r.workload,
            r.vms,
            `${r.ratioTo1Vm.toFixed(2)}×`,
            r.paper ? `${r.paper.ratioTo1Vm.toFixed(2)}×` : '',
          ]),
      ),
    );
    csv['table3.csv'] = csvOf(
      [
        'vms',
        'workload',
        'without_sec',
        'with_sec',
        'overhead_pct',
        'ratio_to_1vm',
        'paper_without_sec',
        'paper_with_sec',
        'paper_overhead_pct',
      ],
      t3.map((r) => [
        r.vms,
        r.workload,
        r.withoutSec,
        r.withSec,
        r.overheadPerVmPct,
        r.ratioTo1Vm,
        r.paper?.withoutSec ?? null,
        r.paper?.withSec ?? null,
        r.paper?.overheadPct ?? null,
      ]),
    );
    plots.push({
      file: 'table3.svg',
      kind: 'bars',
      title: `Table 3: run time (s), ours and the paper's — ${st.quick ? 'quick' : 'full'}`,
      yTitle: 'run time (s)',
      bars: t3.flatMap((r) => [
        { group: `${r.workload} ×${r.vms}`, series: 'ours: Linux+VServer', value: r.withoutSec },
        { group: `${r.workload} ×${r.vms}`, series: 'ours: +CvHRC', value: r.withSec },
        ...(r.paper
          ? [
              {
                group: `${r.workload} ×${r.vms}`,
                series: 'paper: Linux+VServer',
                value: r.paper.withoutSec,
              },
              { group: `${r.workload} ×${r.vms}`, series: 'paper: +CvHRC', value: r.paper.withSec },
            ]
          : []),
      ]),
    });
  }

  if (thr.length > 0) {
    md.push('', '### Where thrashing or starvation begins', '');
    md.push(
      `Without CvHRC, one seed; a run may take up to ${st.thrashMaxSec} simulated seconds. A VM *stalls* when it gets under 1 % of a CPU over a progress interval while another VM gets more; *starvation*: a VM stalled for 60 s or more; *thrashing*: over 50 major faults per VM per second, or a run that did not finish. The paper saw it from 4 VMs (Lmbench-Mem) and 5 VMs (kernel compile).`,
    );
    md.push('');
    md.push(
      mdTable(
        [
          'program',
          'VMs',
          'finished',
          'time',
          'major faults',
          'longest stall per VM (s)',
          'thrashing',
          'starvation',
          'watchdog resets',
        ],
        thr.map((r) => [
          r.workload,
          r.vms,
          r.finished ? 'yes' : 'no',
          r.makespanSec === null
            ? `> ${formatMinSec(r.simulatedSec)}`
            : formatMinSec(r.makespanSec),
          r.majorFaults,
          r.perVm.map((v) => v.longestStallSec.toFixed(0)).join(' / '),
          r.thrashing ? 'yes' : 'no',
          r.starvation ? 'yes' : 'no',
          r.watchdogResets,
        ]),
      ),
    );
    for (const w of ['lmbench-mem', 'kernel-compile']) {
      const first = thr.find((r) => r.workload === w && (r.thrashing || r.starvation));
      md.push('');
      md.push(
        `- ${w}: ${first === undefined ? `no thrashing or starvation up to ${Math.max(...thr.filter((r) => r.workload === w).map((r) => r.vms))} VMs` : `thrashing or starvation from ${first.vms} VMs`} (paper: from ${first?.paperThrashingFrom ?? (w === 'lmbench-mem' ? 4 : 5)} VMs).`,
      );
    }
    csv['thrashing.csv'] = csvOf(
      [
        'workload',
        'vms',
        'finished',
        'makespan_sec',
        'simulated_sec',
        'major_faults',
        'thrashing',
        'starvation',
        'watchdog_resets',
      ],
      thr.map((r) => [
        r.workload,
        r.vms,
        r.finished ? 1 : 0,
        r.makespanSec,
        r.simulatedSec,
        r.majorFaults,
        r.thrashing ? 1 : 0,
        r.starvation ? 1 : 0,
        r.watchdogResets,
      ]),
    );
    // Per-VM progress over time for the runs with the most VMs.
    const progressRows: (string | number)[][] = [];
    runs.forEach((r, i) => {
      if (r.part !== 'thrash') return;
      for (const c of results[i]!.contexts) {
        for (const p of c.progress)
          progressRows.push([
            r.workload,
            r.vms,
            c.name,
            p.tSec,
            p.cpuSec,
            p.rssPages,
            p.majorFaults,
          ]);
      }
    });
    csv['progress.csv'] = csvOf(
      ['workload', 'vms', 'vm', 't_sec', 'cpu_sec', 'rss_pages', 'major_faults'],
      progressRows,
    );
  }

  if (figs.length > 0) {
    md.push('', '## Figures 3–5 — CvHRC and the exact curve', '');
    md.push(
      mdTable(
        ['figure', 'what', 'page need (CvHRC)', 'page need (exact)', 'MAE'],
        figs.map((f) => [f.id, f.title, f.pageNeed, f.exactPageNeed, f.mae.toFixed(4)]),
      ),
    );
    md.push('');
    md.push(
      'Curves are cumulative from the start of the VM; the exact curve is the LRU stack-distance curve of every page reference the VM made (the oracle). Page need: the smallest size past which the curve gains less than 10⁻⁵ hit ratio per page.',
    );
    for (const f of figs) {
      md.push('', `![${f.title}](${f.id}.svg)`);
      csv[`${f.id}.csv`] = csvOf(
        ['method', 'size', 'hit_ratio'],
        [
          ...f.cvhrc.map((p) => ['cvhrc', p.size, p.hitRatio]),
          ...f.exact.map((p) => ['exact', p.size, p.hitRatio]),
        ],
      );
      plots.push({
        file: `${f.id}.svg`,
        kind: 'hrc',
        title: `${f.id}: ${f.title}${st.quick ? ' (quick)' : ''}`,
        curves: [
          { label: 'CvHRC', points: f.cvhrc },
          { label: 'exact LRU', points: f.exact },
        ],
        markers: [
          { label: 'page need (CvHRC)', size: f.pageNeed },
          { label: 'page need (exact)', size: f.exactPageNeed },
        ],
      });
    }
  }
  if (t3.length > 0) md.push('', '![Table 3](table3.svg)');
  md.push('');
  return { results: res, reportMd: md.join('\n'), csv, plots };
}
