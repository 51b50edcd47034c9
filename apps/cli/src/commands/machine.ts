import type { Command } from 'commander';
import { CostModel, describeMachineConfig } from '@cvhrc/hw';
import type { Context } from '../program.js';
import { loadMachineConfig } from '../config-file.js';
import { formatTable } from '../output.js';

interface MachineOptions {
  config?: string;
  json?: boolean;
}

export function registerMachine(program: Command, ctx: Context): void {
  program
    .command('machine')
    .description("the machine model in use (default: the paper's Table 1) and its cost table")
    .option('-c, --config <file>', 'machine config JSON (fields override Table 1)')
    .option('--json', 'print one JSON object')
    .action((opts: MachineOptions) => {
      const config = loadMachineConfig(opts.config, ctx.cwd);
      const costs = new CostModel(config);
      const machine = describeMachineConfig(config);
      const costRows = costs.describe();
      if (opts.json) {
        ctx.io.out(JSON.stringify({ config, machine, costs: costRows }, null, 2) + '\n');
        return;
      }
      ctx.io.out(`Machine: ${config.name}${opts.config ? ` (from ${opts.config})` : ''}\n\n`);
      ctx.io.out(
        formatTable(
          ['field', 'value', 'unit', 'what'],
          machine.map((r) => [r.path, String(r.value), r.unit, r.description]),
        ),
      );
      ctx.io.out('\nCost model\n\n');
      ctx.io.out(
        formatTable(
          ['cost', 'value', 'unit', 'source'],
          costRows.map((r) => [r.name, fmtValue(r.value), r.unit, r.source]),
        ),
      );
    });
}

function fmtValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
}
