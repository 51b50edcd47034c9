import { describe, expect, test } from 'vitest';
import { cli } from './helpers.js';

describe('cvhrc workloads', () => {
  test('lists every workload with its parameters and defaults', async () => {
    const r = await cli(['workloads']);
    expect(r.code).toBe(0);
    for (const name of [
      'lmbench-mem',
      'lmbench-all',
      'kernel-compile',
      'seq-scan',
      'loop',
      'uniform',
      'zipf',
      'phases',
      'trace-replay',
    ]) {
      expect(r.stdout).toContain(`${name}: `);
    }
    expect(r.stdout).toMatch(/jobs\s+2\s+jobs\s+make -j/);
    expect(r.stdout).toMatch(/alpha\s+1\s+Zipf exponent/);
  });

  test('--json gives names, descriptions and parameter specs', async () => {
    const r = await cli(['workloads', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as {
      name: string;
      params: Record<string, { default: unknown }>;
    }[];
    expect(list.map((w) => w.name)).toContain('kernel-compile');
    expect(list.find((w) => w.name === 'lmbench-mem')!.params.enoughUs!.default).toBe(5000);
  });
});
