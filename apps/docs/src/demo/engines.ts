import { EMULATOR_WORKLOADS, createEmulatorRun } from './emulator-run.js';
import type { DemoStart, DemoWorkloadInfo } from './protocol.js';
import type { DemoRun } from './run.js';
import { TRACE_WORKLOADS, createTraceRun } from './trace-run.js';

/** Every workload the demo offers, by engine. */
export const DEMO_WORKLOADS: readonly DemoWorkloadInfo[] = [
  ...EMULATOR_WORKLOADS,
  ...TRACE_WORKLOADS,
];

/** Makes the run a start request asks for. */
export function createDemoRun(request: DemoStart): DemoRun {
  switch (request.engine) {
    case 'emulator':
      return createEmulatorRun(request);
    case 'trace':
      return createTraceRun(request);
    default:
      throw new Error(`demo: unknown engine "${String(request.engine)}"`);
  }
}
