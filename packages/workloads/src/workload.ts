/**
 * The workload contract: a named, parameterised recipe that instantiates a program for the
 * emulated kernel (`@cvhrc/mm`). The experiments runner and the CLI use only this surface.
 */
import type { Kernel, Program } from '@cvhrc/mm';

/** One parameter of a workload: its default (which also fixes its type) and what it means. */
export interface WorkloadParamSpec {
  readonly default: number | string | boolean;
  readonly description: string;
  /** Unit of a numeric parameter (pages, bytes, ms, …). */
  readonly unit?: string;
  /** For numbers: the value must be an integer. */
  readonly integer?: boolean;
  /** For numbers: smallest allowed value. */
  readonly min?: number;
  /** For numbers: largest allowed value. */
  readonly max?: number;
  /** For strings: the allowed values. */
  readonly choices?: readonly string[];
}

/** Options of {@link WorkloadDefinition.instantiate}. */
export interface WorkloadOptions {
  /** Seed of every random choice: the same seed gives the same operation stream. */
  readonly seed: number;
  /**
   * Directory the workload's files live under, e.g. `/vservers/vm1`, so that several copies
   * can coexist on one kernel. Default: `''` (the root).
   */
  readonly root?: string;
  /**
   * RAM of the machine, bytes, for workloads sized from it; checked, not needed by the
   * current ones: lmbench reads MemTotal from the kernel's /proc/meminfo at setup, as
   * config-run does.
   */
  readonly machineMemoryBytes?: number;
  /** Page numbers of a trace, for `trace-replay` (e.g. `await readTraceFile(p).collect()`). */
  readonly trace?: ArrayLike<number>;
}

/** A workload ready to run: files to create, then a program for its main task. */
export interface WorkloadInstance {
  /** Name of the main task. */
  readonly comm: string;
  /**
   * Creates the workload's files (binaries, libraries, sources) under `options.root` on
   * `kernel`, and binds the program's clock to it. Call once before running the program.
   */
  setup(kernel: Kernel): void;
  /** The main task's program: each iteration starts a fresh run (and clears results). */
  readonly program: Program;
  /** lmbench-style result lines of the last run so far; empty for other workloads. */
  results(): readonly string[];
}

/** A workload by name, with its parameters. */
export interface WorkloadDefinition {
  readonly name: string;
  readonly description: string;
  readonly params: Readonly<Record<string, WorkloadParamSpec>>;
  /** Checks `params` against {@link params} (unknown or ill-typed: WorkloadParamError). */
  instantiate(
    params: Readonly<Record<string, unknown>>,
    options: WorkloadOptions,
  ): WorkloadInstance;
}

/** A bad workload name or parameter, named in the message. */
export class WorkloadParamError extends Error {
  override readonly name = 'WorkloadParamError';
  constructor(
    readonly workload: string,
    readonly param: string | null,
    /** What is wrong, without the workload's and the parameter's names. */
    readonly reason: string,
  ) {
    super(
      param === null
        ? `workload ${workload}: ${reason}`
        : `workload ${workload}: param ${param}: ${reason}`,
    );
  }
}

/** Resolved parameter values: every declared parameter, defaults filled in. */
export type ResolvedParams = Readonly<Record<string, number | string | boolean>>;

/**
 * Checks `params` against `specs` and fills in defaults: an unknown name, a value of another
 * type than the default's, a non-integer for an integer parameter, or a value out of range
 * throws {@link WorkloadParamError} naming the workload and the parameter.
 */
export function resolveParams(
  workload: string,
  specs: Readonly<Record<string, WorkloadParamSpec>>,
  params: Readonly<Record<string, unknown>>,
): ResolvedParams {
  const out: Record<string, number | string | boolean> = {};
  for (const key of Object.keys(params)) {
    if (!Object.hasOwn(specs, key)) {
      throw new WorkloadParamError(
        workload,
        key,
        `unknown parameter (known: ${Object.keys(specs).join(', ') || 'none'})`,
      );
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    const v = params[key] ?? spec.default;
    const type = typeof spec.default;
    if (typeof v !== type) {
      throw new WorkloadParamError(workload, key, `expected a ${type}, got ${JSON.stringify(v)}`);
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw new WorkloadParamError(workload, key, `not a finite number: ${v}`);
      if (spec.integer === true && !Number.isSafeInteger(v)) {
        throw new WorkloadParamError(workload, key, `expected an integer, got ${v}`);
      }
      if (spec.min !== undefined && v < spec.min) {
        throw new WorkloadParamError(workload, key, `must be ≥ ${spec.min}, got ${v}`);
      }
      if (spec.max !== undefined && v > spec.max) {
        throw new WorkloadParamError(workload, key, `must be ≤ ${spec.max}, got ${v}`);
      }
    }
    if (typeof v === 'string' && spec.choices !== undefined && !spec.choices.includes(v)) {
      throw new WorkloadParamError(
        workload,
        key,
        `expected one of ${spec.choices.join(', ')}, got ${JSON.stringify(v)}`,
      );
    }
    out[key] = v as number | string | boolean;
  }
  return out;
}

/** Checks the options every workload takes. */
export function checkOptions(workload: string, options: WorkloadOptions): void {
  if (!Number.isSafeInteger(options.seed)) {
    throw new WorkloadParamError(
      workload,
      null,
      `options.seed must be an integer, got ${options.seed}`,
    );
  }
  const root = options.root ?? '';
  if (root !== '' && (!root.startsWith('/') || root.endsWith('/'))) {
    throw new WorkloadParamError(
      workload,
      null,
      `options.root must be '' or an absolute path without a trailing slash, got ${JSON.stringify(root)}`,
    );
  }
  const mem = options.machineMemoryBytes;
  if (mem !== undefined && (!Number.isSafeInteger(mem) || mem < 16 * 1024 * 1024)) {
    throw new WorkloadParamError(
      workload,
      null,
      `options.machineMemoryBytes must be an integer ≥ 16 MiB, got ${mem}`,
    );
  }
}
