import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  MessageChannel,
  type MessagePort,
  Worker,
  receiveMessageOnPort,
} from 'node:worker_threads';
import { TrackerStateError } from '../errors.js';
import { CTRL, CTRL_SLOTS, RESULT_HEADER, type WorkerSetup } from './parallel-protocol.js';
import type { PositionChannel, PositionCounts } from './pipelined-host.js';

/** Reads of the shared index before the host sleeps on it. */
const SPINS = 50_000;
/** Milliseconds the host waits for its worker to start before it gives up. */
const START_TIMEOUT_MS = 30_000;

/** The worker's script: beside this module once built; from a source checkout, the build's. */
function workerPath(): string {
  const here = new URL(import.meta.url);
  const url = here.pathname.endsWith('.ts')
    ? new URL('../../dist/parallel-worker.js', here)
    : new URL('./parallel-worker.js', here);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new Error(`ParallelTraceHost: the worker script ${path} is missing (build @cvhrc/core)`);
  }
  return path;
}

/** Carries a PipelinedTraceHost's events to a worker through shared memory (Node only). */
export class WorkerChannel implements PositionChannel {
  readonly ring: Int32Array;
  private readonly ctrl: Int32Array;
  private result: Float64Array;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private req = 0;
  private started = false;
  /** The worker's error, once it failed (thrown again by every later wait). */
  private failure: Error | null = null;

  constructor(scanListSize: number, groupSize: number, ringWords: number) {
    const ring = new SharedArrayBuffer(4 * ringWords);
    const ctrl = new SharedArrayBuffer(4 * CTRL_SLOTS);
    const result = new SharedArrayBuffer(8 * (RESULT_HEADER + 1024));
    this.ring = new Int32Array(ring);
    this.ctrl = new Int32Array(ctrl);
    this.result = new Float64Array(result);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const setup: WorkerSetup = { ring, ctrl, result, port: port2, scanListSize, groupSize };
    this.worker = new Worker(workerPath(), { workerData: setup, transferList: [port2] });
    this.worker.unref();
    port1.unref();
  }

  flush(w: number): number {
    Atomics.store(this.ctrl, CTRL.WRITE, w);
    Atomics.notify(this.ctrl, CTRL.WRITE, 1);
    let read = Atomics.load(this.ctrl, CTRL.READ);
    while (((w + 2 - read) | 0) > this.ring.length) {
      this.wait(CTRL.READ, read);
      read = Atomics.load(this.ctrl, CTRL.READ);
    }
    return read;
  }

  sync(w: number, groupsBound: number): PositionCounts {
    if (RESULT_HEADER + groupsBound > this.result.length) {
      const words = Math.max(2 * (this.result.length - RESULT_HEADER), groupsBound);
      const buffer = new SharedArrayBuffer(8 * (RESULT_HEADER + words));
      this.port.postMessage({ result: buffer });
      this.result = new Float64Array(buffer);
    }
    Atomics.store(this.ctrl, CTRL.WRITE, w);
    const req = ++this.req;
    Atomics.store(this.ctrl, CTRL.SYNC_REQ, req);
    Atomics.notify(this.ctrl, CTRL.WRITE, 1);
    for (let done = Atomics.load(this.ctrl, CTRL.SYNC_DONE); done !== req; ) {
      this.wait(CTRL.SYNC_DONE, done);
      done = Atomics.load(this.ctrl, CTRL.SYNC_DONE);
    }
    const r = this.result;
    const n = r[0]!;
    return {
      hits: r.slice(RESULT_HEADER, RESULT_HEADER + n),
      markerShifts: r[1]!,
      fakeFaults: r[2]!,
      protects: r[3]!,
      compactions: r[4]!,
      bytes: r[5]!,
    };
  }

  close(): void {
    Atomics.store(this.ctrl, CTRL.STOP, 1);
    Atomics.notify(this.ctrl, CTRL.WRITE);
    void this.worker.terminate();
  }

  /** Sleeps until ctrl[index] may have moved from `value`; throws what the worker threw. */
  private wait(index: number, value: number): void {
    // Spin first: the worker moves the index within microseconds while it keeps up, and a
    // sleep and its wake-up cost more than that.
    for (let i = 0; i < SPINS; i++) {
      if (Atomics.load(this.ctrl, index) !== value) return;
      if ((i & 1023) === 0) this.checkWorker();
    }
    const start = Date.now();
    for (;;) {
      this.checkWorker();
      if (!this.started) {
        if (Atomics.load(this.ctrl, CTRL.READY) !== 0) this.started = true;
        else if (Date.now() - start > START_TIMEOUT_MS) {
          throw new Error(`ParallelTraceHost: the worker did not start in ${START_TIMEOUT_MS} ms`);
        }
      }
      if (Atomics.wait(this.ctrl, index, value, 50) !== 'timed-out') return;
      if (Atomics.load(this.ctrl, index) !== value) return;
    }
  }

  private checkWorker(): void {
    if (this.failure === null && Atomics.load(this.ctrl, CTRL.ERROR) !== 0) {
      const m = receiveMessageOnPort(this.port)?.message as
        | { name: string; message: string; entity?: number }
        | undefined;
      this.failure =
        m?.name === 'TrackerStateError' && m.entity !== undefined
          ? new TrackerStateError(m.entity, m.message.replace(/^entity \d+: /, ''))
          : new Error(`ParallelTraceHost worker: ${m?.message ?? 'failed'}`);
    }
    if (this.failure !== null) throw this.failure;
  }
}
