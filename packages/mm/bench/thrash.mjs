/* global console, performance, process */
// The thrashing run of issue 4 on the paper's 2 GiB machine: N tasks each looping over an
// anonymous working set of 0.4 × RAM (one write pass, then `passes` passes touching 1024
// words a page), scheduled on the 2 CPUs. Prints one JSON line per N: major faults per
// touch, simulated run time, and host time. After a build:
//   node packages/mm/bench/thrash.mjs [maxN=3] [passes=3] [memoryMiB=2048]
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { Kernel, Scheduler } from '@cvhrc/mm';

const maxN = Number(process.argv[2] ?? 3);
const passes = Number(process.argv[3] ?? 3);
const mib = Number(process.argv[4] ?? 2048);

for (let n = 1; n <= maxN; n++) {
  const t0 = performance.now();
  const machine = createMachine(parseMachineConfig({ memory: { bytes: mib * 1024 * 1024 } }));
  const k = new Kernel({ machine });
  const s = new Scheduler(k);
  const ws = Math.floor(mib * 256 * 0.4);
  const tasks = [];
  for (let i = 0; i < n; i++) {
    tasks.push(
      s.spawn(
        [
          { op: 'mmap', name: 'ws', pages: ws },
          { op: 'touch', mapping: 'ws', pages: ws, write: true, words: 16 },
          { op: 'touch', mapping: 'ws', pages: ws, write: true, words: 1024, repeat: passes },
        ],
        `t${i}`,
      ),
    );
  }
  const r = s.run();
  const touches = n * ws * (passes + 1);
  const major = tasks.reduce((sum, t) => sum + t.majFlt, 0);
  const killed = s.exits.filter((e) => e.signal !== null).length;
  console.log(
    JSON.stringify({
      tasks: n,
      workingSetPages: ws,
      touches,
      majorFaults: major,
      majorPerTouch: +(major / touches).toFixed(5),
      simulatedSec: +(r.nowNs / 1e9).toFixed(2),
      killed,
      hostSec: +((performance.now() - t0) / 1000).toFixed(1),
    }),
  );
}
