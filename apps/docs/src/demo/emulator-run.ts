/**
 * The full engine of the demo: a small machine, Linux 2.6.17's memory manager, and one
 * Linux-VServer context per container running its own copy of a registered workload, on a
 * host built with CvHRC and the exact-curve oracle.
 */
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, Scheduler } from '@cvhrc/mm';
import { VServerHost } from '@cvhrc/vserver';
import { WORKLOADS, getWorkload } from '@cvhrc/workloads';
import type { ContextSnapshot, DemoStart, DemoWorkloadInfo } from './protocol.js';
import { checkStart, type DemoRun } from './run.js';

const NS = 1e9;
/** Simulated time per slice: short enough that a slice takes a few ms of host time. */
const SLICE_NS = 20_000_000;

/** Workloads that need input the demo cannot give (a trace file). */
const EXCLUDED = new Set(['trace-replay']);

export const EMULATOR_WORKLOADS: readonly DemoWorkloadInfo[] = WORKLOADS.filter(
  (w) => !EXCLUDED.has(w.name),
).map((w) => ({ engine: 'emulator', name: w.name, description: w.description }));

/** Runs `request.contexts` contexts for `request.limit` simulated seconds (or to the end). */
export function createEmulatorRun(request: DemoStart): DemoRun {
  checkStart(request);
  if (EXCLUDED.has(request.workload)) {
    throw new Error(`demo: workload "${request.workload}" needs a trace file`);
  }
  const definition = getWorkload(request.workload);
  if (![64, 128, 256, 512, 1024].includes(request.memoryMiB)) {
    throw new Error(`demo: memoryMiB must be 64, 128, 256, 512 or 1024, got ${request.memoryMiB}`);
  }
  const memoryBytes = request.memoryMiB * 1024 * 1024;
  const machine = createMachine(parseMachineConfig({ memory: { bytes: memoryBytes } }, 'demo'));
  const kernel = new Kernel({ machine });
  const host = new VServerHost(kernel, { cvhrc: { enabled: true, oracle: true } });
  const scheduler = new Scheduler(kernel);
  const xids: number[] = [];
  for (let i = 0; i < request.contexts; i++) {
    const instance = definition.instantiate(
      {},
      {
        seed: (request.seed * 1_000_003 + i * 7919) >>> 0,
        root: `/vservers/vm${i + 1}`,
        machineMemoryBytes: memoryBytes,
      },
    );
    const ctx = host.createContext();
    instance.setup(kernel);
    host.spawn(scheduler, ctx.xid, instance.program, instance.comm);
    xids.push(ctx.xid);
  }
  const endNs = request.limit * NS;
  let finished = false;
  return {
    pageBytes: machine.config.memory.pageBytes,
    references: null,
    get simSec() {
      return kernel.clock.now / NS;
    },
    get finished() {
      return finished;
    },
    advance() {
      const target = Math.min(endNs, kernel.clock.now + SLICE_NS);
      const r = scheduler.run(target);
      finished = r.finished || kernel.clock.now >= endNs || host.rebooted;
    },
    snapshot(): ContextSnapshot[] {
      return xids.map((xid, i) => {
        const h = host.hrc(xid);
        const oracle = h.oracle;
        return {
          xid,
          label: `vm${i + 1}`,
          observed: h.hits.accesses,
          curve: h.curve.points(),
          pageNeed: h.pageNeed,
          exact:
            oracle === undefined
              ? null
              : { curve: oracle.curve.points(), pageNeed: oracle.pageNeed, mae: oracle.mae },
          rssPages: host.usage(xid, 'RSS').cur,
        };
      });
    },
  };
}
