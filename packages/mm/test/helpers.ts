import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, type KernelOptions } from '@cvhrc/mm';

/** A kernel on a machine with `mib` MiB of RAM (Table 1 otherwise). */
export function smallKernel(mib: number, options: Omit<KernelOptions, 'machine'> = {}): Kernel {
  const machine = createMachine(parseMachineConfig({ memory: { bytes: mib * 1024 * 1024 } }));
  return new Kernel({ ...options, machine });
}
