import { describe, expect, it } from 'vitest';
import { ScenarioError, expandContexts, parseScenario, runScenario } from '../src/index.js';

const base = { name: 't', contexts: [{ workload: 'loop' }] };

function issues(input: unknown): readonly string[] {
  try {
    parseScenario(input, 'x.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as Error).message.startsWith('x.json: ')).toBe(true);
    return (e as ScenarioError).issues;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('fills in the defaults', () => {
    const s = parseScenario(base);
    expect(s.seed).toBe(1);
    expect(s.tracking).toEqual({ enabled: false, scanList: 8192, oracle: false });
    expect(s.watchdog.enabled).toBe(true);
    expect(s.contexts[0]).toMatchObject({ workload: 'loop', params: {}, count: 1, startSec: 0 });
    expect(s.maxSec).toBe(3600);
    expect(s.machineConfig.memory.bytes).toBe(2 * 1024 ** 3);
  });

  it('names the bad field of a nested array entry', () => {
    expect(issues({ ...base, contexts: [{ workload: 'loop' }, { workload: 3 }] })).toEqual([
      expect.stringMatching(/^contexts\[1\]\.workload: /),
    ]);
  });

  it('refuses unknown fields, naming them', () => {
    const got = issues({ ...base, tracking: { enabled: true, scanlist: 10 } });
    expect(got.join()).toMatch(/tracking/);
    expect(got.join()).toMatch(/scanlist/);
  });

  it('reports every bad field at once', () => {
    const got = issues({ name: '', seed: -1, contexts: [] });
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.some((i) => i.startsWith('name:'))).toBe(true);
    expect(got.some((i) => i.startsWith('seed:'))).toBe(true);
    expect(got.some((i) => i.startsWith('contexts:'))).toBe(true);
  });

  it('validates the machine through @cvhrc/hw and names the field', () => {
    expect(issues({ ...base, machine: { memory: { bytes: 12345 } } })).toEqual([
      expect.stringMatching(/^machine\.memory\.bytes: /),
    ]);
    expect(issues({ ...base, machine: { cpu: { cores: 2 } } })).toEqual([
      expect.stringMatching(/^machine\.cpu\.cores: is not a known field/),
    ]);
  });

  it("checks each workload's name and parameters, naming the field", () => {
    expect(
      issues({
        ...base,
        contexts: [
          { workload: 'nosuch' },
          { workload: 'loop', params: { pages: 0, colour: 'red' } },
          { workload: 'loop', alongside: [{ workload: 'loop', params: { pages: 1.5 } }] },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^contexts\[0\]\.workload: no such workload \(known: .*loop/),
      expect.stringMatching(/^contexts\[1\]\.params\.colour: unknown parameter \(known: pages/),
      'contexts[2].alongside[0].params.pages: expected an integer, got 1.5',
    ]);
    expect(issues({ ...base, contexts: [{ workload: 'loop', params: { pages: 0 } }] })).toEqual([
      'contexts[0].params.pages: must be ≥ 1, got 0',
    ]);
  });

  it('names the field of a parameter the workload refuses only when it is made', () => {
    const s = parseScenario({
      ...base,
      contexts: [
        { workload: 'loop' },
        { workload: 'lmbench-mem', params: { mb: 8, strides: '3' } },
      ],
    });
    let error: unknown;
    try {
      runScenario(s);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).issues).toEqual([
      expect.stringMatching(/^contexts\[1\]\.params\.strides: expected strides in bytes/),
    ]);
  });

  it('checks curve times against the duration and their order', () => {
    expect(issues({ ...base, durationSec: 60, curvesAtSec: [30, 90] })).toEqual([
      'curvesAtSec[1]: 90 s is after the end of the run (60 s)',
    ]);
    expect(issues({ ...base, curvesAtSec: [60, 60] })).toEqual([
      'curvesAtSec[1]: times must increase',
    ]);
  });

  it('reads JSON text and reports bad JSON', () => {
    expect(parseScenario(JSON.stringify(base)).name).toBe('t');
    expect(issues('{"name": ')[0]).toMatch(/^not valid JSON/);
  });
});

describe('expandContexts', () => {
  it('replicates counted contexts with unique names, indices and their place', () => {
    const s = parseScenario({
      name: 't',
      contexts: [
        { workload: 'loop', count: 2 },
        { name: 'big', workload: 'zipf', count: 2 },
        { name: 'one', workload: 'uniform' },
      ],
    });
    expect(expandContexts(s).map((c) => [c.name, c.index, c.workload, c.path])).toEqual([
      ['vm1', 0, 'loop', 'contexts[0]'],
      ['vm2', 1, 'loop', 'contexts[0]'],
      ['big-1', 2, 'zipf', 'contexts[1]'],
      ['big-2', 3, 'zipf', 'contexts[1]'],
      ['one', 4, 'uniform', 'contexts[2]'],
    ]);
  });

  it('refuses a name used twice', () => {
    const s = parseScenario({
      name: 't',
      contexts: [
        { name: 'a', workload: 'loop' },
        { name: 'a', workload: 'loop' },
      ],
    });
    expect(() => expandContexts(s)).toThrow(/"a" is used twice/);
  });
});
