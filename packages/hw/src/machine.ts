import { Clock } from './clock.js';
import { defaultMachineConfig, type MachineConfig } from './config.js';
import { CostModel, type CostOverrides } from './costs.js';
import { Cpus } from './cpu.js';
import { Disk } from './disk.js';
import { EventQueue } from './events.js';
import { PhysicalMemory } from './memory.js';

/** Everything of one emulated machine, wired to one clock. */
export interface Machine {
  readonly config: MachineConfig;
  readonly clock: Clock;
  readonly events: EventQueue;
  readonly costs: CostModel;
  readonly memory: PhysicalMemory;
  readonly cpus: Cpus;
  readonly disk: Disk;
}

/**
 * Builds a machine from a validated configuration (default: Table 1, see
 * {@link parseMachineConfig} to load one from JSON), with optional cost overrides for this
 * run on top of the configuration's own.
 */
export function createMachine(
  config: MachineConfig = defaultMachineConfig(),
  costOverrides: CostOverrides = {},
): Machine {
  const clock = new Clock();
  const events = new EventQueue(clock);
  const costs = new CostModel(config, costOverrides);
  return {
    config,
    clock,
    events,
    costs,
    memory: PhysicalMemory.fromConfig(config),
    cpus: Cpus.fromConfig(config),
    disk: new Disk(events, costs),
  };
}
