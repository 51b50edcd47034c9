// Runs workloads alone on the default machine (the paper's Table 1: 2 GiB, two 1.86 GHz CPUs)
// and prints simulated run time, peak RSS, faults and, with --exact, the page need of the
// exact LRU hit-ratio curve of every user access (entity: the physical page an access maps,
// as the paper's entity of all virtual pages of a VM that map one page; a freed page's next
// use is a new entity). Build first:
//   npx -y pnpm@10.34.8 --filter @cvhrc/hw --filter @cvhrc/mm --filter @cvhrc/core \
//     --filter @cvhrc/workloads build
// Usage: node bench/alone.mjs [lmbench-mem|lmbench-all|kernel-compile …] [--exact]
//          [--param name=value …] [--max-host-s N] [--seed N]
import { Kernel, Scheduler } from '@cvhrc/mm';
import { getWorkload } from '@cvhrc/workloads';

const args = process.argv.slice(2);
const names = [];
const params = {};
let exact = false;
let maxHostS = Infinity;
let seed = 1;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--exact') exact = true;
  else if (a === '--param') {
    const [k, v] = args[++i].split('=');
    params[k] =
      v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
  } else if (a === '--max-host-s') maxHostS = Number(args[++i]);
  else if (a === '--seed') seed = Number(args[++i]);
  else names.push(a);
}
if (names.length === 0) names.push('lmbench-mem', 'lmbench-all', 'kernel-compile');

const core = exact ? await import(new URL('../../core/dist/index.js', import.meta.url).href) : null;
const PAPER = { 'lmbench-mem': '5\'28"', 'kernel-compile': '6\'27"' };
const mmss = (ns) => {
  const s = Math.round(ns / 1e9);
  return `${Math.floor(s / 60)}'${String(s % 60).padStart(2, '0')}"`;
};

for (const name of names) {
  const k = new Kernel();
  const w = getWorkload(name);
  const given = Object.fromEntries(Object.entries(params).filter(([p]) => p in w.params));
  const inst = w.instantiate(given, { seed, machineMemoryBytes: k.machine.config.memory.bytes });
  inst.setup(k);
  let lru = null;
  if (core !== null) {
    lru = new core.ExactLru({ initialCapacity: 1 << 16 });
    const entity = new Int32Array(k.pages.flags.length).fill(-1);
    let next = 0;
    k.hooks.mmCreated = (mm) => {
      // Repeats of a fault-free pass that the touch loop charges at once reach the exact
      // engine as repeats of the pass it saw (mm.accessPasses).
      let pass = 0;
      mm.accessObserver = (_vpn, frame) => {
        let e = entity[frame];
        if (e < 0) e = entity[frame] = next++;
        lru.access(e);
        pass++;
      };
      mm.accessPasses = {
        passStart: () => {
          pass = 0;
        },
        repeatPass: (passes) => pass === 0 || lru.repeatLastPass(pass, passes),
      };
    };
    k.hooks.pageFreed = (frame) => {
      entity[frame] = -1;
    };
  }
  // Simulated time of each command the main task forks (lmbench's benchmarks, make's jobs).
  const started = new Map();
  const byCommand = new Map();
  let mainPid = -1;
  k.hooks.taskCreated = (task, parent) => {
    if (parent !== null && parent.pid === mainPid) started.set(task.pid, k.clock.now + k.burstNs);
  };
  k.hooks.taskExited = (task) => {
    const t0 = started.get(task.pid);
    if (t0 === undefined) return;
    const c = byCommand.get(task.comm) ?? { n: 0, ns: 0 };
    c.n++;
    c.ns += k.clock.now + k.burstNs - t0;
    byCommand.set(task.comm, c);
  };
  const s = new Scheduler(k);
  const baseFree = k.freePages;
  const t0 = performance.now();
  mainPid = s.spawn(inst.program, inst.comm).pid;
  let peakRss = 0;
  let peakUsed = 0;
  let finished = false;
  let lastReport = t0;
  for (;;) {
    const r = s.run(k.clock.now + 100_000_000);
    let rss = 0;
    for (const mm of k.mms()) rss += mm.rss;
    peakRss = Math.max(peakRss, rss);
    peakUsed = Math.max(peakUsed, baseFree - k.freePages);
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      const res = inst.results();
      process.stderr.write(
        `  ${name}: sim ${mmss(k.clock.now)} host ${((now - t0) / 1000).toFixed(0)}s tasks ${s.liveTasks} ` +
          `faults ${k.vm.pgfault} last: ${res.at(-1) ?? ''}\n`,
      );
    }
    if (r.finished) {
      finished = true;
      break;
    }
    if ((now - t0) / 1000 > maxHostS) break;
  }
  const hostS = (performance.now() - t0) / 1000;
  const mib = (pages) => ((pages * 4096) / 1048576).toFixed(0);
  console.log(`${name} ${JSON.stringify(given)} seed ${seed}${finished ? '' : ' (stopped early)'}`);
  console.log(
    `  simulated run time  ${mmss(k.clock.now)} (${(k.clock.now / 1e9).toFixed(1)} s)${PAPER[name] ? `; paper, one VM: ${PAPER[name]}` : ''}`,
  );
  console.log(`  host time           ${hostS.toFixed(1)} s`);
  console.log(
    `  peak RSS            ${mib(peakRss)} MiB (sum over address spaces, sampled every 100 ms)`,
  );
  console.log(`  peak memory in use  ${mib(peakUsed)} MiB (page cache included)`);
  console.log(
    `  faults              ${k.vm.pgfault - k.vm.pgmajfault} minor, ${k.vm.pgmajfault} major`,
  );
  console.log(
    `  tasks               ${s.exits.length} exited, ${s.exits.filter((e) => e.signal !== null).length} killed`,
  );
  console.log(`  result lines        ${inst.results().length}`);
  const top = [...byCommand].sort((x, y) => y[1].ns - x[1].ns).slice(0, 8);
  console.log(
    `  time by command     ${top.map(([c, v]) => `${c} ×${v.n} ${mmss(v.ns)}`).join(', ')}`,
  );
  if (lru !== null) {
    const curve = lru.curve(core.geometricSizes(Math.max(1, lru.distinct), 8));
    const need = core.pageNeed(curve);
    console.log(
      `  exact curve         ${lru.references} accesses, ${lru.distinct} entities; page need ${need} pages (${mib(need)} MiB, slope method)`,
    );
  }
}
