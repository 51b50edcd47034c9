// The same seed gives byte-identical results.json: the reproduction's runs, on small settings.
import { describe, expect, it } from 'vitest';
import {
  buildReproduction,
  experimentSettings,
  planReproduction,
  runScenario,
  type ExperimentPart,
  type ExperimentSettings,
} from '../src/index.js';

const tiny: ExperimentSettings = {
  ...experimentSettings(true),
  label: 'test (tiny)',
  machine: { memory: { bytes: 32 * 1024 * 1024 } },
  seeds: 1,
  vms: [1, 2],
  thrashVms: [],
  params: {
    'lmbench-mem': { mb: 8, enoughUs: 200, strides: '128' },
    'lmbench-all': { mb: 8, enoughUs: 200, strides: '128' },
    'kernel-compile': { units: 4 },
  },
  figureTimesSec: [1, 2],
  figure5Sec: 2,
  sampleEverySec: 1,
};

function resultsJson(parts: readonly ExperimentPart[]): string {
  const plan = planReproduction(tiny, new Set(parts));
  const results = plan.map((r) => runScenario(r.scenario).results);
  return JSON.stringify(buildReproduction(tiny, parts, plan, results).results, null, 2);
}

describe('results.json', () => {
  it('is byte-identical for the same seeds, and holds the tables and figures', () => {
    const parts: ExperimentPart[] = ['table2', 'table3', 'figures'];
    const a = resultsJson(parts);
    const b = resultsJson(parts);
    expect(b).toBe(a);
    const r = JSON.parse(a) as {
      table3: {
        vms: number;
        workload: string;
        withoutSec: number;
        withSec: number;
        overheadPerVmPct: number;
      }[];
      table2: { staticBytes: number; bytesPerNode: number; perWorkload: { peakNodes: number }[] };
      figures: Record<string, { cvhrc: unknown[]; exact: unknown[] }>;
    };
    expect(r.table3.map((x) => `${x.workload}:${x.vms}`)).toEqual([
      'lmbench-mem:1',
      'lmbench-mem:2',
      'kernel-compile:1',
      'kernel-compile:2',
    ]);
    for (const row of r.table3) {
      expect(row.withoutSec).toBeGreaterThan(0);
      expect(row.withSec).toBeGreaterThan(0);
    }
    expect(r.table2.staticBytes).toBeGreaterThan(0);
    expect(r.table2.perWorkload.every((w) => w.peakNodes > 0)).toBe(true);
    expect(Object.keys(r.figures).sort()).toEqual(['figure3', 'figure4', 'figure5']);
    for (const f of Object.values(r.figures)) {
      expect(f.cvhrc.length).toBeGreaterThan(0);
      expect(f.exact.length).toBeGreaterThan(0);
    }
  }, 120_000);
});
