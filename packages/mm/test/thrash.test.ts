// The thrashing check of issue 4: N tasks each looping over an anonymous working set of
// 0.4 × RAM, run by the scheduler on the machine's 2 CPUs. N = 2 fits; N = 3 does not, and
// major faults per touch and simulated time per touch rise steeply.
import { createMachine, parseMachineConfig } from '@cvhrc/hw';
import { expect, test } from 'vitest';
import { Kernel, Scheduler } from '@cvhrc/mm';

const MIB = 64;
const PASSES = 10;

interface Figures {
  majorPerTouch: number;
  nsPerTouch: number;
  kswapdNs: number;
}

function thrash(n: number): Figures {
  const machine = createMachine(parseMachineConfig({ memory: { bytes: MIB * 1024 * 1024 } }));
  const k = new Kernel({ machine });
  const s = new Scheduler(k);
  const ws = Math.floor(MIB * 256 * 0.4);
  const tasks = Array.from({ length: n }, (_, i) =>
    s.spawn(
      [
        { op: 'mmap', name: 'ws', pages: ws },
        { op: 'touch', mapping: 'ws', pages: ws, write: true, words: 16 },
        { op: 'touch', mapping: 'ws', pages: ws, write: true, words: 1024, repeat: PASSES },
      ],
      `t${i}`,
    ),
  );
  const r = s.run();
  expect(r.finished).toBe(true);
  expect(s.exits.filter((e) => e.signal !== null)).toEqual([]);
  k.checkInvariants();
  const touches = n * ws * (PASSES + 1);
  const major = tasks.reduce((sum, t) => sum + t.majFlt, 0);
  // Every ns a CPU was busy is some task's (or kswapd's) user or system time.
  const cpuTime = tasks.reduce((sum, t) => sum + t.utimeNs + t.stimeNs, 0) + k.kswapd.task.stimeNs;
  expect(machine.cpus.totalBusyNs()).toBe(cpuTime);
  return {
    majorPerTouch: major / touches,
    nsPerTouch: (r.nowNs * machine.cpus.count) / touches,
    kswapdNs: k.kswapd.task.stimeNs,
  };
}

test('thrashing: N = 2 fits in RAM, N = 3 does not', () => {
  const two = thrash(2);
  const three = thrash(3);
  expect(two.majorPerTouch).toBe(0);
  expect(three.majorPerTouch).toBeGreaterThan(0.01);
  expect(three.nsPerTouch).toBeGreaterThan(50 * two.nsPerTouch);
  // kswapd ran on the CPUs as a kernel thread.
  expect(two.kswapdNs).toBe(0);
  expect(three.kswapdNs).toBeGreaterThan(0);
});

test('three writers of 0.4 × RAM on 256 MiB swap instead of being OOM-killed with swap free', () => {
  // kswapd must keep deactivating while memory fills: it runs its priority levels back to
  // back (cond_resched yields only at the end of a slice). When it gave the CPU up after
  // every level it fell behind, direct reclaim met an all-active LRU, freed nothing in its
  // one pass, and __alloc_pages called the OOM killer with gigabytes of swap free.
  const machine = createMachine(parseMachineConfig({ memory: { bytes: 256 * 1024 * 1024 } }));
  const k = new Kernel({ machine });
  const s = new Scheduler(k);
  const ws = Math.floor(256 * 256 * 0.4);
  const tasks = Array.from({ length: 3 }, (_, i) =>
    s.spawn(
      [
        { op: 'mmap', name: 'ws', pages: ws },
        { op: 'touch', mapping: 'ws', pages: ws, write: true, words: 16 },
        { op: 'touch', mapping: 'ws', pages: ws, write: true, words: 1024 },
      ],
      `w${i}`,
    ),
  );
  const r = s.run();
  expect(r.finished).toBe(true);
  expect(k.oomKills).toEqual([]);
  expect(s.exits.filter((e) => e.signal !== null)).toEqual([]);
  expect(k.vm.pswpout).toBeGreaterThan(0);
  expect(tasks.reduce((sum, t) => sum + t.majFlt, 0)).toBeGreaterThan(0);
  k.checkInvariants();
});
