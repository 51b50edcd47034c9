// The workload registry: names, parameters, validation, determinism.
import { expect, test } from 'vitest';
import { getWorkload, WorkloadParamError, WORKLOADS } from '@cvhrc/workloads';
import { kernelOf, runAlone, serialise } from './wl-helpers.js';

test('the registry holds the nine workloads, each with described parameters', () => {
  expect(WORKLOADS.map((w) => w.name)).toEqual([
    'lmbench-mem',
    'lmbench-all',
    'kernel-compile',
    'seq-scan',
    'loop',
    'uniform',
    'zipf',
    'phases',
    'trace-replay',
  ]);
  for (const w of WORKLOADS) {
    expect(w.description.length).toBeGreaterThan(10);
    for (const [name, spec] of Object.entries(w.params)) {
      expect(spec.description.length, `${w.name}.${name}`).toBeGreaterThan(5);
      expect(['number', 'string', 'boolean']).toContain(typeof spec.default);
    }
  }
  expect(getWorkload('zipf').params.alpha!.default).toBe(1);
  expect(getWorkload('kernel-compile').params.jobs!.default).toBe(2);
});

test('an unknown workload names the known ones', () => {
  expect(() => getWorkload('lmbench')).toThrow(
    /no such workload \(known: lmbench-mem, lmbench-all, kernel-compile/,
  );
});

test('bad parameters name the workload and the parameter', () => {
  const zipf = getWorkload('zipf');
  expect(() => zipf.instantiate({ alpah: 1 }, { seed: 1 })).toThrow(
    'workload zipf: param alpah: unknown parameter (known: pages, words, writeRatio, computeNs, references, alpha)',
  );
  expect(() => zipf.instantiate({ alpha: '1' }, { seed: 1 })).toThrow(
    /workload zipf: param alpha: expected a number/,
  );
  expect(() => zipf.instantiate({ pages: 1.5 }, { seed: 1 })).toThrow(
    /param pages: expected an integer/,
  );
  expect(() => zipf.instantiate({ pages: 0 }, { seed: 1 })).toThrow(/param pages: must be ≥ 1/);
  expect(() => getWorkload('lmbench-mem').instantiate({ fastmem: 'yes' }, { seed: 1 })).toThrow(
    WorkloadParamError,
  );
  expect(() => getWorkload('lmbench-mem').instantiate({ strides: '16 x' }, { seed: 1 })).toThrow(
    /param strides/,
  );
  expect(() => zipf.instantiate({}, { seed: 1, root: 'vm1' })).toThrow(/options.root/);
  expect(() => getWorkload('trace-replay').instantiate({}, { seed: 1 })).toThrow(
    /needs options.trace/,
  );
});

test('the same seed gives an identical operation stream; another seed another', () => {
  for (const [name, params] of [
    ['zipf', { pages: 500, references: 2000 }],
    ['uniform', { pages: 500, references: 2000, writeRatio: 0.3 }],
    ['phases', { pages: 800, phasePages: 200, referencesPerPhase: 300 }],
    ['kernel-compile', { units: 6, headers: 40, coreHeaders: 10, extraHeaders: 8 }],
  ] as const) {
    const w = getWorkload(name);
    const a = serialise(w.instantiate(params, { seed: 7 }).program);
    const b = serialise(w.instantiate(params, { seed: 7 }).program);
    const c = serialise(w.instantiate(params, { seed: 8 }).program);
    expect(a.length, name).toBeGreaterThan(100);
    expect(b, name).toEqual(a);
    expect(c, name).not.toEqual(a);
    // A program is a fresh stream each time it is iterated.
    const inst = w.instantiate(params, { seed: 7 });
    expect(serialise(inst.program)).toEqual(serialise(inst.program));
  }
});

test('lmbench with the same seed runs identically on the kernel (results, exits, counters)', () => {
  const once = (seed: number) => {
    const k = kernelOf(48);
    const inst = getWorkload('lmbench-mem').instantiate(
      { mb: 8, enoughUs: 100, strides: '128' },
      { seed },
    );
    inst.setup(k);
    const s = runAlone(k, inst.program, inst.comm);
    return {
      results: [...inst.results()],
      exits: s.exits.map((e) => `${e.pid} ${e.comm} ${e.timeNs} ${e.signal}`),
      faults: [k.vm.pgfault, k.vm.pgmajfault],
    };
  };
  const a = once(3);
  expect(a.results.length).toBeGreaterThan(100);
  expect(once(3)).toEqual(a);
}, 120_000);
