import type { MessagePort } from 'node:worker_threads';

/** Int32 slots of the control array shared by a ParallelTraceHost and its worker. */
export const CTRL = {
  /** Words written by the host (running 32-bit index). */
  WRITE: 0,
  /** Words consumed by the worker. */
  READ: 1,
  /** The host's latest sync request (a counter). */
  SYNC_REQ: 2,
  /** The latest request the worker answered. */
  SYNC_DONE: 3,
  /** Set by the host to stop the worker. */
  STOP: 4,
  /** Set by the worker when it failed; the error follows on the port. */
  ERROR: 5,
  /** Set by the worker once it runs. */
  READY: 6,
} as const;
export const CTRL_SLOTS = 8;

/** Float64 slots before the hit counts in the result buffer. */
export const RESULT_HEADER = 8;

/** What the worker is started with. */
export interface WorkerSetup {
  readonly ring: SharedArrayBuffer;
  readonly ctrl: SharedArrayBuffer;
  readonly result: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly scanListSize: number;
  readonly groupSize: number;
}
