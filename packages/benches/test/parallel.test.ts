// runParallel's dispatch order, and the estimate reproduce orders its runs by.
import { describe, expect, it } from 'vitest';
import {
  estimatedHostCost,
  experimentSettings,
  planReproduction,
  type ScenarioInput,
} from '../src/index.js';
import { runParallel } from '../src/node.js';

const small = (name: string, pages: number): ScenarioInput => ({
  name,
  machine: { memory: { bytes: 16 * 1024 * 1024 } },
  contexts: [{ workload: 'loop', params: { pages, loopPages: pages, iterations: 2 } }],
});

describe('runParallel', () => {
  it('starts the runs in the given order and returns them in input order', async () => {
    const scenarios = [small('a', 64), small('b', 128), small('c', 256)];
    const started: number[] = [];
    const finished: number[] = [];
    const out = await runParallel(scenarios, {
      workers: 0,
      order: [2, 0, 1],
      onStart: (i) => started.push(i),
      onDone: (i) => finished.push(i),
    });
    expect(started).toEqual([2, 0, 1]);
    expect(finished).toEqual([2, 0, 1]);
    expect(out.map((o) => o.results.scenario)).toEqual(['a', 'b', 'c']);
    const plain = await runParallel(scenarios, { workers: 0 });
    expect(plain.map((o) => JSON.stringify(o.results))).toEqual(
      out.map((o) => JSON.stringify(o.results)),
    );
  });

  it('refuses an order that is not a permutation of the runs', async () => {
    const scenarios = [small('a', 64), small('b', 64)];
    await expect(runParallel(scenarios, { workers: 0, order: [0, 0] })).rejects.toThrow(
      /not a permutation/,
    );
    await expect(runParallel(scenarios, { workers: 0, order: [1] })).rejects.toThrow(
      /1 indices for 2 runs/,
    );
    await expect(runParallel(scenarios, { workers: 0, order: [0, 2] })).rejects.toThrow(
      /not a permutation/,
    );
  });
});

describe('estimatedHostCost', () => {
  it('puts the tracked Lmbench-Mem runs with the most VMs first', () => {
    const plan = planReproduction(experimentSettings(false), new Set(['table3', 'figures']));
    const sorted = [...plan].sort((a, b) => estimatedHostCost(b) - estimatedHostCost(a));
    expect(sorted[0]!.key).toMatch(/^table3-lmbench-mem-3vm-cvhrc-/);
    for (const r of plan) expect(estimatedHostCost(r)).toBeGreaterThan(0);
  });

  it('grows with the VMs, faster than in proportion when tracked, and costs more tracked', () => {
    const plan = planReproduction(experimentSettings(false), new Set(['table3']));
    const cost = (key: string): number => estimatedHostCost(plan.find((r) => r.key === key)!);
    for (const w of ['lmbench-mem', 'kernel-compile']) {
      const tracked = [1, 2, 3].map((v) => cost(`table3-${w}-${v}vm-cvhrc-s1`));
      const untracked = [1, 2, 3].map((v) => cost(`table3-${w}-${v}vm-linux-s1`));
      expect(tracked[1]! / tracked[0]!).toBeGreaterThan(2);
      expect(tracked[2]! / tracked[1]!).toBeGreaterThan(1.5);
      for (let v = 0; v < 3; v++) expect(tracked[v]!).toBeGreaterThan(untracked[v]!);
      // Beyond the VMs measured: the 3-VM run's seconds per VM.
      expect(cost(`thrash-${w}-5vm`)).toBeCloseTo((untracked[2]! / 3) * 5, 9);
    }
  });
});
