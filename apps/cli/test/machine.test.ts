import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, tempDir } from './helpers.js';

describe('cvhrc machine', () => {
  test('prints Table 1 and the cost table with units and sources', async () => {
    const r = await cli(['machine']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cpu.count');
    expect(r.stdout).toMatch(/memory\.bytes\s+2147483648/);
    expect(r.stdout).toMatch(/minorFaultNs\s+\d+\s+ns\s+reference §H/);
    expect(r.stdout).toContain('assumption');
  });

  test('--json gives the config, machine rows and every cost with unit and source', async () => {
    const r = await cli(['machine', '--json']);
    const j = JSON.parse(r.stdout) as {
      config: { cpu: { count: number; clockHz: number }; memory: { bytes: number } };
      costs: { name: string; value: number; unit: string; source: string }[];
    };
    expect(j.config.cpu.count).toBe(2);
    expect(j.config.cpu.clockHz).toBe(1.86e9);
    expect(j.config.memory.bytes).toBe(2 ** 31);
    expect(j.costs.length).toBeGreaterThan(10);
    for (const c of j.costs) {
      expect(c.unit).not.toBe('');
      expect(c.source).not.toBe('');
    }
  });

  test('--config overrides fields and costs', async () => {
    const dir = tempDir('cvhrc-machine-');
    const file = join(dir, 'm.json');
    writeFileSync(
      file,
      JSON.stringify({ memory: { bytes: 2 ** 30 }, costs: { minorFaultNs: 5000 } }),
    );
    const r = await cli(['machine', '--config', file, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      config: { memory: { bytes: number } };
      costs: { name: string; value: number }[];
    };
    expect(j.config.memory.bytes).toBe(2 ** 30);
    expect(j.costs.find((c) => c.name === 'minorFaultNs')?.value).toBe(5000);
  });

  test('a bad config is refused in one line naming the file and the field', async () => {
    const dir = tempDir('cvhrc-machine-');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ cpu: { count: 0 } }));
    const r = await cli(['machine', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('bad.json');
    expect(r.stderr).toContain('cpu.count');
  });

  test('a missing or non-JSON config file is one clear line', async () => {
    const missing = await cli(['machine', '--config', '/nonexistent/m.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cvhrc: cannot read \/nonexistent\/m\.json: no such file\n$/);
    const dir = tempDir('cvhrc-machine-');
    const file = join(dir, 'x.json');
    writeFileSync(file, '{ "cpu": ');
    const bad = await cli(['machine', '--config', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not valid JSON');
  });
});

describe('cvhrc bench mmu', () => {
  test('--json prints one object with the documented fields', async () => {
    const r = await cli(['bench', 'mmu', '--json', '--pages', '4096']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['bench', 'pages', 'sequentialPerSec', 'randomPerSec']);
    expect(j.bench).toBe('mmu');
    expect(j.pages).toBe(4096);
    expect(j.sequentialPerSec).toBeGreaterThan(0);
    expect(j.randomPerSec).toBeGreaterThan(0);
  });

  test('a bad --pages value is refused', async () => {
    const r = await cli(['bench', 'mmu', '--pages', 'lots']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('expected a positive integer');
  });
});

describe('cvhrc bench mm', () => {
  test('--json prints one object with the documented fields', async () => {
    const r = await cli(['bench', 'mm', '--json', '--memory', String(64 * 2 ** 20)]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, number | string>;
    expect(Object.keys(j)).toEqual([
      'bench',
      'touchPerSec',
      'anonFaultsPerSec',
      'reclaimPagesPerSec',
      'hostBytesPerFrame',
    ]);
    expect(j.bench).toBe('mm');
    for (const k of [
      'touchPerSec',
      'anonFaultsPerSec',
      'reclaimPagesPerSec',
      'hostBytesPerFrame',
    ]) {
      expect(j[k]).toBeGreaterThan(0);
    }
  });
});
