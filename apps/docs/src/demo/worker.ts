/// <reference lib="webworker" />
/**
 * The demo's Web Worker: runs the model in slices and posts a snapshot of every container
 * after each slice (at most every 150 ms), so that the page stays responsive and a stop
 * request is seen between slices.
 */
import type { DemoRequest, DemoResponse, DemoStart } from './protocol.js';
import { createDemoRun, DEMO_WORKLOADS } from './engines.js';
import type { DemoRun } from './run.js';

declare const self: DedicatedWorkerGlobalScope;

const POST_EVERY_MS = 150;
let current: { run: DemoRun; request: DemoStart; realMs: number; token: number } | null = null;
let tokens = 0;

function post(message: DemoResponse): void {
  self.postMessage(message);
}

function progress(done: boolean): void {
  if (current === null) return;
  const { run, request } = current;
  post({
    type: 'progress',
    engine: request.engine,
    workload: request.workload,
    simSec: run.simSec,
    references: run.references,
    realSec: current.realMs / 1000,
    pageBytes: run.pageBytes,
    contexts: run.snapshot(),
    done,
  });
}

function loop(token: number): void {
  if (current?.token !== token) return;
  try {
    const started = performance.now();
    do {
      const t0 = performance.now();
      current.run.advance();
      current.realMs += performance.now() - t0;
    } while (!current.run.finished && performance.now() - started < POST_EVERY_MS);
    const done = current.run.finished;
    progress(done);
    if (done) current = null;
    else setTimeout(() => loop(token), 0);
  } catch (e) {
    current = null;
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

self.onmessage = (event: MessageEvent<DemoRequest>) => {
  const request = event.data;
  if (request.type === 'stop') {
    if (current !== null) progress(true);
    current = null;
    return;
  }
  try {
    const token = ++tokens;
    current = { run: createDemoRun(request), request, realMs: 0, token };
    loop(token);
  } catch (e) {
    current = null;
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};

post({ type: 'ready', workloads: DEMO_WORKLOADS });
