/**
 * Messages between the demo page and its Web Worker. Everything is plain JSON (structured
 * clone), so a snapshot can be posted as it is and kept by a test.
 */

/** Which model runs: the full emulator (kernel + contexts) or the tracker on synthetic traces. */
export type DemoEngine = 'emulator' | 'trace';

/** One point of a curve, as `HitRatioCurve.points()` gives it. */
export interface CurvePointJson {
  readonly size: number;
  readonly hitRatio: number;
}

/** A workload the worker can run. */
export interface DemoWorkloadInfo {
  readonly engine: DemoEngine;
  readonly name: string;
  readonly description: string;
}

/** Start a run (a running one is stopped first). */
export interface DemoStart {
  readonly type: 'start';
  readonly engine: DemoEngine;
  readonly workload: string;
  /** Containers (contexts), 1–4, each running its own copy of the workload. */
  readonly contexts: number;
  readonly seed: number;
  /** RAM of the emulated machine (emulator engine), MiB. */
  readonly memoryMiB: number;
  /** Stop after this much simulated time (emulator) or this many references per context (trace). */
  readonly limit: number;
}

export type DemoRequest = DemoStart | { readonly type: 'stop' };

/** The state of one container. */
export interface ContextSnapshot {
  readonly xid: number;
  readonly label: string;
  /** References the tracker observed (hits + misses) in the current window. */
  readonly observed: number;
  /** The CvHRC tracker's curve (sizes in pages) and its page need. */
  readonly curve: readonly CurvePointJson[];
  readonly pageNeed: number;
  /** The exact curve of every reference (the oracle), its page need and the MAE between them. */
  readonly exact: {
    readonly curve: readonly CurvePointJson[];
    readonly pageNeed: number;
    readonly mae: number;
  } | null;
  /** Resident pages of the context, where the engine knows them. */
  readonly rssPages: number | null;
}

export interface DemoProgress {
  readonly type: 'progress';
  readonly engine: DemoEngine;
  readonly workload: string;
  /** Simulated seconds since the start (emulator engine), else null. */
  readonly simSec: number | null;
  /** References fed so far to all contexts (trace engine), else null. */
  readonly references: number | null;
  /** Host seconds spent running the model. */
  readonly realSec: number;
  readonly pageBytes: number;
  readonly contexts: readonly ContextSnapshot[];
  readonly done: boolean;
}

export type DemoResponse =
  | { readonly type: 'ready'; readonly workloads: readonly DemoWorkloadInfo[] }
  | DemoProgress
  | { readonly type: 'error'; readonly message: string };
