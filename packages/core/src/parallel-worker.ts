// The protected part of a ParallelTraceHost, on its own thread: consumes the events the host
// writes into the shared ring, and answers its sync requests (see ./parallel.ts).
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { CTRL, RESULT_HEADER, type WorkerSetup } from './internal/parallel-protocol.js';
import { ProtectedOrder } from './internal/protected-order.js';

const setup = workerData as WorkerSetup;
const ring = new Int32Array(setup.ring);
const ctrl = new Int32Array(setup.ctrl);
const port: MessagePort = setup.port;
let result = new Float64Array(setup.result);
const order = new ProtectedOrder(setup.scanListSize, setup.groupSize);

/** Spins on the write index this many times before sleeping on it. */
const SPINS = 100_000;

function answer(req: number): void {
  // A bigger result buffer, if the host sent one.
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    result = new Float64Array((m.message as { result: SharedArrayBuffer }).result);
  }
  const hits = order.hits;
  let n = hits.length;
  while (n > 0 && hits[n - 1] === 0) n--;
  if (RESULT_HEADER + n > result.length) {
    throw new Error(
      `ParallelTraceHost: ${n} groups counted, room for ${result.length - RESULT_HEADER}`,
    );
  }
  result[0] = n;
  result[1] = order.markerShifts;
  result[2] = order.fakeFaults;
  result[3] = order.protects;
  result[4] = order.compactions;
  result[5] = order.byteLength;
  result.set(hits.subarray(0, n), RESULT_HEADER);
  Atomics.store(ctrl, CTRL.SYNC_DONE, req);
  Atomics.notify(ctrl, CTRL.SYNC_DONE);
}

try {
  Atomics.store(ctrl, CTRL.READY, 1);
  Atomics.notify(ctrl, CTRL.READY);
  let r = 0;
  let done = 0;
  let idle = 0;
  for (;;) {
    const w = Atomics.load(ctrl, CTRL.WRITE);
    if (w !== r) {
      r = order.consume(ring, r, w);
      Atomics.store(ctrl, CTRL.READ, r);
      Atomics.notify(ctrl, CTRL.READ);
      idle = 0;
      continue;
    }
    const req = Atomics.load(ctrl, CTRL.SYNC_REQ);
    if (req !== done) {
      // The host stores the write index before the request: w is final for it.
      if (Atomics.load(ctrl, CTRL.WRITE) !== r) continue;
      answer(req);
      done = req;
      continue;
    }
    if (Atomics.load(ctrl, CTRL.STOP) !== 0) break;
    if (++idle < SPINS) continue;
    Atomics.wait(ctrl, CTRL.WRITE, w, 100);
  }
} catch (error) {
  const e = error as Error & { entity?: number };
  port.postMessage({ name: e.name, message: e.message, entity: e.entity });
  Atomics.store(ctrl, CTRL.ERROR, 1);
  for (const i of [CTRL.READ, CTRL.SYNC_DONE, CTRL.READY]) Atomics.notify(ctrl, i);
}
