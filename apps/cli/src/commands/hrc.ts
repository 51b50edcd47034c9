import { resolve } from 'node:path';
import { type Command, Option, InvalidArgumentError } from 'commander';
import type { HitRatioCurve } from '@cvhrc/core';
import {
  ExactLru,
  TraceHost,
  geometricSizes,
  meanAbsoluteError,
  pageNeed,
  DEFAULT_GROUP_SIZE,
  DEFAULT_SCAN_EVERY,
  DEFAULT_SCAN_LIST_SIZE,
  DEFAULT_SLOPE_THRESHOLD,
  type PageNeedMethod,
} from '@cvhrc/core';
import { ParallelTraceHost } from '@cvhrc/core/parallel';
import { TRACE_FORMATS, type TraceFormat } from '@cvhrc/workloads';
import { readTraceFile, type ReadTraceFileOptions } from '@cvhrc/workloads/node';
import type { Context } from '../program.js';
import { positiveInt } from '../program.js';
import { CliError } from '../errors.js';
import { checkReadableFile, checkWritable, formatTable, writeFileAtomic } from '../output.js';
import { Progress } from '../progress.js';
import { renderHrcSvg } from '../plot.js';

type Method = 'exact' | 'cvhrc' | 'both';

interface HrcOptions {
  format?: TraceFormat;
  method: Method;
  scanList: number;
  group: number;
  scanEvery: number;
  sizes?: number[];
  needMethod: PageNeedMethod;
  threshold: number;
  json?: boolean;
  csv?: boolean;
  out?: string;
  plot?: string;
  quiet?: boolean;
  instructions?: boolean;
  expand?: 'none' | 'pages';
  column?: string;
  delimiter?: string;
  ids?: 'integer' | 'dense';
  oneThread?: boolean;
}

/** The result of `cvhrc hrc`, as printed by `--json`. */
export interface HrcResult {
  trace: string;
  references: number;
  distinct: number;
  curves: { exact?: PointJson[]; cvhrc?: PointJson[] };
  pageNeed: { exact?: number; cvhrc?: number };
  mae?: number;
}

interface PointJson {
  size: number;
  hitRatio: number;
}

function sizeList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (p === '' || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(
        `expected a comma-separated list of positive integers, got "${p}"`,
      );
    }
    out.push(n);
  }
  for (let i = 1; i < out.length; i++) {
    if (out[i]! <= out[i - 1]!) {
      throw new InvalidArgumentError('sizes must be strictly increasing');
    }
  }
  return out;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  }
  return n;
}

export function registerHrc(program: Command, ctx: Context): void {
  program
    .command('hrc')
    .description(
      "hit-ratio curves of a page-reference trace: exact LRU, the CvHRC tracker's, or both, and the page need",
    )
    .argument('<trace>', 'trace file (pages, lackey, csv, vscsi or oracleGeneral; gzip or zstd)')
    .addOption(
      new Option('-f, --format <format>', 'trace format (default: from the file name)').choices(
        TRACE_FORMATS as TraceFormat[],
      ),
    )
    .addOption(
      new Option('-m, --method <method>', 'which curve to compute')
        .choices(['exact', 'cvhrc', 'both'])
        .default('both'),
    )
    .option(
      '--scan-list <n>',
      'tracker: scan-list size in entities',
      positiveInt,
      DEFAULT_SCAN_LIST_SIZE,
    )
    .option(
      '--group <n>',
      'tracker: LRU positions per hit-counter group',
      positiveInt,
      DEFAULT_GROUP_SIZE,
    )
    .option(
      '--scan-every <k>',
      'trace host: references between two scans',
      positiveInt,
      DEFAULT_SCAN_EVERY,
    )
    .option(
      '--sizes <list>',
      'sizes in pages to print, e.g. 1024,4096,16384 (default: a geometric grid)',
      sizeList,
    )
    .addOption(
      new Option('--need-method <method>', 'how the page need is found')
        .choices(['slope', 'kneedle'])
        .default('slope'),
    )
    .option(
      '--threshold <gain>',
      'slope method: hit-ratio gain per page below which the curve is flat',
      positiveNumber,
      DEFAULT_SLOPE_THRESHOLD,
    )
    .option(
      '--one-thread',
      'tracker: run it on this thread alone (by default its protected part runs on a second)',
    )
    .option('--instructions', 'lackey: count instruction fetches too')
    .addOption(
      new Option('--expand <how>', 'vscsi: one reference per request, or per 4 KiB page it covers')
        .choices(['none', 'pages'])
        .default('none'),
    )
    .option('--column <col>', 'csv: the column of the object id (1-based number or header name)')
    .option('--delimiter <char>', 'csv: field delimiter (default ",")')
    .addOption(
      new Option(
        '--ids <how>',
        'csv/oracleGeneral: ids are integers, or any text renumbered densely',
      ).choices(['integer', 'dense']),
    )
    .option('--json', 'print one JSON object')
    .option('--csv', 'print CSV: size and one hit-ratio column per curve')
    .option('-o, --out <file>', 'write the output to FILE instead of stdout')
    .option('--plot <file.svg>', 'also draw the curves as SVG')
    .option('-q, --quiet', 'no progress bar')
    .action(async (trace: string, opts: HrcOptions) => {
      if (opts.json && opts.csv) throw new CliError('choose one of --json and --csv');
      // Where the output goes is checked before the trace is read, not after.
      if (opts.out !== undefined) checkWritable(resolve(ctx.cwd, opts.out));
      if (opts.plot !== undefined) checkWritable(resolve(ctx.cwd, opts.plot));
      const result = await computeHrc(trace, opts, ctx);
      let text: string;
      if (opts.json) text = JSON.stringify(result.json) + '\n';
      else if (opts.csv) text = toCsv(result.json);
      else text = toTable(result.json);
      if (opts.plot !== undefined) {
        const svg = await renderHrcSvg({
          title: `Hit-ratio curve of ${trace}`,
          curves: (['exact', 'cvhrc'] as const)
            .filter((m) => result.full[m] !== undefined)
            .map((m) => ({
              label: m === 'exact' ? 'exact LRU' : 'CvHRC tracker',
              points: result.full[m]!.points(),
            })),
          markers: (['exact', 'cvhrc'] as const)
            .filter((m) => result.json.pageNeed[m] !== undefined)
            .map((m) => ({ label: `need (${m})`, size: result.json.pageNeed[m]! })),
        });
        writeFileAtomic(resolve(ctx.cwd, opts.plot), svg);
      }
      if (opts.out !== undefined) writeFileAtomic(resolve(ctx.cwd, opts.out), text);
      else ctx.io.out(text);
    });
}

async function computeHrc(
  trace: string,
  opts: HrcOptions,
  ctx: Context,
): Promise<{ json: HrcResult; full: { exact?: HitRatioCurve; cvhrc?: HitRatioCurve } }> {
  const path = resolve(ctx.cwd, trace);
  const bytes = checkReadableFile(path, trace);
  const wantExact = opts.method !== 'cvhrc';
  const wantCvhrc = opts.method !== 'exact';
  const exact = wantExact ? new ExactLru() : undefined;
  const hostOptions = {
    scanListSize: opts.scanList,
    groupSize: opts.group,
    scanEvery: opts.scanEvery,
  };
  const host = !wantCvhrc
    ? undefined
    : opts.oneThread === true
      ? new TraceHost(hostOptions)
      : new ParallelTraceHost(hostOptions);
  try {
    return await curvesOf(trace, path, bytes, opts, ctx, exact, host);
  } finally {
    if (host instanceof ParallelTraceHost) host.close();
  }
}

async function curvesOf(
  trace: string,
  path: string,
  bytes: number,
  opts: HrcOptions,
  ctx: Context,
  exact: ExactLru | undefined,
  host: TraceHost | ParallelTraceHost | undefined,
): Promise<{ json: HrcResult; full: { exact?: HitRatioCurve; cvhrc?: HitRatioCurve } }> {
  const column =
    opts.column === undefined
      ? undefined
      : /^\d+$/.test(opts.column)
        ? Number(opts.column)
        : opts.column;
  const readOptions: ReadTraceFileOptions = {
    source: trace,
    reuseBatches: true,
    ...(opts.format !== undefined ? { format: opts.format } : {}),
    ...(opts.instructions ? { instructions: true } : {}),
    ...(opts.expand !== undefined ? { expand: opts.expand } : {}),
    ...(column !== undefined ? { idColumn: column } : {}),
    ...(opts.delimiter !== undefined ? { delimiter: opts.delimiter } : {}),
    ...(opts.ids !== undefined ? { ids: opts.ids } : {}),
  };
  const pages = readTraceFile(path, readOptions);
  const progress = Progress.for(ctx.io, 'reading', bytes, opts.quiet === true);
  try {
    for await (const batch of pages) {
      if (exact) exact.accessAll(batch);
      if (host) host.accessAll(batch);
      progress.update(pages.stats.bytesRead);
    }
  } finally {
    progress.done();
  }
  host?.finish();

  const references = pages.stats.references;
  const distinct = exact?.distinct ?? host!.distinct;
  const sizes = opts.sizes ?? geometricSizes(Math.max(1, distinct), 2);
  const needGrid = geometricSizes(Math.max(1, distinct), 16);
  const full: { exact?: HitRatioCurve; cvhrc?: HitRatioCurve } = {};
  const json: HrcResult = { trace, references, distinct, curves: {}, pageNeed: {} };
  const needOpts = { method: opts.needMethod, threshold: opts.threshold };
  if (exact) {
    full.exact = exact.curve();
    json.curves.exact = exact.curve(sizes).toJSON();
    json.pageNeed.exact = pageNeed(exact.curve(needGrid), needOpts);
  }
  if (host) {
    full.cvhrc = host.curve();
    json.curves.cvhrc = host.curve(sizes).toJSON();
    json.pageNeed.cvhrc = pageNeed(host.curve(needGrid), needOpts);
  }
  if (full.exact && full.cvhrc) json.mae = meanAbsoluteError(full.exact, full.cvhrc, sizes);
  return { json, full };
}

function toCsv(r: HrcResult): string {
  const methods = (['exact', 'cvhrc'] as const).filter((m) => r.curves[m] !== undefined);
  const first = r.curves[methods[0]!]!;
  const lines = [['size', ...methods.map((m) => `${m}_hit_ratio`)].join(',')];
  for (let i = 0; i < first.length; i++) {
    lines.push([first[i]!.size, ...methods.map((m) => r.curves[m]![i]!.hitRatio)].join(','));
  }
  return lines.join('\n') + '\n';
}

function toTable(r: HrcResult): string {
  const methods = (['exact', 'cvhrc'] as const).filter((m) => r.curves[m] !== undefined);
  const first = r.curves[methods[0]!]!;
  const rows = first.map((p, i) => [
    String(p.size),
    ...methods.map((m) => r.curves[m]![i]!.hitRatio.toFixed(4)),
  ]);
  let text = `${r.trace}: ${r.references} references, ${r.distinct} distinct pages\n\n`;
  text += formatTable(['size (pages)', ...methods.map((m) => `${m} hit ratio`)], rows);
  text += '\n';
  for (const m of methods) text += `page need (${m}): ${r.pageNeed[m]} pages\n`;
  if (r.mae !== undefined) text += `mean absolute error, cvhrc vs exact: ${r.mae.toFixed(4)}\n`;
  return text;
}
