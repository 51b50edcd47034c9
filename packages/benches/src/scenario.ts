/**
 * Scenarios: one JSON-describable object that says everything a run needs — the machine,
 * the contexts with their workloads and limits, the tracking settings, the watchdog, the
 * seed, when to stop, and when to take curves. Validated by a zod schema; errors name the
 * field (`contexts[1].workload: …`).
 */
import { z } from 'zod';
import { mergeMachineConfig, defaultMachineConfig, MachineConfigError } from '@cvhrc/hw';
import type { MachineConfig } from '@cvhrc/hw';
import { getWorkload, resolveParams, WorkloadParamError } from '@cvhrc/workloads';

/** A scenario that failed validation; `issues` lists every bad field as `path: reason`. */
export class ScenarioError extends Error {
  readonly issues: readonly string[];
  readonly source: string | undefined;
  constructor(issues: readonly string[], source?: string) {
    const where = source ?? 'scenario';
    super(`${where}: ${issues.join('; ')}`);
    this.name = 'ScenarioError';
    this.issues = issues;
    this.source = source;
  }
}

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

/** A context (a VServer guest) and what runs in it. */
const ContextSchema = z
  .object({
    /** Name in reports; default `vm<i>` (1-based). */
    name: z.string().min(1).max(64).optional(),
    /** A workload name from @cvhrc/workloads' registry. */
    workload: z.string().min(1),
    /** The workload's parameters (validated by the workload itself). */
    params: z.record(z.string(), z.unknown()).default({}),
    /** More workloads started in the same context at the same time (Figure 5's mix). */
    alongside: z
      .array(
        z
          .object({
            workload: z.string().min(1),
            params: z.record(z.string(), z.unknown()).default({}),
          })
          .strict(),
      )
      .default([]),
    /** Per-context limits in pages (Linux-VServer RSS and VM limits); absent: unlimited. */
    limits: z
      .object({
        rssPages: positiveInt.optional(),
        vmPages: positiveInt.optional(),
      })
      .strict()
      .default({}),
    /** Copies of this context (each its own xid, files and seed). Default 1. */
    count: positiveInt.max(64).default(1),
    /** Simulated second at which the context's workload starts. Default 0. */
    startSec: nonNegative.default(0),
  })
  .strict();

const TrackingSchema = z
  .object({
    /** The analogue of the kernel build option: every context gets a tracker. */
    enabled: z.boolean().default(false),
    /** Scan-list length in entities (the paper: 8192). */
    scanList: positiveInt.default(8192),
    /** LRU positions per hit-counting group. */
    group: positiveInt.optional(),
    /** Period of the reference-bit scan, in simulated milliseconds. */
    scanIntervalMs: z.number().positive().optional(),
    /** Also compute each context's exact LRU curve (costly; off by default). */
    oracle: z.boolean().default(false),
  })
  .strict();

const WatchdogSchema = z
  .object({
    /** PlanetLab's pl_mom swap watchdog; on by default as on PlanetLab nodes. */
    enabled: z.boolean().default(true),
  })
  .strict();

/** The scenario schema (zod). Parse with {@link parseScenario} for errors that name fields. */
export const ScenarioSchema = z
  .object({
    name: z.string().min(1).max(120),
    description: z.string().optional(),
    /** Seed of every random choice in the run. */
    seed: z.number().int().nonnegative().max(0xffffffff).default(1),
    /** Machine overrides merged onto the paper's Table 1 (validated by @cvhrc/hw). */
    machine: z.record(z.string(), z.unknown()).default({}),
    /** Kernel settings. */
    kernel: z
      .object({
        /** Swap area in MiB; default twice the RAM (as the kernel model's default). */
        swapMiB: nonNegative.optional(),
        /** vm.swappiness; default 60. */
        swappiness: z.number().int().min(0).max(100).optional(),
      })
      .strict()
      .default({}),
    tracking: TrackingSchema.default({ enabled: false, scanList: 8192, oracle: false }),
    watchdog: WatchdogSchema.default({ enabled: true }),
    contexts: z.array(ContextSchema).min(1).max(64),
    /**
     * When to stop: absent → when every workload has finished (bounded by `maxSec`);
     * a number → after this many simulated seconds.
     */
    durationSec: z.number().positive().optional(),
    /** Upper bound on simulated time for runs to completion. Default 3600 s. */
    maxSec: z.number().positive().default(3600),
    /** Simulated seconds at which each context's curve is taken (e.g. [60, 120]). */
    curvesAtSec: z.array(z.number().positive()).default([]),
    /** Period of the per-context progress samples, in simulated seconds. Default 10. */
    sampleEverySec: z.number().positive().default(10),
  })
  .strict();

/** A scenario as written (defaults may be omitted). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with every default filled in. */
export type Scenario = z.output<typeof ScenarioSchema> & { readonly machineConfig: MachineConfig };

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(scenario)' : out;
}

/**
 * Validates a scenario (an object, or JSON text) and fills in its defaults. Every bad field
 * is reported in one {@link ScenarioError}, each as `path: reason`; `source` (a file name)
 * starts the message.
 */
export function parseScenario(input: unknown, source?: string): Scenario {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input) as unknown;
    } catch (e) {
      throw new ScenarioError([`not valid JSON: ${(e as Error).message}`], source);
    }
  }
  const result = ScenarioSchema.safeParse(json);
  if (!result.success) {
    throw new ScenarioError(
      result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
      source,
    );
  }
  const s = result.data;
  let machineConfig: MachineConfig;
  try {
    machineConfig = mergeMachineConfig(defaultMachineConfig(), s.machine);
  } catch (e) {
    if (e instanceof MachineConfigError) {
      throw new ScenarioError([`machine.${e.path}: ${e.reason}`], source);
    }
    throw e;
  }
  const issues: string[] = [];
  // Each workload by name and its parameters' names, types and ranges (what a workload
  // checks further when it is made, such as a list's syntax, is named by the runner).
  s.contexts.forEach((c, i) => {
    checkWorkload(c.workload, c.params, `contexts[${i}]`, issues);
    c.alongside.forEach((a, j) => {
      checkWorkload(a.workload, a.params, `contexts[${i}].alongside[${j}]`, issues);
    });
  });
  if (s.durationSec !== undefined) {
    s.curvesAtSec.forEach((t, i) => {
      if (t > s.durationSec!) {
        issues.push(`curvesAtSec[${i}]: ${t} s is after the end of the run (${s.durationSec} s)`);
      }
    });
  }
  for (let i = 1; i < s.curvesAtSec.length; i++) {
    if (s.curvesAtSec[i]! <= s.curvesAtSec[i - 1]!) {
      issues.push(`curvesAtSec[${i}]: times must increase`);
    }
  }
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return { ...s, machineConfig };
}

function checkWorkload(
  workload: string,
  params: Readonly<Record<string, unknown>>,
  at: string,
  issues: string[],
): void {
  try {
    resolveParams(workload, getWorkload(workload).params, params);
  } catch (e) {
    if (!(e instanceof WorkloadParamError)) throw e;
    issues.push(workloadIssue(e, at));
  }
}

/** A workload's refusal as a scenario issue at `at` (`contexts[1]`): `at.params.pages: …`. */
export function workloadIssue(e: WorkloadParamError, at: string): string {
  return e.param === null ? `${at}.workload: ${e.reason}` : `${at}.params.${e.param}: ${e.reason}`;
}

/** The contexts of a scenario expanded by `count`: one entry per guest, named. */
export interface ExpandedContext {
  readonly name: string;
  readonly index: number;
  /** Where the context is in the scenario (`contexts[2]`), for messages. */
  readonly path: string;
  readonly workload: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly alongside: readonly {
    readonly workload: string;
    readonly params: Readonly<Record<string, unknown>>;
  }[];
  readonly limits: {
    readonly rssPages?: number | undefined;
    readonly vmPages?: number | undefined;
  };
  readonly startSec: number;
}

/** One entry per guest (a context with `count: 3` gives three), in order, named uniquely. */
export function expandContexts(s: Scenario): ExpandedContext[] {
  const out: ExpandedContext[] = [];
  const seen = new Set<string>();
  for (const [i, c] of s.contexts.entries()) {
    for (let k = 0; k < c.count; k++) {
      const index = out.length;
      const base = c.name ?? `vm${index + 1}`;
      const name = c.count > 1 && c.name !== undefined ? `${base}-${k + 1}` : base;
      if (seen.has(name)) throw new ScenarioError([`contexts: the name "${name}" is used twice`]);
      seen.add(name);
      out.push({
        name,
        index,
        path: `contexts[${i}]`,
        workload: c.workload,
        params: c.params,
        alongside: c.alongside,
        limits: c.limits,
        startSec: c.startSec,
      });
    }
  }
  return out;
}
