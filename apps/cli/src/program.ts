import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CliError, errorLine } from './errors.js';
import type { Io } from './output.js';
import { registerMachine } from './commands/machine.js';
import { registerBench } from './commands/bench.js';
import { registerHrc } from './commands/hrc.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerWorkloads } from './commands/workloads.js';
import { VERSION } from './version.js';

/** Everything a command needs from the outside world. */
export interface Context {
  io: Io;
  cwd: string;
}

/** Builds the `cvhrc` program. Commands register themselves; each gets the context. */
export function buildProgram(ctx: Context): Command {
  const program = new Command('cvhrc')
    .description(
      'CvHRC: per-container hit-ratio curves on an emulated Linux 2.6.17 + Linux-VServer host.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(`cvhrc: ${s.replace(/^error: /, '').trim()}\n`),
    })
    .exitOverride();
  program.addHelpText('after', '\nRun "cvhrc <command> --help" for the options of one command.');
  registerMachine(program, ctx);
  registerHrc(program, ctx);
  registerBench(program, ctx);
  registerReproduce(program, ctx);
  registerWorkloads(program, ctx);
  for (const cmd of program.commands) inheritSettings(cmd);
  return program;
}

function inheritSettings(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) inheritSettings(sub);
}

/**
 * Runs the program on `argv` (without node and script) and returns the exit code. Errors
 * become one line on stderr.
 */
export async function run(argv: readonly string[], ctx: Context): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end here with code 0; usage errors were already printed.
      return err.exitCode;
    }
    ctx.io.err(`cvhrc: ${errorLine(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

/** Parses a positive integer option value, for commander's argParser. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return n;
}
