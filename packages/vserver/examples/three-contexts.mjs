// Three contexts with different working sets on the paper's machine (Table 1), CvHRC on
// with the exact-curve oracle: each context's measured curve, page need, and the MAE of the
// tracker against the exact curve. Run after a build: `node examples/three-contexts.mjs`.
import { createMachine } from '@cvhrc/hw';
import { Kernel, Scheduler } from '@cvhrc/mm';
import { VServerHost } from '@cvhrc/vserver';

const kernel = new Kernel({ machine: createMachine() }); // 2 GiB, 2 CPUs at 1.86 GHz
const host = new VServerHost(kernel, {
  cvhrc: { enabled: true, scanList: 8192, group: 256, scanIntervalMs: 20, oracle: true },
});
const sched = new Scheduler(kernel);

/** A service: a working set touched once per request, then 30 ms of other work. */
function service(pages, requests) {
  const ops = [
    { op: 'mmap', name: 'ws', pages },
    { op: 'touch', mapping: 'ws', pages, write: true },
  ];
  for (let i = 0; i < requests; i++) {
    ops.push({ op: 'touch', mapping: 'ws', pages, write: false, order: 'random', seed: i + 1 });
    ops.push({ op: 'compute', ns: 30e6 });
  }
  return ops;
}

const contexts = [
  { xid: 101, name: 'web', pages: 1024 },
  { xid: 102, name: 'db', pages: 3072 },
  { xid: 103, name: 'batch', pages: 12288 }, // beyond the scan list: fake faults
];
for (const c of contexts) {
  host.createContext(c.xid);
  host.spawn(sched, c.xid, service(c.pages, 40), c.name);
}
sched.run();

const sizes = [512, 1024, 2048, 3072, 4096, 8192, 12288, 16384];
console.log(`simulated run: ${(kernel.clock.now / 1e9).toFixed(2)} s\n`);
console.log(`pages    ${sizes.map((s) => String(s).padStart(6)).join('')}`);
for (const c of contexts) {
  const r = host.hrc(c.xid);
  const row = (curve) => sizes.map((s) => curve.at(s).toFixed(3).padStart(6)).join('');
  console.log(`${String(c.xid)} ${c.name.padEnd(5)}  cvhrc ${row(r.curve)}`);
  console.log(`           exact ${row(r.oracle.curve)}`);
  console.log(
    `  working set ${c.pages}, page need ${r.pageNeed} (exact ${r.oracle.pageNeed}), ` +
      `MAE ${r.oracle.mae.toFixed(4)}, fake faults ${r.counters.fakeFaults}, ` +
      `scans ${r.counters.scans}, tracking ${(r.counters.trackingNs / 1e6).toFixed(1)} ms, ` +
      `space ${(r.space.totalBytes / 1024).toFixed(0)} KiB`,
  );
}
