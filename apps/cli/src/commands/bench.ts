import type { Command } from 'commander';
import { resolve } from 'node:path';
import { benchMmu } from '@cvhrc/hw';
import { benchMm } from '@cvhrc/mm';
import { ExactLru, TraceHost, ZipfSampler, createRng } from '@cvhrc/core';
import { ParallelTraceHost } from '@cvhrc/core/parallel';
import { readTraceFile } from '@cvhrc/workloads/node';
import type { Context } from '../program.js';
import { positiveInt } from '../program.js';
import { checkReadableFile, formatRate, formatTable } from '../output.js';
import { accuracyTable } from './accuracy.js';
import { benchTracking } from '@cvhrc/vserver';

interface MmuOptions {
  json?: boolean;
  pages: number;
  seed: number;
}

export function registerBench(program: Command, ctx: Context): Command {
  const bench = program
    .command('bench')
    .description('benchmarks that print host-side throughput figures');

  bench
    .command('mmu')
    .description(
      'MMU fast path: page accesses per second over present pages, sequential and random',
    )
    .option('--pages <n>', 'present pages in the page table', positiveInt, 524_288)
    .option('--seed <n>', 'seed of the random order', positiveInt, 1)
    .option('--json', 'print one JSON object')
    .action((opts: MmuOptions) => {
      const r = benchMmu({ pages: opts.pages, seed: opts.seed });
      if (opts.json) {
        ctx.io.out(
          JSON.stringify({
            bench: 'mmu',
            pages: r.pages,
            sequentialPerSec: Math.round(r.sequentialPerSec),
            randomPerSec: Math.round(r.randomPerSec),
          }) + '\n',
        );
        return;
      }
      ctx.io.out(
        `MMU fast path over ${r.pages} present pages (one core, host time):\n` +
          `  sequential  ${formatRate(r.sequentialPerSec)}page accesses/s\n` +
          `  random      ${formatRate(r.randomPerSec)}page accesses/s\n`,
      );
    });
  bench
    .command('mm')
    .description(
      'memory manager on a 2 GiB machine: touches/s with the working set resident, anonymous faults/s, reclaimed pages/s, host bytes per frame',
    )
    .option('--memory <bytes>', 'RAM of the emulated machine in bytes', positiveInt, 2 ** 31)
    .option('--json', 'print one JSON object')
    .action((opts: { memory: number; json?: boolean }) => {
      const r = benchMm({ memoryBytes: opts.memory });
      if (opts.json) {
        ctx.io.out(
          JSON.stringify({
            bench: 'mm',
            touchPerSec: Math.round(r.touchPerSec),
            anonFaultsPerSec: Math.round(r.anonFaultsPerSec),
            reclaimPagesPerSec: Math.round(r.reclaimPagesPerSec),
            hostBytesPerFrame: Math.round(r.hostBytesPerFrame * 100) / 100,
          }) + '\n',
        );
        return;
      }
      ctx.io.out(
        `Memory manager on ${(opts.memory / 2 ** 30).toFixed(2)} GiB (one core, host time):\n` +
          `  touch, working set resident  ${formatRate(r.touchPerSec)}pages/s\n` +
          `  anonymous faults             ${formatRate(r.anonFaultsPerSec)}faults/s\n` +
          `  reclaim                      ${formatRate(r.reclaimPagesPerSec)}pages/s\n` +
          `  host memory                  ${r.hostBytesPerFrame.toFixed(2)} bytes per frame\n`,
      );
    });

  bench
    .command('hrc')
    .description(
      'HRC engines: references per second of the exact LRU curve and of the CvHRC tracker on the trace host, on two threads unless --one-thread (engine time only: reading or generating the trace, in chunks of 1 Mi references, is not timed; the tracker’s time for a chunk lasts until its second thread has taken all of it)',
    )
    .option('--trace <file>', 'a trace file (default: a synthetic Zipf trace)')
    .option('--references <n>', 'synthetic trace: references', positiveInt, 50_000_000)
    .option(
      '--pages <n>',
      'synthetic trace: distinct pages of the Zipf distribution',
      positiveInt,
      1_000_000,
    )
    .option('--alpha <a>', 'synthetic trace: Zipf exponent', Number, 1)
    .option('--seed <n>', 'synthetic trace: seed', positiveInt, 42)
    .option('--one-thread', 'time the tracker on one thread (TraceHost) instead of two')
    .option('--json', 'print one JSON object')
    .action(async (opts: HrcBenchOptions) => {
      const r = await benchHrc(opts, ctx.cwd);
      if (opts.json) {
        const { distinct: _distinct, ...json } = r;
        ctx.io.out(JSON.stringify(json) + '\n');
        return;
      }
      const rows: [string, string][] = [
        ['exact LRU (stack distances, one thread)', `${formatRate(r.exactPerSec)}references/s`],
        [
          `CvHRC tracker on trace host (${opts.oneThread === true ? 'one thread' : 'two threads'})`,
          `${formatRate(r.cvhrcPerSec)}references/s`,
        ],
        ['peak RSS', `${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`],
      ];
      ctx.io.out(
        `HRC engines on ${r.references} references (${r.distinct} distinct pages; host time):\n` +
          rows.map(([k, v]) => `  ${k.padEnd(44)}${v}\n`).join(''),
      );
    });
  bench
    .command('accuracy')
    .description(
      'MAE of the CvHRC tracker against the exact LRU curve at default settings, on trace files and seeded synthetic traces',
    )
    .option('--trace <file...>', 'trace files to include (formats from their names)')
    .option('--seed <n>', 'seed of the synthetic traces', positiveInt, 42)
    .option('--json', 'print one JSON object')
    .action(async (opts: { trace?: string[]; seed: number; json?: boolean }) => {
      const rows = await accuracyTable(opts.trace ?? [], ctx.cwd, opts.seed);
      if (opts.json) {
        ctx.io.out(JSON.stringify({ bench: 'accuracy', rows }) + '\n');
        return;
      }
      ctx.io.out(
        formatTable(
          ['trace', 'refs', 'distinct', 'MAE all', 'MAE >= 8192', 'need exact', 'need cvhrc'],
          rows.map((r) => [
            r.trace,
            String(r.references),
            String(r.distinct),
            r.maeAll.toFixed(4),
            r.maeAtOrAboveScanList === null ? '-' : r.maeAtOrAboveScanList.toFixed(4),
            String(r.pageNeedExact),
            String(r.pageNeedCvhrc),
          ]),
        ),
      );
    });
  registerTrackingBench(bench, ctx);
  return bench;
}

interface TrackingBenchCliOptions {
  contexts: string;
  hot: number;
  cold: string;
  repeat: number;
  loops: number;
  scanList: number;
  scanIntervalMs: string;
  memory?: number;
  json?: boolean;
}

/** `bench tracking`: CvHRC's overhead in 1, 2, 3, 15 contexts (simulated and host time). */
function registerTrackingBench(bench: Command, ctx: Context): void {
  bench
    .command('tracking')
    .description(
      'CvHRC tracking overhead: a looping workload in 1, 2, 3 and 15 contexts, tracking off vs on (simulated and host time, work per 1000 references)',
    )
    .option('--contexts <list>', 'comma-separated numbers of contexts', '1,2,3,15')
    .option('--hot <pages>', 'hot set of each context, looped', positiveInt, 6144)
    .option('--cold <pages>', 'cold set of each context, swept once per loop (0: none)', '4096')
    .option('--repeat <n>', 'passes over the hot set per loop', positiveInt, 16)
    .option('--loops <n>', 'loops', positiveInt, 2)
    .option('--scan-list <n>', 'scan-list size (the paper: 8192)', positiveInt, 8192)
    .option('--scan-interval-ms <ms>', 'scan period, simulated ms', '100')
    .option('--memory <bytes>', 'RAM of the emulated machine in bytes (default 2 GiB)', positiveInt)
    .option('--json', 'print one JSON object')
    .action((opts: TrackingBenchCliOptions) => {
      const contexts = opts.contexts.split(',').map((c) => positiveInt(c.trim()));
      const cold = Number(opts.cold);
      if (!Number.isSafeInteger(cold) || cold < 0) {
        throw new Error(`--cold: expected an integer ≥ 0, got ${opts.cold}`);
      }
      const interval = Number(opts.scanIntervalMs);
      if (!(interval > 0)) {
        throw new Error(
          `--scan-interval-ms: expected a positive number, got ${opts.scanIntervalMs}`,
        );
      }
      const rows = benchTracking({
        contexts,
        hotPages: opts.hot,
        coldPages: cold,
        hotRepeat: opts.repeat,
        loops: opts.loops,
        cvhrc: { scanList: opts.scanList, scanIntervalMs: interval },
        ...(opts.memory === undefined ? {} : { memoryBytes: opts.memory }),
      });
      if (opts.json) {
        ctx.io.out(
          JSON.stringify({
            bench: 'tracking',
            rows: rows.map((r) => ({
              contexts: r.contexts,
              simOverheadPct: r.simOverheadPct,
              hostOverheadPct: r.hostOverheadPct,
              fakeFaultsPer1k: r.fakeFaultsPer1k,
              ptesScannedPer1k: r.ptesScannedPer1k,
              references: r.references,
              simOffMs: Math.round(r.simOffNs / 1e3) / 1e3,
              simOnMs: Math.round(r.simOnNs / 1e3) / 1e3,
              hostOffMs: r.hostOffMs,
              hostOnMs: r.hostOnMs,
            })),
          }) + '\n',
        );
        return;
      }
      ctx.io.out(
        formatTable(
          [
            'contexts',
            'sim off s',
            'sim on s',
            'sim overhead %',
            'host overhead %',
            'fake faults/1k',
            'PTEs scanned/1k',
          ],
          rows.map((r) => [
            String(r.contexts),
            (r.simOffNs / 1e9).toFixed(3),
            (r.simOnNs / 1e9).toFixed(3),
            r.simOverheadPct.toFixed(2),
            r.hostOverheadPct.toFixed(1),
            r.fakeFaultsPer1k.toFixed(2),
            r.ptesScannedPer1k.toFixed(2),
          ]),
        ),
      );
    });
}

interface HrcBenchOptions {
  trace?: string;
  references: number;
  pages: number;
  alpha: number;
  seed: number;
  oneThread?: boolean;
  json?: boolean;
}

interface HrcBenchResult {
  bench: 'hrc';
  references: number;
  distinct: number;
  exactPerSec: number;
  cvhrcPerSec: number;
  peakRssBytes: number;
}

/**
 * Times each engine on the same references; only the engines' work is timed (not reading
 * or generating the trace). The trace is streamed in chunks of a reused typed array (1 Mi
 * references, 4 MiB for the synthetic trace) and never held whole, so peak memory follows
 * the distinct pages, not the trace length. Each chunk is filled first (untimed), then fed
 * to the engine in one call. The two-thread tracker's time for a chunk runs until its worker
 * has taken every event of it (`drain`), so that none of its work hides in the untimed
 * filling of the next chunk; a chunk this long keeps those waits to a few percent.
 */
async function benchHrc(opts: HrcBenchOptions, cwd: string): Promise<HrcBenchResult> {
  const exact = new ExactLru();
  const host = opts.oneThread ? new TraceHost() : new ParallelTraceHost();
  let references = 0;
  const chunk = 1 << 20;
  // Each engine gets its own pass over the trace, so that neither evicts the other's
  // structures from the cache between chunks; the trace is read (or generated) again for
  // the second pass, and only the engines' work is timed.
  const pass = async (
    engine: (pages: Uint32Array | Float64Array, n: number) => void,
  ): Promise<number> => {
    let ms = 0;
    let n = 0;
    const timed = (pages: Uint32Array | Float64Array, k: number): void => {
      const t = performance.now();
      engine(pages, k);
      ms += performance.now() - t;
      n += k;
    };
    if (opts.trace !== undefined) {
      checkReadableFile(resolve(cwd, opts.trace), opts.trace);
      for await (const batch of readTraceFile(resolve(cwd, opts.trace), {
        reuseBatches: true,
        batchSize: chunk,
      })) {
        timed(batch, batch.length);
      }
    } else {
      if (!(opts.alpha > 0))
        throw new Error(`--alpha: expected a positive number, got ${opts.alpha}`);
      const zipf = new ZipfSampler(opts.pages, opts.alpha, createRng(opts.seed));
      // Ranks are below 2^30 (ZipfSampler's limit), so 32-bit page numbers hold them.
      const pages = new Uint32Array(chunk);
      for (let left = opts.references; left > 0; ) {
        const k = Math.min(left, chunk);
        for (let i = 0; i < k; i++) pages[i] = zipf.next();
        timed(pages, k);
        left -= k;
      }
    }
    references = n;
    return ms;
  };
  const exactMs = await pass((pages, n) => exact.feed(pages, n));
  let cvhrcMs: number;
  try {
    cvhrcMs = await pass((pages, n) => {
      host.feed(pages, n);
      if (host instanceof ParallelTraceHost) host.drain();
    });
    host.finish();
  } finally {
    if (host instanceof ParallelTraceHost) host.close();
  }
  return {
    bench: 'hrc',
    references,
    distinct: exact.distinct,
    exactPerSec: Math.round(references / (exactMs / 1000)),
    cvhrcPerSec: Math.round(references / (cvhrcMs / 1000)),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
