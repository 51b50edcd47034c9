import type { Command } from 'commander';
import { resolve } from 'node:path';
import { benchMmu } from '@cvhrc/hw';
import { benchMm } from '@cvhrc/mm';
import { ExactLru, TraceHost, ZipfSampler, createRng } from '@cvhrc/core';
import { readTraceFile } from '@cvhrc/workloads/node';
import type { Context } from '../program.js';
import { positiveInt } from '../program.js';
import { formatRate, formatTable } from '../output.js';
import { accuracyTable } from './accuracy.js';

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
      'HRC engines: references per second of the exact LRU curve and of the CvHRC tracker on the trace host',
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
    .option('--json', 'print one JSON object')
    .action(async (opts: HrcBenchOptions) => {
      const r = await benchHrc(opts, ctx.cwd);
      if (opts.json) {
        const { distinct: _distinct, ...json } = r;
        ctx.io.out(JSON.stringify(json) + '\n');
        return;
      }
      ctx.io.out(
        `HRC engines on ${r.references} references (${r.distinct} distinct pages; one core, host time):\n` +
          `  exact LRU (stack distances)   ${formatRate(r.exactPerSec)}references/s\n` +
          `  CvHRC tracker on trace host   ${formatRate(r.cvhrcPerSec)}references/s\n` +
          `  peak RSS                      ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`,
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
  return bench;
}

interface HrcBenchOptions {
  trace?: string;
  references: number;
  pages: number;
  alpha: number;
  seed: number;
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
 * or generating the trace). The trace is streamed in batches, never held whole, so peak
 * memory follows the distinct pages, not the trace length.
 */
async function benchHrc(opts: HrcBenchOptions, cwd: string): Promise<HrcBenchResult> {
  const exact = new ExactLru();
  const host = new TraceHost();
  let references = 0;
  // Each engine gets its own pass over the trace, so that neither evicts the other's
  // structures from the cache between batches; the trace is read (or generated) again for
  // the second pass, in large batches, and only the engines' work is timed.
  const pass = async (engine: (batch: Float64Array) => void): Promise<number> => {
    let ms = 0;
    let n = 0;
    const timed = (batch: Float64Array): void => {
      const t = performance.now();
      engine(batch);
      ms += performance.now() - t;
      n += batch.length;
    };
    if (opts.trace !== undefined) {
      for await (const batch of readTraceFile(resolve(cwd, opts.trace), {
        reuseBatches: true,
        batchSize: 1 << 20,
      })) {
        timed(batch);
      }
    } else {
      if (!(opts.alpha > 0))
        throw new Error(`--alpha: expected a positive number, got ${opts.alpha}`);
      const zipf = new ZipfSampler(opts.pages, opts.alpha, createRng(opts.seed));
      const batch = new Float64Array(1 << 20);
      for (let left = opts.references; left > 0; ) {
        const k = Math.min(left, batch.length);
        for (let i = 0; i < k; i++) batch[i] = zipf.next();
        timed(k === batch.length ? batch : batch.subarray(0, k));
        left -= k;
      }
    }
    references = n;
    return ms;
  };
  const exactMs = await pass((b) => exact.accessAll(b));
  const cvhrcMs = await pass((b) => host.accessAll(b));
  host.finish();
  return {
    bench: 'hrc',
    references,
    distinct: exact.distinct,
    exactPerSec: Math.round(references / (exactMs / 1000)),
    cvhrcPerSec: Math.round(references / (cvhrcMs / 1000)),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
