import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import {
  EXPERIMENT_PARTS,
  getPreset,
  parseScenario,
  presetNames,
  PRESETS,
  runScenario,
  ScenarioError,
  formatMinSec,
  type ExperimentPart,
  type PlotSpec,
  type RunResults,
  type Scenario,
} from '@cvhrc/benches';
import { reproduce } from '@cvhrc/benches/node';
import type { Context } from '../program.js';
import { positiveInt } from '../program.js';
import { CliError } from '../errors.js';
import {
  checkWritable,
  checkWritableDir,
  formatDuration,
  formatTable,
  readReason,
  writeFileAtomic,
} from '../output.js';
import { Progress } from '../progress.js';
import { renderBarsSvg, renderHrcSvg } from '../plot.js';

function parseParts(value: string): ExperimentPart[] {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of parts) {
    if (!(EXPERIMENT_PARTS as readonly string[]).includes(p)) {
      throw new InvalidArgumentError(
        `"${p}" is not a part; choose from ${EXPERIMENT_PARTS.join(', ')}`,
      );
    }
  }
  if (parts.length === 0) throw new InvalidArgumentError('name at least one part');
  return EXPERIMENT_PARTS.filter((p) => parts.includes(p));
}

async function renderPlot(p: PlotSpec): Promise<string> {
  if (p.kind === 'bars') {
    return renderBarsSvg({ title: p.title, yTitle: p.yTitle ?? '', bars: p.bars ?? [] });
  }
  return renderHrcSvg({ title: p.title, curves: p.curves ?? [], markers: p.markers ?? [] });
}

interface ReproduceOptions {
  quick?: boolean;
  out: string;
  only?: ExperimentPart[];
  workers?: number;
  seeds?: number;
  quiet?: boolean;
  json?: boolean;
}

function printRunResults(ctx: Context, r: RunResults, hostSec: number): void {
  const rows = r.contexts.map((c) => [
    c.name,
    String(c.xid),
    c.workload,
    c.finished ? 'yes' : 'no',
    c.runtimeSec === null ? '-' : `${c.runtimeSec.toFixed(1)} (${formatMinSec(c.runtimeSec)})`,
    String(c.minorFaults),
    String(c.majorFaults),
    String(c.peakRssPages),
    c.curves.length > 0 ? String(c.curves.at(-1)!.pageNeed) : '-',
    c.curves.length > 0 && c.curves.at(-1)!.exactPageNeed !== undefined
      ? String(c.curves.at(-1)!.exactPageNeed)
      : '-',
    c.curves.length > 0 && c.curves.at(-1)!.mae !== undefined
      ? c.curves.at(-1)!.mae!.toFixed(4)
      : '-',
  ]);
  ctx.io.out(
    `${r.scenario}: ${r.simulatedSec.toFixed(1)} simulated s, ${r.finished ? 'finished' : 'stopped'}` +
      `${r.rebooted ? ' (node reboot by the watchdog)' : ''}; host ${hostSec.toFixed(1)} s\n`,
  );
  ctx.io.out(
    formatTable(
      [
        'context',
        'xid',
        'workload',
        'done',
        'run time s',
        'minflt',
        'majflt',
        'peak RSS pg',
        'need',
        'exact need',
        'MAE',
      ],
      rows,
    ),
  );
  for (const e of r.watchdog) {
    ctx.io.out(`watchdog ${e.tSec.toFixed(0)} s ${e.level}: ${e.reason}\n`);
  }
}

export function registerReproduce(program: Command, ctx: Context): void {
  program
    .command('reproduce')
    .description(
      "run the paper's experiments (Table 2, Table 3, Figures 3-5), print our tables beside the paper's and write the report",
    )
    .option('--quick', 'smaller settings that finish in about a minute (labelled everywhere)')
    .option(
      '--out <dir>',
      'directory for report.md, results.json, CSV and SVG files',
      'reproduction',
    )
    .option('--only <parts>', `comma-separated parts: ${EXPERIMENT_PARTS.join(',')}`, parseParts)
    .option('--workers <n>', 'worker threads (default: the number of cores)', positiveInt)
    .option(
      '--seeds <n>',
      'seeds per Table 3 cell (default 5; quick 2); labelled when changed',
      positiveInt,
    )
    .option('--quiet', 'no progress display')
    .option('--json', 'print results.json to stdout instead of the tables')
    .action(async (opts: ReproduceOptions) => {
      const dir = resolve(ctx.cwd, opts.out);
      // The output directory is made and tried before the runs, not after them.
      checkWritableDir(dir);
      let total = 1;
      const bar = Progress.for(
        ctx.io,
        opts.quick ? 'reproduce --quick' : 'reproduce',
        1,
        opts.quiet ?? false,
      );
      const { reproduction, timing } = await reproduce({
        quick: opts.quick ?? false,
        ...(opts.only !== undefined ? { only: opts.only } : {}),
        ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
        ...(opts.seeds !== undefined ? { seeds: opts.seeds } : {}),
        onRunDone: (done, n, key, hostSec, { fraction, leftSec }) => {
          total = n;
          bar.update(done === total ? 1 : fraction);
          // Without a terminal (CI logs), one line per finished run instead of a bar.
          if (!ctx.io.errIsTty && !(opts.quiet ?? false)) {
            const left =
              done < n ? `; ${leftSec >= 60 ? 'about ' : ''}${formatDuration(leftSec)} left` : '';
            ctx.io.err(`reproduce: ${done}/${n} ${key} (${hostSec.toFixed(1)} s host${left})\n`);
          }
        },
      });
      bar.done();
      // Every file is rendered first, then written whole (temp file + rename).
      const files: [string, string][] = [
        ['results.json', JSON.stringify(reproduction.results, null, 2) + '\n'],
        ['report.md', reproduction.reportMd],
        ['timing.json', JSON.stringify(timing, null, 2) + '\n'],
        ...Object.entries(reproduction.csv),
      ];
      for (const p of reproduction.plots) files.push([p.file, await renderPlot(p)]);
      for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
      if (opts.json) {
        ctx.io.out(JSON.stringify(reproduction.results) + '\n');
        return;
      }
      ctx.io.out(reproduction.reportMd.replace(/^!\[.*$/gm, '').replace(/\n{3,}/g, '\n\n'));
      ctx.io.out(
        `\nWrote ${files.length} files to ${dir} (report.md, results.json, ${Object.keys(reproduction.csv).length} CSV, ${reproduction.plots.length} SVG); ` +
          `${timing.runs.length} runs on ${timing.workers} worker(s) in ${timing.wallSec.toFixed(1)} s host time.\n`,
      );
    });

  program
    .command('presets')
    .description('list the named scenarios `cvhrc run` accepts')
    .option('--json', 'print the presets as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        ctx.io.out(JSON.stringify(Object.fromEntries(PRESETS)) + '\n');
        return;
      }
      ctx.io.out(
        formatTable(
          ['preset', 'description'],
          presetNames().map((n) => [n, getPreset(n).description ?? '']),
        ),
      );
    });

  program
    .command('run')
    .description('run a scenario (a JSON file or a preset name) and print per-context results')
    .argument('<scenario>', 'a scenario JSON file, or a preset name (see `cvhrc presets`)')
    .option('--seed <n>', 'override the scenario seed', (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new InvalidArgumentError('must be a non-negative integer');
      }
      return n;
    })
    .option('--json', 'print the results as one JSON object')
    .option('--out <file>', 'also write the results JSON to a file')
    .option('--quiet', 'no progress display')
    .action(
      (arg: string, opts: { seed?: number; json?: boolean; out?: string; quiet?: boolean }) => {
        let scenario: Scenario;
        const isFile = arg.endsWith('.json') || arg.includes('/');
        const source = isFile ? arg : `preset ${arg}`;
        if (isFile) {
          const path = resolve(ctx.cwd, arg);
          let text: string;
          try {
            text = readFileSync(path, 'utf8');
          } catch (e) {
            throw new CliError(`cannot read scenario ${arg}: ${readReason(e)}`);
          }
          scenario = parseScenario(text, arg);
        } else {
          scenario = parseScenario(getPreset(arg), source);
        }
        if (opts.seed !== undefined) scenario = { ...scenario, seed: opts.seed };
        if (opts.out !== undefined) checkWritable(resolve(ctx.cwd, opts.out));
        const bar = Progress.for(ctx.io, scenario.name, 1, opts.quiet ?? false);
        let outcome: ReturnType<typeof runScenario>;
        try {
          outcome = runScenario(scenario, { onProgress: (p) => bar.update(p.fraction) });
        } catch (e) {
          // A workload's own check when it is made names the field, not the file.
          if (e instanceof ScenarioError && e.source === undefined) {
            throw new ScenarioError(e.issues, source);
          }
          throw e;
        } finally {
          bar.done();
        }
        const json = JSON.stringify(outcome.results);
        if (opts.out !== undefined) writeFileAtomic(resolve(ctx.cwd, opts.out), json + '\n');
        if (opts.json) {
          ctx.io.out(json + '\n');
          return;
        }
        printRunResults(ctx, outcome.results, outcome.hostSec);
      },
    );
}
