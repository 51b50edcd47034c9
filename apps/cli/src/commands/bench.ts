import type { Command } from 'commander';
import { benchMmu } from '@cvhrc/hw';
import type { Context } from '../program.js';
import { positiveInt } from '../program.js';
import { formatRate } from '../output.js';

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
  return bench;
}
