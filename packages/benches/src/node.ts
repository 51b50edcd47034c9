/**
 * Node-only parts of @cvhrc/benches: independent runs in parallel on worker threads.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import {
  EXPERIMENT_PARTS,
  buildReproduction,
  estimatedHostCost,
  experimentSettings,
  planReproduction,
  runScenario,
} from '@cvhrc/benches';
import type {
  ExperimentPart,
  PlannedRun,
  Reproduction,
  RunOutcome,
  RunProgress,
  ScenarioInput,
} from '@cvhrc/benches';

export interface ParallelOptions {
  /** Worker threads; default the machine's available parallelism. 0: run on this thread. */
  readonly workers?: number;
  /** Progress of the run with index `i` of the input. */
  readonly onProgress?: (i: number, p: RunProgress) => void;
  /** The run with index `i` starts (in a worker of its own when `fresh`; see `affinity`). */
  readonly onStart?: (i: number, fresh: boolean) => void;
  /** The run with index `i` finished. */
  readonly onDone?: (i: number, outcome: RunOutcome) => void;
  /**
   * The order in which to start the runs: a permutation of the input indices (default the
   * input order). Starting the longest first shortens the whole. Outcomes stay in input order.
   */
  readonly order?: readonly number[];
  /**
   * Runs whose entries are equal (and defined) may run one after another in the same worker:
   * when a run ends and the next in `order` has its key, that worker takes it. Give one key
   * to runs that differ only in their seed — they take the same code paths, so the second
   * starts with the first's compiled code instead of compiling it again. Runs of different
   * keys (or none) always start in a fresh worker. Outcomes do not depend on it.
   */
  readonly affinity?: readonly (string | undefined)[];
}

/** The dispatch order: `order` checked to be a permutation of 0..n − 1, or 0..n − 1. */
function checkOrder(order: readonly number[] | undefined, n: number): readonly number[] {
  if (order === undefined) return Array.from({ length: n }, (_, i) => i);
  const seen = new Uint8Array(n);
  for (const i of order) {
    if (!Number.isInteger(i) || i < 0 || i >= n || seen[i] === 1) {
      throw new RangeError(`runParallel: order is not a permutation of 0..${n - 1} (at ${i})`);
    }
    seen[i] = 1;
  }
  if (order.length !== n) {
    throw new RangeError(`runParallel: order has ${order.length} indices for ${n} runs`);
  }
  return order;
}

/** The built worker script beside this module, or undefined when running from source. */
function workerScript(): string | undefined {
  const here = import.meta.url;
  if (!here.endsWith('.js')) return undefined;
  const path = fileURLToPath(new URL('./worker.js', here));
  return existsSync(path) ? path : undefined;
}

/**
 * Runs independent scenarios, in parallel on worker threads, and returns their outcomes in
 * input order. Results do not depend on the number of workers. From source (tests, no built
 * worker) the runs go one after another on this thread.
 */
export async function runParallel(
  scenarios: readonly ScenarioInput[],
  options: ParallelOptions = {},
): Promise<RunOutcome[]> {
  const out = new Array<RunOutcome>(scenarios.length);
  const order = checkOrder(options.order, scenarios.length);
  const affinity = options.affinity;
  if (affinity !== undefined && affinity.length !== scenarios.length) {
    throw new RangeError(
      `runParallel: affinity has ${affinity.length} keys for ${scenarios.length} runs`,
    );
  }
  const script = workerScript();
  const n = Math.min(options.workers ?? availableParallelism(), scenarios.length);
  if (n <= 0 || script === undefined) {
    for (const i of order) {
      options.onStart?.(i, false);
      const o = runScenario(scenarios[i]!, { onProgress: (p) => options.onProgress?.(i, p) });
      out[i] = o;
      options.onDone?.(i, o);
    }
    return out;
  }
  let next = 0;
  const workers = new Set<Worker>();
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      // A fresh worker per run, or per series of runs of one affinity key: a worker that ran
      // other scenarios before carries V8's type feedback and optimised code from them
      // (untracked runs, other workloads), and the hot paths of the next run were then
      // compiled for all of them at once — a tracked 1-VM run after two untracked ones in the
      // same worker took 49.8 s, in its own 47.1 s. Starting a worker costs well under a
      // second; compiling a run's code again costs about half a second of CPU.
      /** A new worker; returns the function that gives it a run. */
      const spawn = (): ((id: number) => void) => {
        const w = new Worker(script);
        workers.add(w);
        /** The run this worker is on (−1: none, it may exit; −2: none yet). */
        let current = -2;
        const run = (id: number): void => {
          const fresh = current === -2;
          current = id;
          running++;
          options.onStart?.(id, fresh);
          w.postMessage({ id, scenario: scenarios[id] });
        };
        w.on('message', (m: { type: string; id: number; [k: string]: unknown }) => {
          if (m.type === 'progress') {
            options.onProgress?.(m.id, m.progress as RunProgress);
          } else if (m.type === 'done') {
            current = -1;
            out[m.id] = m.outcome as RunOutcome;
            running--;
            options.onDone?.(m.id, out[m.id]!);
            const key = affinity?.[m.id];
            const id = next < order.length ? order[next]! : -1;
            if (!failed && id >= 0 && key !== undefined && affinity?.[id] === key) {
              next++;
              run(id);
            } else {
              workers.delete(w);
              void w.terminate();
              start();
            }
          } else if (m.type === 'error') {
            current = -1;
            failed = true;
            const name = (scenarios[m.id] as { name?: string }).name ?? `#${m.id}`;
            reject(new Error(`scenario ${name}: ${String(m.message)}`));
          }
        });
        w.on('error', (e) => {
          failed = true;
          reject(e);
        });
        w.on('exit', (code) => {
          if (current >= 0 && !failed) {
            failed = true;
            reject(
              new Error(
                `scenario #${current}: its worker exited (code ${code}) before it finished`,
              ),
            );
          }
        });
        return run;
      };
      const start = (): void => {
        if (failed) return;
        if (next >= order.length) {
          if (running === 0) resolve();
          return;
        }
        spawn()(order[next++]!);
      };
      for (let k = 0; k < n; k++) start();
    });
  } finally {
    await Promise.all([...workers].map((w) => w.terminate()));
  }
  return out;
}

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  readonly quick?: boolean;
  /** Seeds per Table 3 cell instead of the settings' (5 full, 2 quick). */
  readonly seeds?: number;
  /** Parts to run; default all. */
  readonly only?: readonly ExperimentPart[];
  /** Worker threads (default: available parallelism). */
  readonly workers?: number;
  /**
   * Progress: runs done of total, the run that just finished, and the share of the work
   * done and the wall time left, estimated from the time so far and the estimated host
   * cost of each run ({@link estimatedHostCost}).
   */
  readonly onRunDone?: (
    done: number,
    total: number,
    key: string,
    hostSec: number,
    estimate: { readonly fraction: number; readonly leftSec: number },
  ) => void;
  readonly onProgress?: (i: number, key: string, p: RunProgress) => void;
}

/** Host-time figures of a reproduction (kept out of results.json, which is deterministic). */
export interface ReproductionTiming {
  readonly wallSec: number;
  readonly workers: number;
  readonly runs: readonly {
    readonly key: string;
    readonly hostSec: number;
    readonly simulatedSec: number;
  }[];
}

/**
 * Runs the paper's experiments (all parts, or `only` some) and builds the reproduction's
 * outputs. Independent runs go in parallel on worker threads.
 */
export async function reproduce(options: ReproduceOptions = {}): Promise<{
  reproduction: Reproduction;
  timing: ReproductionTiming;
  runs: readonly PlannedRun[];
}> {
  const t0 = performance.now();
  const base = experimentSettings(options.quick ?? false);
  const st =
    options.seeds === undefined || options.seeds === base.seeds
      ? base
      : {
          ...base,
          seeds: options.seeds,
          label: `${base.label}, overridden: ${options.seeds} seed(s) per Table 3 cell`,
        };
  const parts = options.only ?? EXPERIMENT_PARTS;
  const plan = planReproduction(st, new Set(parts));
  let done = 0;
  const workers = options.workers ?? availableParallelism();
  const costs = plan.map((r) => estimatedHostCost(r));
  const costTotal = costs.reduce((a, b) => a + b, 0);
  let costDone = 0;
  /** Estimated cost of the runs in progress. */
  let costRunning = 0;
  // Longest first (by the estimate), so that the short runs fill the ends.
  const order = plan
    .map((_, i) => ({ i, cost: costs[i]! }))
    .sort((a, b) => b.cost - a.cost || a.i - b.i)
    .map((x) => x.i);
  const outcomes = await runParallel(
    plan.map((r) => r.scenario),
    {
      workers,
      order,
      // The seeds of one Table 3 cell, started one after another, share a worker in turn.
      affinity: plan.map((r) => `${r.part}/${r.workload}/${r.vms}/${r.tracking}`),
      onProgress: (i, p) => options.onProgress?.(i, plan[i]!.key, p),
      onStart: (i) => {
        costRunning += costs[i]!;
      },
      onDone: (i, o) => {
        done++;
        costDone += costs[i]!;
        costRunning -= costs[i]!;
        // The runs in progress count as half done.
        const elapsed = (performance.now() - t0) / 1000;
        const worked = costDone + costRunning / 2;
        const left = costDone >= costTotal ? 0 : (elapsed * (costTotal - worked)) / worked;
        options.onRunDone?.(done, plan.length, plan[i]!.key, o.hostSec, {
          fraction: worked / costTotal,
          leftSec: left,
        });
      },
    },
  );
  const reproduction = buildReproduction(
    st,
    [...parts],
    plan,
    outcomes.map((o) => o.results),
  );
  return {
    reproduction,
    runs: plan,
    timing: {
      wallSec: Math.round(performance.now() - t0) / 1000,
      workers,
      runs: plan.map((r, i) => ({
        key: r.key,
        hostSec: outcomes[i]!.hostSec,
        simulatedSec: outcomes[i]!.results.simulatedSec,
      })),
    },
  };
}
