import type { MachineConfig } from './config.js';
import { MachineConfigError } from './errors.js';
import { describeValue, suggestKey } from './internal/describe.js';

/** Bytes in one machine word on x86-32: the unit of {@link CostModel.memoryAccessNs}. */
export const WORD_BYTES = 4;

/** The costs a run may override (in `MachineConfig.costs` or {@link CostModel.with}). */
export const COST_NAMES = [
  'cacheWordNs',
  'memoryWordNs',
  'minorFaultNs',
  'protectionFaultNs',
  'pteScanNs',
  'tlbFlushPageNs',
  'tlbFlushAllNs',
  'zeroPageNs',
  'copyPageNs',
  'contextSwitchNs',
  'forkNs',
  'execNs',
  'diskTrackToTrackSeekNs',
  'diskAverageSeekNs',
  'diskTransferBytesPerSec',
] as const;

/** Name of an overridable cost. */
export type CostName = (typeof COST_NAMES)[number];

/** Per-run overrides of named costs, e.g. `{ minorFaultNs: 2500 }`. */
export type CostOverrides = Partial<Record<CostName, number>>;

/** Values derived from other costs and the machine; reported, not overridable. */
export type DerivedCostName =
  | 'diskFullStrokeSeekNs'
  | 'diskRevolutionNs'
  | 'diskRotationalLatencyNs'
  | 'diskRandomPageReadNs';

/** One row of {@link CostModel.describe}: what a cost is worth in this run and why. */
export interface CostRow {
  readonly name: CostName | DerivedCostName;
  readonly value: number;
  readonly unit: string;
  /** Where the value comes from: a reference section, an assumption, or a derivation. */
  readonly source: string;
  /** `default` (from the source), `override` (set for this run), `derived` (computed). */
  readonly origin: 'default' | 'override' | 'derived';
}

interface CostDefinition {
  readonly unit: string;
  /** Smallest allowed value; `positive` ones must also be > 0. */
  readonly positive: boolean;
  readonly value: (m: MachineConfig) => number;
  readonly source: (m: MachineConfig) => string;
}

/** lmbench figures in §H were measured at 3.6 GHz; §H says scale ×1.5–2 for 1.86 GHz. */
const LMBENCH_HZ = 3.6e9;
const lmbenchScale = (m: MachineConfig): number => LMBENCH_HZ / m.cpu.clockHz;
const ghz = (m: MachineConfig): string => `${+(m.cpu.clockHz / 1e9).toFixed(3)} GHz`;
const scaled = (m: MachineConfig, what: string): string =>
  `reference §H: lmbench (3.6 GHz, 2.6.22) ${what}, scaled ×${lmbenchScale(m).toFixed(2)} ` +
  `(3.6 GHz / ${ghz(m)}; §H: ×1.5–2 for 1.86 GHz)`;
const cyclesNs = (m: MachineConfig, cycles: number): number => (cycles * 1e9) / m.cpu.clockHz;
const cycles = (m: MachineConfig, n: number, why: string): string =>
  `assumption: ${why}; ${n} cycles at ${ghz(m)} (§H: no published figure)`;
const round2 = (x: number): number => Math.round(x * 100) / 100;

const DEFINITIONS: Readonly<Record<CostName, CostDefinition>> = {
  cacheWordNs: {
    unit: 'ns/word',
    positive: false,
    value: (m) => round2(cyclesNs(m, 2)),
    source: (m) =>
      cycles(
        m,
        2,
        'a word access while the working set fits in the L2 cache: one load plus a ' +
          'share of the ~14-cycle line fill from L2, prefetched',
      ),
  },
  memoryWordNs: {
    unit: 'ns/word',
    positive: false,
    value: () => 4,
    source: () =>
      'assumption: a word access that misses the L2 cache: a 64 B line from DDR2 memory at ' +
      '~60 ns effective (latency partly hidden by prefetch) shared by 16 words (no published figure)',
  },
  minorFaultNs: {
    unit: 'ns',
    positive: false,
    value: (m) => Math.round(1500 * lmbenchScale(m)),
    source: (m) => scaled(m, 'page fault 1–2 µs, midpoint 1.5 µs (older boxes: 3–4 µs)'),
  },
  protectionFaultNs: {
    unit: 'ns',
    positive: false,
    value: (m) => Math.round(650 * lmbenchScale(m)),
    source: (m) => scaled(m, 'protection fault ~0.65 µs'),
  },
  pteScanNs: {
    unit: 'ns/PTE',
    positive: false,
    value: (m) => Math.round(cyclesNs(m, 20)),
    source: (m) =>
      cycles(m, 20, 'read one PTE, test-and-clear its accessed bit and step to the next'),
  },
  tlbFlushPageNs: {
    unit: 'ns',
    positive: false,
    value: (m) => Math.round(cyclesNs(m, 200)),
    source: (m) =>
      cycles(m, 200, 'invlpg of one entry (~100 cycles) plus one page walk to refill it (~100)'),
  },
  tlbFlushAllNs: {
    unit: 'ns',
    positive: false,
    value: (m) => Math.round(cyclesNs(m, 2000)),
    source: (m) =>
      cycles(m, 2000, 'CR3 reload (~200 cycles) plus refilling ~64 live entries at ~30 cycles'),
  },
  zeroPageNs: {
    unit: 'ns/page',
    positive: false,
    value: (m) => Math.round(m.memory.pageBytes / 3),
    source: (m) =>
      `assumption: clear_page streams ${m.memory.pageBytes} B at ~3 GB/s store bandwidth ` +
      '(DDR2-667 era; no published figure)',
  },
  copyPageNs: {
    unit: 'ns/page',
    positive: false,
    value: (m) => Math.round(m.memory.pageBytes / 1.5),
    source: (m) =>
      `assumption: copy_page reads and writes ${m.memory.pageBytes} B at ~1.5 GB/s ` +
      '(half the store bandwidth of zeroPageNs; no published figure)',
  },
  contextSwitchNs: {
    unit: 'ns',
    positive: false,
    value: (m) => Math.round(7000 * lmbenchScale(m)),
    source: (m) => scaled(m, '2-process context switch ~7 µs'),
  },
  forkNs: {
    unit: 'ns',
    positive: false,
    value: (m) => Math.round(100_000 * lmbenchScale(m)),
    source: (m) => scaled(m, 'fork+exit ~100 µs'),
  },
  execNs: {
    unit: 'ns',
    positive: false,
    value: (m) => Math.round(350_000 * lmbenchScale(m)),
    source: (m) => scaled(m, 'fork+exec ~450 µs minus fork+exit ~100 µs'),
  },
  diskTrackToTrackSeekNs: {
    unit: 'ns',
    positive: false,
    value: () => 1_000_000,
    source: () => 'reference §H: 1 ms track-to-track seek (7200 rpm SATA)',
  },
  diskAverageSeekNs: {
    unit: 'ns',
    positive: false,
    value: () => 9_000_000,
    source: () =>
      'reference §H: ~8–12 ms average seek; 9 ms chosen. The seek curve is calibrated so that ' +
      'the mean over uniformly random start and end positions equals this value',
  },
  diskTransferBytesPerSec: {
    unit: 'B/s',
    positive: true,
    value: () => 60_000_000,
    source: () =>
      'assumption: ~60 MB/s sustained media rate of a 2007 160 GB 7200 rpm SATA disk ' +
      '(§H gives none; "sequential runs far cheaper")',
  },
};

const isCostName = (key: string): key is CostName =>
  Object.prototype.hasOwnProperty.call(DEFINITIONS, key);

/**
 * Checks a `costs` object (from JSON or code) and returns it typed. Unknown names and bad
 * values are refused with a {@link MachineConfigError} naming `<prefix>.<name>`.
 * Used by the config loader and the model's constructor; not part of the package API.
 */
export function validateCostOverrides(
  value: unknown,
  prefix: string,
  source: string | undefined,
): CostOverrides {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MachineConfigError(prefix, `must be an object, got ${describeValue(value)}`, source);
  }
  const out: CostOverrides = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (!isCostName(key)) {
      throw new MachineConfigError(
        path,
        `is not a known cost${suggestKey(key, COST_NAMES)}`,
        source,
      );
    }
    const def = DEFINITIONS[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MachineConfigError(
        path,
        `must be a finite number in ${def.unit}, got ${describeValue(v)}`,
        source,
      );
    }
    if (def.positive ? v <= 0 : v < 0) {
      throw new MachineConfigError(
        path,
        `must be ${def.positive ? 'greater than 0' : 'at least 0'} ${def.unit}, got ${v}`,
        source,
      );
    }
    out[key] = v;
  }
  return out;
}

/** Seek and rotation of one disk request, as computed by {@link CostModel.diskLatency}. */
export interface DiskLatency {
  /** True when the request starts where the previous one ended: transfer only. */
  readonly sequential: boolean;
  readonly seekNs: number;
  readonly rotationNs: number;
  readonly transferNs: number;
  /** seekNs + rotationNs + transferNs (each rounded to whole ns). */
  readonly totalNs: number;
}

/**
 * Every action that takes time on the emulated machine, with its value for this run and the
 * source of that value. Costs are plain readonly fields (`costs.minorFaultNs`) so hot code
 * reads them directly; {@link describe} returns the whole model as rows for reports.
 *
 * Defaults depend on the machine: lmbench figures from §H are scaled by 3.6 GHz / the CPU
 * clock, cycle-based assumptions by the clock, page costs by the page size, rotation by rpm.
 */
export class CostModel {
  readonly config: MachineConfig;
  /** Overrides in force (config `costs` merged with constructor overrides). */
  readonly overrides: Readonly<CostOverrides>;

  readonly cacheWordNs: number;
  readonly memoryWordNs: number;
  readonly minorFaultNs: number;
  readonly protectionFaultNs: number;
  readonly pteScanNs: number;
  readonly tlbFlushPageNs: number;
  readonly tlbFlushAllNs: number;
  readonly zeroPageNs: number;
  readonly copyPageNs: number;
  readonly contextSwitchNs: number;
  readonly forkNs: number;
  readonly execNs: number;
  readonly diskTrackToTrackSeekNs: number;
  readonly diskAverageSeekNs: number;
  readonly diskTransferBytesPerSec: number;

  /** Derived: seek over the whole disk, from the calibration of the seek curve. */
  readonly diskFullStrokeSeekNs: number;
  /** Derived: one revolution, 60e9 / rpm. */
  readonly diskRevolutionNs: number;
  /** Derived: the rotational latency charged to every non-sequential request (half a turn). */
  readonly diskRotationalLatencyNs: number;
  /** The disk capacity the seek curve spans. */
  readonly diskCapacityBytes: number;
  /** Derived: average random read of one page (average seek + rotation + transfer). */
  readonly diskRandomPageReadNs: number;
  /** The CPU cache size the working set is compared with. */
  readonly cacheBytes: number;

  /**
   * @param config a validated machine configuration (e.g. {@link defaultMachineConfig});
   *   its `costs` are applied first.
   * @param overrides further overrides for this run; a bad value throws
   *   {@link MachineConfigError} with the path `costs.<name>`.
   */
  constructor(config: MachineConfig, overrides: CostOverrides = {}) {
    const merged = {
      ...validateCostOverrides(config.costs, 'costs', undefined),
      ...validateCostOverrides(overrides, 'costs', undefined),
    };
    this.config = config;
    this.overrides = Object.freeze(merged);
    const v = (name: CostName): number => merged[name] ?? DEFINITIONS[name].value(config);
    this.cacheWordNs = v('cacheWordNs');
    this.memoryWordNs = v('memoryWordNs');
    this.minorFaultNs = v('minorFaultNs');
    this.protectionFaultNs = v('protectionFaultNs');
    this.pteScanNs = v('pteScanNs');
    this.tlbFlushPageNs = v('tlbFlushPageNs');
    this.tlbFlushAllNs = v('tlbFlushAllNs');
    this.zeroPageNs = v('zeroPageNs');
    this.copyPageNs = v('copyPageNs');
    this.contextSwitchNs = v('contextSwitchNs');
    this.forkNs = v('forkNs');
    this.execNs = v('execNs');
    this.diskTrackToTrackSeekNs = v('diskTrackToTrackSeekNs');
    this.diskAverageSeekNs = v('diskAverageSeekNs');
    this.diskTransferBytesPerSec = v('diskTransferBytesPerSec');
    if (this.diskAverageSeekNs < this.diskTrackToTrackSeekNs) {
      throw new MachineConfigError(
        'costs.diskAverageSeekNs',
        `must be at least costs.diskTrackToTrackSeekNs (${this.diskTrackToTrackSeekNs} ns), ` +
          `got ${this.diskAverageSeekNs}`,
      );
    }
    this.diskFullStrokeSeekNs = fullStrokeFromAverage(
      this.diskTrackToTrackSeekNs,
      this.diskAverageSeekNs,
    );
    this.diskRevolutionNs = 60e9 / config.disk.rpm;
    this.diskRotationalLatencyNs = this.diskRevolutionNs / 2;
    this.diskCapacityBytes = config.disk.capacityBytes;
    this.cacheBytes = config.cpu.cacheBytes;
    this.diskRandomPageReadNs =
      Math.round(this.diskAverageSeekNs) +
      Math.round(this.diskRotationalLatencyNs) +
      Math.round(this.diskTransferNs(config.memory.pageBytes));
  }

  /** A model of the same machine with more overrides on top of this one's. */
  with(overrides: CostOverrides): CostModel {
    return new CostModel(this.config, { ...this.overrides, ...overrides });
  }

  /** The value of a named cost (overridable or derived). */
  get(name: CostName | DerivedCostName): number {
    return this[name];
  }

  /** Every cost of this run with its unit and source, overridable ones first. */
  describe(): CostRow[] {
    const rows: CostRow[] = COST_NAMES.map((name) => {
      const def = DEFINITIONS[name];
      const overridden = this.overrides[name] !== undefined;
      return {
        name,
        value: this[name],
        unit: def.unit,
        source: overridden
          ? `override for this run (default ${def.value(this.config)} ${def.unit}: ` +
            `${def.source(this.config)})`
          : def.source(this.config),
        origin: overridden ? 'override' : 'default',
      };
    });
    const ms = (ns: number): string => `${+(ns / 1e6).toFixed(3)} ms`;
    const page = this.config.memory.pageBytes;
    rows.push(
      {
        name: 'diskFullStrokeSeekNs',
        value: this.diskFullStrokeSeekNs,
        unit: 'ns',
        source:
          'derived: track-to-track + (average − track-to-track) × 15/8, so that the seek curve ' +
          't2t + (full − t2t)·√(distance/capacity) averages diskAverageSeekNs over uniformly ' +
          `random positions (E[√x] = 8/15); ${ms(this.diskFullStrokeSeekNs)}`,
        origin: 'derived',
      },
      {
        name: 'diskRevolutionNs',
        value: this.diskRevolutionNs,
        unit: 'ns',
        source: `derived: 60e9 / disk.rpm (${this.config.disk.rpm}) = ${ms(this.diskRevolutionNs)}; §H: 8.3 ms at 7200 rpm`,
        origin: 'derived',
      },
      {
        name: 'diskRotationalLatencyNs',
        value: this.diskRotationalLatencyNs,
        unit: 'ns',
        source:
          `derived: half a revolution = ${ms(this.diskRotationalLatencyNs)}, charged to every ` +
          'non-sequential request (deterministic average; §H: 4.2 ms average)',
        origin: 'derived',
      },
      {
        name: 'diskRandomPageReadNs',
        value: this.diskRandomPageReadNs,
        unit: 'ns',
        source:
          `derived: average seek + rotational latency + transfer of ${page} B = ` +
          `${ms(this.diskRandomPageReadNs)}; §H: ~10–16 ms for a random 4 KB read`,
        origin: 'derived',
      },
    );
    return rows;
  }

  /**
   * Cost of one word access for a working set of the given size. A working set that fits in
   * the cache costs `cacheWordNs`; a larger one hits the cache for the fraction
   * cacheBytes / workingSetBytes of its words (as if the cache held a random part of it) and
   * pays `memoryWordNs` for the rest:
   * `h·cacheWordNs + (1 − h)·memoryWordNs`, `h = min(1, cacheBytes / workingSetBytes)`.
   */
  wordAccessNs(workingSetBytes: number): number {
    if (workingSetBytes <= this.cacheBytes) return this.cacheWordNs;
    const h = this.cacheBytes / workingSetBytes;
    return h * this.cacheWordNs + (1 - h) * this.memoryWordNs;
  }

  /** Time for `words` word accesses over a working set, rounded to whole ns. */
  memoryAccessNs(words: number, workingSetBytes: number): number {
    return Math.round(words * this.wordAccessNs(workingSetBytes));
  }

  /** CPU cycles at the configured clock, in ns (unrounded). */
  cyclesToNs(cycles: number): number {
    return (cycles * 1e9) / this.config.cpu.clockHz;
  }

  /**
   * Seek time over a distance in bytes (either direction), unrounded: 0 for no movement,
   * else `t2t + (fullStroke − t2t)·√(min(1, |distance| / capacity))`.
   */
  diskSeekNs(distanceBytes: number): number {
    if (distanceBytes === 0) return 0;
    const x = Math.min(1, Math.abs(distanceBytes) / this.diskCapacityBytes);
    return (
      this.diskTrackToTrackSeekNs +
      (this.diskFullStrokeSeekNs - this.diskTrackToTrackSeekNs) * Math.sqrt(x)
    );
  }

  /** Time to transfer `bytes` at the media rate, unrounded. */
  diskTransferNs(bytes: number): number {
    return (bytes * 1e9) / this.diskTransferBytesPerSec;
  }

  /**
   * Latency of a request of `bytes` at `offsetBytes` with the head at `headBytes` (where the
   * previous request ended). Sequential (offset = head): transfer only. Otherwise seek by
   * distance + average rotational latency + transfer. Each part is rounded to whole ns.
   */
  diskLatency(headBytes: number, offsetBytes: number, bytes: number): DiskLatency {
    const transferNs = Math.round(this.diskTransferNs(bytes));
    if (offsetBytes === headBytes) {
      return { sequential: true, seekNs: 0, rotationNs: 0, transferNs, totalNs: transferNs };
    }
    const seekNs = Math.round(this.diskSeekNs(offsetBytes - headBytes));
    const rotationNs = Math.round(this.diskRotationalLatencyNs);
    return {
      sequential: false,
      seekNs,
      rotationNs,
      transferNs,
      totalNs: seekNs + rotationNs + transferNs,
    };
  }
}

/**
 * Full-stroke seek that makes `t2t + (full − t2t)·√x` average `average` when x is the
 * distance between two uniformly random positions (density 2(1 − x), so E[√x] = 8/15).
 */
function fullStrokeFromAverage(trackToTrack: number, average: number): number {
  return trackToTrack + ((average - trackToTrack) * 15) / 8;
}
