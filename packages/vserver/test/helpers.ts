import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, type KernelOptions } from '@cvhrc/mm';
import { VxError } from '@cvhrc/vserver';

/** A kernel on a machine with `mib` MiB of RAM (Table 1 otherwise). */
export function smallKernel(mib: number, options: Omit<KernelOptions, 'machine'> = {}): Kernel {
  const machine = createMachine(parseMachineConfig({ memory: { bytes: mib * 1024 * 1024 } }));
  return new Kernel({ ...options, machine });
}

/** The errno `fn` throws as a VxError (fails if it throws nothing or something else). */
export function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof VxError) return e.errno;
    throw e;
  }
  throw new Error('expected a VxError');
}
