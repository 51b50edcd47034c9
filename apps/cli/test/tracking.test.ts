// `cvhrc bench tracking`: CvHRC's overhead, tracking off vs on, per number of contexts.
import { expect, test } from 'vitest';
import { cli } from './helpers.js';

interface Row {
  contexts: number;
  simOverheadPct: number;
  hostOverheadPct: number;
  fakeFaultsPer1k: number;
  ptesScannedPer1k: number;
}

test('bench tracking --json prints one row per number of contexts', async () => {
  const small = ['--hot', '384', '--cold', '256', '--repeat', '8', '--loops', '2'];
  const r = await cli([
    'bench',
    'tracking',
    '--json',
    '--contexts',
    '1,3',
    ...small,
    '--scan-list',
    '512',
    '--scan-interval-ms',
    '5',
    '--memory',
    String(128 << 20),
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout) as { bench: string; rows: Row[] };
  expect(j.bench).toBe('tracking');
  expect(j.rows.map((row) => row.contexts)).toEqual([1, 3]);
  for (const row of j.rows) {
    // Tracking costs simulated time, and it is work the kernel did: scans and fake faults.
    expect(row.simOverheadPct).toBeGreaterThan(0);
    expect(row.simOverheadPct).toBeLessThan(50);
    expect(Number.isFinite(row.hostOverheadPct)).toBe(true);
    // 640 pages per context > 512 scanned: the cold sweep takes fake faults.
    expect(row.fakeFaultsPer1k).toBeGreaterThan(10);
    expect(row.ptesScannedPer1k).toBeGreaterThan(row.fakeFaultsPer1k);
  }
  const table = await cli([
    'bench',
    'tracking',
    '--contexts',
    '2',
    ...small,
    '--memory',
    String(64 << 20),
  ]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/contexts.*sim overhead %/);
  const bad = await cli(['bench', 'tracking', '--cold', '-3']);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('--cold');
});
