// runParallel's dispatch order, and the estimate reproduce orders its runs by.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  estimatedHostCost,
  experimentSettings,
  planReproduction,
  runScenario,
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

describe('runParallel on worker threads (the built package)', () => {
  // From source the runs go on this thread, and a worker started from here would resolve the
  // packages to their sources: the built package runs in a Node process of its own.
  const built = new URL('../dist/node.js', import.meta.url);

  it('gives a worker the next run of its affinity key, and a fresh worker to any other', () => {
    expect(existsSync(fileURLToPath(built)), 'build @cvhrc/benches first').toBe(true);
    const scenarios = [small('a', 64), small('b', 96), small('c', 128), small('d', 160)];
    // (-e runs CommonJS, hence the function; --input-type=module would pass to the workers.)
    const script = `(async () => {
      const { runParallel } = await import(${JSON.stringify(built.href)});
      const scenarios = ${JSON.stringify(scenarios)};
      const fresh = [];
      const out = await runParallel(scenarios, {
        workers: 1,
        order: [1, 0, 3, 2],
        affinity: ['x', 'x', undefined, 'y'],
        onStart: (i, f) => fresh.push([i, f]),
      });
      const alone = [];
      await runParallel(scenarios.slice(0, 2), { workers: 1, onStart: (_, f) => alone.push(f) });
      let refused = '';
      await runParallel(scenarios, { workers: 1, affinity: ['x'] }).catch((e) => {
        refused = e.message;
      });
      console.log(JSON.stringify({ fresh, alone, refused, results: out.map((o) => o.results) }));
    })();`;
    // spawnSync holds this thread, so vitest's timeout could not end a hang: this one does.
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 50_000 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as {
      fresh: [number, boolean][];
      alone: boolean[];
      refused: string;
      results: unknown[];
    };
    // 1 and 0 share key x; 3 (key y) and 2 (no key) each start a worker of their own.
    expect(got.fresh).toEqual([
      [1, true],
      [0, false],
      [3, true],
      [2, true],
    ]);
    expect(got.alone).toEqual([true, true]);
    expect(got.refused).toMatch(/affinity has 1 keys for 4 runs/);
    const here = scenarios.map((sc) => runScenario(sc).results);
    expect(got.results).toEqual(JSON.parse(JSON.stringify(here)));
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
