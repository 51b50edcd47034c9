import { describe, expect, test } from 'vitest';
import {
  COST_NAMES,
  CostModel,
  defaultMachineConfig,
  MachineConfigError,
  parseMachineConfig,
} from '@cvhrc/hw';

const model = (): CostModel => new CostModel(defaultMachineConfig());

describe('CostModel defaults', () => {
  test('lmbench figures scaled by 3.6 GHz / 1.86 GHz', () => {
    const c = model();
    const s = 3.6 / 1.86;
    expect(c.protectionFaultNs).toBe(Math.round(650 * s));
    expect(c.minorFaultNs).toBe(Math.round(1500 * s));
    expect(c.contextSwitchNs).toBe(Math.round(7000 * s));
    expect(c.forkNs).toBe(Math.round(100_000 * s));
    expect(c.execNs).toBe(Math.round(350_000 * s));
    // §H: scale ×1.5–2 for 1.86 GHz.
    expect(s).toBeGreaterThan(1.5);
    expect(s).toBeLessThan(2);
  });

  test('disk: §H figures', () => {
    const c = model();
    expect(c.diskTrackToTrackSeekNs).toBe(1e6);
    expect(c.diskAverageSeekNs).toBe(9e6);
    expect(c.diskRevolutionNs).toBeCloseTo(8_333_333.33, 1);
    expect(c.diskRotationalLatencyNs).toBeCloseTo(4_166_666.67, 1);
    expect(c.diskFullStrokeSeekNs).toBe(16e6);
    // §H: ~10–16 ms for a random 4 KB read.
    expect(c.diskRandomPageReadNs).toBeGreaterThan(10e6);
    expect(c.diskRandomPageReadNs).toBeLessThan(16e6);
  });

  test('the seek curve averages diskAverageSeekNs over uniformly random positions', () => {
    const c = model();
    const n = 400;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        sum += c.diskSeekNs((Math.abs(i - j) / n) * c.diskCapacityBytes);
      }
    }
    expect(sum / (n * n) / c.diskAverageSeekNs).toBeCloseTo(1, 2);
    expect(c.diskSeekNs(0)).toBe(0);
    expect(c.diskSeekNs(512)).toBeCloseTo(1e6 + 15e6 * Math.sqrt(512 / 160e9), 6);
    expect(c.diskSeekNs(512)).toBeLessThan(1.001e6);
    expect(c.diskSeekNs(c.diskCapacityBytes)).toBe(16e6);
    expect(c.diskSeekNs(-c.diskCapacityBytes / 4)).toBe(1e6 + 15e6 * 0.5);
  });

  test('every cost has a unit and a source; assumptions say so', () => {
    const rows = model().describe();
    for (const name of COST_NAMES) expect(rows.some((r) => r.name === name)).toBe(true);
    for (const r of rows) {
      expect(r.unit).not.toBe('');
      expect(r.source).toMatch(/§H|assumption|derived/);
      expect(Number.isFinite(r.value)).toBe(true);
    }
    const row = (name: string) => rows.find((r) => r.name === name)!;
    expect(row('pteScanNs').source).toMatch(/^assumption/);
    expect(row('tlbFlushPageNs').source).toMatch(/^assumption/);
    expect(row('tlbFlushAllNs').source).toMatch(/^assumption/);
    expect(row('minorFaultNs').source).toMatch(/§H/);
    expect(row('minorFaultNs').origin).toBe('default');
    expect(row('diskFullStrokeSeekNs').origin).toBe('derived');
  });
});

describe('memory access by working-set size', () => {
  test('a working set that fits in the 2 MB cache costs cacheWordNs per word', () => {
    const c = model();
    expect(c.wordAccessNs(2048 * 1024)).toBe(c.cacheWordNs);
    expect(c.memoryAccessNs(1024, 4096)).toBe(Math.round(1024 * c.cacheWordNs));
  });

  test('a larger one blends by the fraction that fits', () => {
    const c = model();
    const ws = 8 * 1024 * 1024; // 4× the cache: a quarter of the words hit
    const expected = 0.25 * c.cacheWordNs + 0.75 * c.memoryWordNs;
    expect(c.wordAccessNs(ws)).toBeCloseTo(expected, 12);
    expect(c.memoryAccessNs(1_000_000, ws)).toBe(Math.round(1_000_000 * expected));
    // Grows towards memoryWordNs.
    expect(c.wordAccessNs(1 << 30)).toBeLessThan(c.memoryWordNs);
    expect(c.wordAccessNs(1 << 30)).toBeGreaterThan(c.wordAccessNs(ws));
  });
});

describe('overrides', () => {
  test('from the config, from the constructor, and with()', () => {
    const config = parseMachineConfig({ costs: { minorFaultNs: 2500 } });
    const c = new CostModel(config);
    expect(c.minorFaultNs).toBe(2500);
    const row = c.describe().find((r) => r.name === 'minorFaultNs')!;
    expect(row.origin).toBe('override');
    expect(row.source).toMatch(/override.*default 2903/);
    const d = new CostModel(config, { pteScanNs: 50 });
    expect(d.minorFaultNs).toBe(2500);
    expect(d.pteScanNs).toBe(50);
    const e = d.with({ diskAverageSeekNs: 12e6 });
    expect(e.pteScanNs).toBe(50);
    expect(e.diskAverageSeekNs).toBe(12e6);
    expect(e.diskFullStrokeSeekNs).toBe(1e6 + (11e6 * 15) / 8);
    expect(e.get('diskFullStrokeSeekNs')).toBe(e.diskFullStrokeSeekNs);
    // The original is unchanged.
    expect(d.diskAverageSeekNs).toBe(9e6);
  });

  test('bad overrides are refused with the cost named', () => {
    const c = model();
    expect(() => c.with({ minorFaultNs: -1 })).toThrow(MachineConfigError);
    expect(() => c.with({ minorFaultNs: -1 })).toThrow(/costs\.minorFaultNs/);
    expect(() => c.with({ diskTransferBytesPerSec: 0 })).toThrow(/greater than 0/);
    expect(() => c.with({ diskAverageSeekNs: 5e5 })).toThrow(/costs\.diskAverageSeekNs/);
    expect(() => c.with({ bogusNs: 1 } as never)).toThrow(/costs\.bogusNs/);
  });

  test('defaults follow the machine: clock, rpm', () => {
    const fast = new CostModel(
      parseMachineConfig({ cpu: { clockHz: 3.6e9 }, disk: { rpm: 15000 } }),
    );
    expect(fast.protectionFaultNs).toBe(650);
    expect(fast.diskRevolutionNs).toBe(4e6);
    expect(fast.cyclesToNs(36)).toBeCloseTo(10, 12);
  });
});
