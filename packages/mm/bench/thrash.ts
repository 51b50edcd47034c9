// Thrashing: N tasks each looping over an anonymous working set of 0.4 × RAM, one pass per
// task in turn (round-robin; there is no scheduler yet). With N = 2 the sets fit, with
// N = 3 they do not: major faults per touch and simulated time per pass rise steeply.
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '@cvhrc/mm';

export interface ThrashResult {
  readonly tasks: number;
  readonly touches: number;
  readonly majorFaults: number;
  readonly majorPerTouch: number;
  readonly simulatedNs: number;
  readonly nsPerTouch: number;
  readonly pswpout: number;
  readonly pswpin: number;
}

export function thrash(mib: number, tasks: number, passes: number): ThrashResult {
  const machine = createMachine(parseMachineConfig({ memory: { bytes: mib * 1024 * 1024 } }));
  const k = new Kernel({ machine });
  k.createTask('init');
  const ws = Math.floor(mib * 256 * 0.4);
  const ts = Array.from({ length: tasks }, (_, i) => k.createTask(`t${i}`));
  const starts = ts.map((t) =>
    k.mmap(t, { pages: ws, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS }),
  );
  // First pass: build the working sets.
  for (let i = 0; i < tasks; i++)
    for (let p = 0; p < ws; p++) k.userAccess(ts[i]!, starts[i]! + p, true);
  k.runEvents();
  const t0 = k.clock.now;
  const maj0 = k.vm.pgmajfault;
  const out0 = k.vm.pswpout;
  const in0 = k.vm.pswpin;
  let touches = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < tasks; i++) {
      for (let p = 0; p < ws; p++) {
        if (k.userAccess(ts[i]!, starts[i]! + p, true) < 0) throw new Error('killed');
        touches++;
      }
    }
  }
  const simulatedNs = k.clock.now - t0;
  const majorFaults = k.vm.pgmajfault - maj0;
  return {
    tasks,
    touches,
    majorFaults,
    majorPerTouch: majorFaults / touches,
    simulatedNs,
    nsPerTouch: simulatedNs / touches,
    pswpout: k.vm.pswpout - out0,
    pswpin: k.vm.pswpin - in0,
  };
}
