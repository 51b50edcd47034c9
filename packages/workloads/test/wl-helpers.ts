import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, Scheduler, type Operation, type Program } from '@cvhrc/mm';

/** A kernel on a machine with `mib` MiB of RAM (Table 1 otherwise). */
export function kernelOf(mib: number): Kernel {
  const machine = createMachine(parseMachineConfig({ memory: { bytes: mib * 1024 * 1024 } }));
  return new Kernel({ machine });
}

/** Runs `program` as one task (plus whatever it forks) to the end. */
export function runAlone(k: Kernel, program: Program, comm = 'task'): Scheduler {
  const s = new Scheduler(k);
  s.spawn(program, comm);
  const r = s.run();
  if (!r.finished) throw new Error('run did not finish');
  return s;
}

/**
 * The operation stream of a program without a kernel, children's programs inlined after
 * their fork, each operation serialised as it comes (programs may reuse one object).
 */
export function serialise(program: Program, limit = 1_000_000): string[] {
  const out: string[] = [];
  const walk = (p: Program, depth: number): void => {
    for (const op of p) {
      if (out.length >= limit) return;
      if (op.op === 'fork') {
        out.push(`${depth} fork ${op.comm ?? ''}`);
        walk(op.program, depth + 1);
      } else {
        out.push(`${depth} ${JSON.stringify(op satisfies Operation)}`);
      }
    }
  };
  walk(program, 0);
  return out;
}
