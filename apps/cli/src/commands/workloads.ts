import type { Command } from 'commander';
import { WORKLOADS } from '@cvhrc/workloads';
import type { Context } from '../program.js';
import { formatTable } from '../output.js';

interface WorkloadsOptions {
  json?: boolean;
}

export function registerWorkloads(program: Command, ctx: Context): void {
  program
    .command('workloads')
    .description(
      'the workloads (lmbench, kernel compile, synthetic patterns, trace replay) and their parameters',
    )
    .option('--json', 'print one JSON array')
    .action((opts: WorkloadsOptions) => {
      if (opts.json) {
        const list = WORKLOADS.map((w) => ({
          name: w.name,
          description: w.description,
          params: w.params,
        }));
        ctx.io.out(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      for (const w of WORKLOADS) {
        ctx.io.out(`${w.name}: ${w.description}\n\n`);
        const rows = Object.entries(w.params).map(([name, p]) => [
          name,
          JSON.stringify(p.default),
          p.unit ?? '',
          p.description,
        ]);
        ctx.io.out(
          rows.length === 0
            ? '  (no parameters)\n'
            : formatTable(['param', 'default', 'unit', 'what'], rows),
        );
        ctx.io.out('\n');
      }
    });
}
