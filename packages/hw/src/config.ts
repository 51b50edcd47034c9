import { CostModel, validateCostOverrides, type CostOverrides } from './costs.js';
import { MachineConfigError } from './errors.js';
import { describeValue, suggestKey } from './internal/describe.js';

/** The processors. */
export interface CpuConfig {
  /** Number of CPUs (cores); Table 1: a dual-core CPU. */
  readonly count: number;
  /** Clock rate in Hz; Table 1: 1.86 GHz. */
  readonly clockHz: number;
  /** Last-level (L2) cache in bytes, which working sets are compared with; Table 1: 2048 KB. */
  readonly cacheBytes: number;
}

/** Physical memory. */
export interface MemoryConfig {
  /** RAM in bytes; Table 1: 2 GB. At most 4 GiB (x86-32 without PAE). */
  readonly bytes: number;
  /** Page size in bytes: 4096, the only size two-level x86-32 paging has without PSE. */
  readonly pageBytes: number;
}

/** The disk. */
export interface DiskConfig {
  /** Free text for reports. */
  readonly model: string;
  /** Capacity in bytes; Table 1: 160 GB (decimal, as disk vendors count). */
  readonly capacityBytes: number;
  /** Spindle speed; Table 1: 7200 rpm. */
  readonly rpm: number;
  /** Sector size in bytes; requests are whole sectors. */
  readonly sectorBytes: number;
}

/** The emulated machine. Defaults: the paper's Table 1 ({@link defaultMachineConfig}). */
export interface MachineConfig {
  /** Free text naming the machine in reports. */
  readonly name: string;
  readonly cpu: CpuConfig;
  readonly memory: MemoryConfig;
  readonly disk: DiskConfig;
  /** Overrides of named costs for runs on this machine, e.g. `{ minorFaultNs: 2500 }`. */
  readonly costs: CostOverrides;
}

/** What a JSON file (or code) may give: any subset of the fields, merged onto a base. */
export interface MachineConfigOverrides {
  readonly name?: string;
  readonly cpu?: Partial<CpuConfig>;
  readonly memory?: Partial<MemoryConfig>;
  readonly disk?: Partial<DiskConfig>;
  readonly costs?: CostOverrides;
}

const GiB = 1024 * 1024 * 1024;

/** The paper's Table 1: 1.86 GHz dual-core, 2048 KB cache, 2 GB RAM, 160 GB 7200 rpm SATA. */
export function defaultMachineConfig(): MachineConfig {
  return {
    name: 'Kim & Noh 2007, Table 1',
    cpu: { count: 2, clockHz: 1_860_000_000, cacheBytes: 2048 * 1024 },
    memory: { bytes: 2 * GiB, pageBytes: 4096 },
    disk: {
      model: 'Samsung SATA 160 GB 7200 rpm',
      capacityBytes: 160_000_000_000,
      rpm: 7200,
      sectorBytes: 512,
    },
    costs: {},
  };
}

type Section = 'cpu' | 'memory' | 'disk';

interface FieldSpec {
  readonly unit: string;
  readonly description: string;
  /** Returns why the value is refused, or undefined when it is fine. */
  readonly check: (value: unknown, config: MachineConfig) => string | undefined;
}

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

const integerIn =
  (min: number, max: number, hint = '') =>
  (v: unknown): string | undefined =>
    isInteger(v) && v >= min && v <= max
      ? undefined
      : `must be an integer from ${min} to ${max}${hint}, got ${describeValue(v)}`;

const numberIn =
  (min: number, max: number, hint = '') =>
  (v: unknown): string | undefined =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? undefined
      : `must be a number from ${min} to ${max}${hint}, got ${describeValue(v)}`;

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? undefined : `must be a string, got ${describeValue(v)}`;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

const FIELDS: Readonly<Record<Section, Readonly<Record<string, FieldSpec>>>> = {
  cpu: {
    count: {
      unit: 'CPUs',
      description: 'processors (cores)',
      check: integerIn(1, 64),
    },
    clockHz: {
      unit: 'Hz',
      description: 'clock rate',
      check: numberIn(1e6, 1e11, ' (Hz, e.g. 1860000000 for 1.86 GHz)'),
    },
    cacheBytes: {
      unit: 'bytes',
      description: 'last-level cache',
      check: integerIn(0, 2 ** 31),
    },
  },
  memory: {
    bytes: {
      unit: 'bytes',
      description: 'physical memory',
      check: (v, c) => {
        const limit = integerIn(c.memory.pageBytes, 4 * GiB, ' (x86-32 without PAE: 4 GiB)')(v);
        if (limit !== undefined) return limit;
        return (v as number) % c.memory.pageBytes === 0
          ? undefined
          : `must be a multiple of memory.pageBytes (${c.memory.pageBytes}), got ${v as number}`;
      },
    },
    pageBytes: {
      unit: 'bytes',
      description: 'page size',
      check: (v) =>
        v === 4096
          ? undefined
          : `must be 4096: x86-32 two-level paging has only 4 KiB pages (no PSE), got ${describeValue(v)}`,
    },
  },
  disk: {
    model: { unit: '', description: 'disk model', check: text },
    capacityBytes: {
      unit: 'bytes',
      description: 'disk capacity',
      check: (v, c) => {
        const limit = integerIn(c.memory.pageBytes, Number.MAX_SAFE_INTEGER)(v);
        if (limit !== undefined) return limit;
        return (v as number) % c.disk.sectorBytes === 0
          ? undefined
          : `must be a multiple of disk.sectorBytes (${c.disk.sectorBytes}), got ${v as number}`;
      },
    },
    rpm: {
      unit: 'rpm',
      description: 'spindle speed',
      check: numberIn(100, 100_000),
    },
    sectorBytes: {
      unit: 'bytes',
      description: 'sector size',
      check: (v) =>
        isInteger(v) && v >= 512 && v <= 4096 && isPowerOfTwo(v)
          ? undefined
          : `must be a power of two from 512 to 4096, got ${describeValue(v)}`,
    },
  },
};

const SECTIONS = Object.keys(FIELDS) as Section[];
const TOP_LEVEL = ['name', ...SECTIONS, 'costs'];

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a machine configuration: `input` is parsed JSON (or JSON text) holding any subset of
 * {@link MachineConfig}'s fields; they are merged onto the defaults (Table 1) and the result
 * is validated. Bad values and unknown fields throw {@link MachineConfigError} naming
 * `source` (e.g. the file name), the field path and the reason.
 */
export function parseMachineConfig(input: unknown, source?: string): MachineConfig {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input) as unknown;
    } catch (e) {
      throw new MachineConfigError('', `is not valid JSON: ${(e as Error).message}`, source);
    }
  }
  return mergeMachineConfig(defaultMachineConfig(), json, source);
}

/**
 * Merges deep-partial overrides (a {@link MachineConfigOverrides}, from code or parsed
 * JSON) onto a base configuration and validates the result, base included. Unknown fields
 * and bad values throw {@link MachineConfigError}.
 */
export function mergeMachineConfig(
  base: MachineConfig,
  overrides: unknown,
  source?: string,
): MachineConfig {
  const fail = (path: string, reason: string): never => {
    throw new MachineConfigError(path, reason, source);
  };
  if (!isPlainObject(overrides)) {
    return fail('', `must be a JSON object, got ${describeValue(overrides)}`);
  }
  const sections: Record<Section, Record<string, unknown>> = {
    cpu: { ...base.cpu },
    memory: { ...base.memory },
    disk: { ...base.disk },
  };
  let name: unknown = base.name;
  let costs: CostOverrides = validateCostOverrides(base.costs, 'costs', source);
  for (const [key, value] of Object.entries(overrides)) {
    if (key === 'name') {
      name = value;
    } else if (key === 'costs') {
      costs = { ...costs, ...validateCostOverrides(value, 'costs', source) };
    } else if (key === 'cpu' || key === 'memory' || key === 'disk') {
      if (!isPlainObject(value)) fail(key, `must be an object, got ${describeValue(value)}`);
      const specs = FIELDS[key];
      const known = Object.keys(specs);
      for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
        if (!Object.prototype.hasOwnProperty.call(specs, field)) {
          fail(`${key}.${field}`, `is not a known field${suggestKey(field, known)}`);
        }
        sections[key][field] = v;
      }
    } else {
      fail(key, `is not a known field${suggestKey(key, TOP_LEVEL)}`);
    }
  }
  const merged = {
    name,
    cpu: sections.cpu,
    memory: sections.memory,
    disk: sections.disk,
    costs,
  } as unknown as MachineConfig;
  const nameProblem = text(name);
  if (nameProblem !== undefined) fail('name', nameProblem);
  // pageBytes and sectorBytes first: other checks are stated in their terms.
  const order: [Section, string][] = [
    ['memory', 'pageBytes'],
    ['disk', 'sectorBytes'],
  ];
  for (const section of SECTIONS) {
    for (const field of Object.keys(FIELDS[section])) {
      if (!order.some(([s, f]) => s === section && f === field)) order.push([section, field]);
    }
  }
  for (const [section, field] of order) {
    const problem = FIELDS[section][field]!.check(sections[section][field], merged);
    if (problem !== undefined) fail(`${section}.${field}`, problem);
  }
  try {
    // Cross-checks between costs (e.g. average seek ≥ track-to-track) live in the model.
    new CostModel(merged);
  } catch (e) {
    if (e instanceof MachineConfigError) fail(e.path, e.reason);
    throw e;
  }
  return merged;
}

/** One row of {@link describeMachineConfig}. */
export interface MachineConfigRow {
  readonly path: string;
  readonly value: string | number;
  readonly unit: string;
  readonly description: string;
}

/** The machine as rows (path, value, unit, description) for reports; costs not included. */
export function describeMachineConfig(config: MachineConfig): MachineConfigRow[] {
  const rows: MachineConfigRow[] = [
    { path: 'name', value: config.name, unit: '', description: 'machine' },
  ];
  for (const section of SECTIONS) {
    const values = config[section] as unknown as Record<string, string | number>;
    for (const [field, spec] of Object.entries(FIELDS[section])) {
      rows.push({
        path: `${section}.${field}`,
        value: values[field]!,
        unit: spec.unit,
        description: spec.description,
      });
    }
  }
  return rows;
}
