import { describe, expect, test } from 'vitest';
import {
  defaultMachineConfig,
  describeMachineConfig,
  MachineConfigError,
  mergeMachineConfig,
  parseMachineConfig,
} from '@cvhrc/hw';

function refusal(input: unknown, source?: string): MachineConfigError {
  try {
    parseMachineConfig(input, source);
  } catch (e) {
    if (e instanceof MachineConfigError) return e;
    throw e;
  }
  throw new Error('expected a MachineConfigError');
}

describe('defaults: the paper’s Table 1', () => {
  test('values', () => {
    const c = defaultMachineConfig();
    expect(c.cpu).toEqual({ count: 2, clockHz: 1.86e9, cacheBytes: 2048 * 1024 });
    expect(c.memory).toEqual({ bytes: 2 ** 31, pageBytes: 4096 });
    expect(c.disk).toMatchObject({ capacityBytes: 160e9, rpm: 7200, sectorBytes: 512 });
    expect(c.costs).toEqual({});
  });

  test('an empty document gives the defaults; each call is a fresh object', () => {
    expect(parseMachineConfig({})).toEqual(defaultMachineConfig());
    expect(parseMachineConfig('{}')).toEqual(defaultMachineConfig());
    expect(defaultMachineConfig()).not.toBe(defaultMachineConfig());
  });

  test('rows for reports', () => {
    const rows = describeMachineConfig(defaultMachineConfig());
    expect(rows.find((r) => r.path === 'memory.bytes')).toMatchObject({
      value: 2 ** 31,
      unit: 'bytes',
    });
    expect(rows.map((r) => r.path)).toContain('cpu.clockHz');
  });
});

describe('loading', () => {
  test('deep-partial overrides merge onto the defaults', () => {
    const c = parseMachineConfig(
      JSON.stringify({ memory: { bytes: 512 * 1024 * 1024 }, costs: { minorFaultNs: 2500 } }),
      'small.json',
    );
    expect(c.memory).toEqual({ bytes: 2 ** 29, pageBytes: 4096 });
    expect(c.cpu.count).toBe(2);
    expect(c.costs).toEqual({ minorFaultNs: 2500 });
  });

  test('merging onto another base keeps its costs', () => {
    const base = parseMachineConfig({ costs: { minorFaultNs: 2500 } });
    const c = mergeMachineConfig(base, { cpu: { count: 4 }, costs: { pteScanNs: 20 } });
    expect(c.cpu.count).toBe(4);
    expect(c.costs).toEqual({ minorFaultNs: 2500, pteScanNs: 20 });
  });
});

describe('bad configurations are refused with the field named', () => {
  const cases: [string, unknown, string, RegExp][] = [
    [
      'memory not a multiple of the page',
      { memory: { bytes: 1000 * 4096 + 1 } },
      'memory.bytes',
      /multiple of memory\.pageBytes \(4096\)/,
    ],
    ['memory beyond 4 GiB', { memory: { bytes: 8 * 2 ** 30 } }, 'memory.bytes', /4 GiB/],
    ['memory as a string', { memory: { bytes: '2G' } }, 'memory.bytes', /integer.*got "2G"/],
    ['page size', { memory: { pageBytes: 8192 } }, 'memory.pageBytes', /must be 4096/],
    ['no CPUs', { cpu: { count: 0 } }, 'cpu.count', /integer from 1 to 64, got 0/],
    ['fractional CPUs', { cpu: { count: 1.5 } }, 'cpu.count', /got 1\.5/],
    ['clock in GHz', { cpu: { clockHz: 1.86 } }, 'cpu.clockHz', /Hz, e\.g\. 1860000000/],
    ['negative cache', { cpu: { cacheBytes: -1 } }, 'cpu.cacheBytes', /integer/],
    [
      'disk not whole sectors',
      { disk: { capacityBytes: 160e9 + 100 } },
      'disk.capacityBytes',
      /multiple of disk\.sectorBytes/,
    ],
    ['sector size', { disk: { sectorBytes: 1000 } }, 'disk.sectorBytes', /power of two/],
    ['rpm', { disk: { rpm: 0 } }, 'disk.rpm', /number from 100/],
    ['name', { name: 7 }, 'name', /must be a string/],
    ['negative cost', { costs: { minorFaultNs: -5 } }, 'costs.minorFaultNs', /at least 0/],
    [
      'cost as a string',
      { costs: { minorFaultNs: '2 us' } },
      'costs.minorFaultNs',
      /finite number/,
    ],
    [
      'zero transfer rate',
      { costs: { diskTransferBytesPerSec: 0 } },
      'costs.diskTransferBytesPerSec',
      /greater than 0/,
    ],
    [
      'seek average below track-to-track',
      { costs: { diskAverageSeekNs: 10 } },
      'costs.diskAverageSeekNs',
      /at least/,
    ],
    ['unknown top-level field', { memroy: {} }, 'memroy', /did you mean "memory"/],
    ['unknown nested field', { memory: { byte: 4096 } }, 'memory.byte', /did you mean "bytes"/],
    [
      'unknown field, no near miss',
      { cpu: { vendor: 'intel' } },
      'cpu.vendor',
      /known: count, clockHz, cacheBytes/,
    ],
    [
      'unknown cost',
      { costs: { minorFaultUs: 2 } },
      'costs.minorFaultUs',
      /not a known cost \(did you mean "minorFaultNs"\?\)/,
    ],
    ['section not an object', { cpu: 2 }, 'cpu', /must be an object, got 2/],
    ['costs an array', { costs: [] }, 'costs', /must be an object, got an array/],
  ];
  test.each(cases)('%s', (_name, input, path, reason) => {
    const e = refusal(input, 'machine.json');
    expect(e.path).toBe(path);
    expect(e.source).toBe('machine.json');
    expect(e.reason).toMatch(reason);
    expect(e.message).toContain('machine.json');
    expect(e.message).toContain(`"${path}"`);
    expect(e.name).toBe('MachineConfigError');
    expect(e).toBeInstanceOf(Error);
  });

  test('not an object, not JSON', () => {
    expect(refusal([]).reason).toMatch(/JSON object/);
    expect(refusal(null).reason).toMatch(/JSON object, got null/);
    const e = refusal('{ "cpu": ', 'broken.json');
    expect(e.path).toBe('');
    expect(e.message).toMatch(/^machine config broken\.json: is not valid JSON/);
  });

  test('the message is one line: source, field, reason', () => {
    expect(refusal({ memory: { bytes: 1000 } }, 'm.json').message).toBe(
      'machine config m.json: field "memory.bytes" must be an integer from 4096 to 4294967296 ' +
        '(x86-32 without PAE: 4 GiB), got 1000',
    );
    expect(refusal({ cpu: { count: 0 } }).message).toBe(
      'machine config: field "cpu.count" must be an integer from 1 to 64, got 0',
    );
  });
});
