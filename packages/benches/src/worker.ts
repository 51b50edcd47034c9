/**
 * The worker-thread side of {@link runParallel}: runs the scenarios it is sent, one at a
 * time, posting progress and outcomes back (runParallel sends each worker one).
 */
import { parentPort } from 'node:worker_threads';
import { runScenario } from '@cvhrc/benches';
import type { ScenarioInput } from '@cvhrc/benches';

interface Job {
  readonly id: number;
  readonly scenario: ScenarioInput;
}

if (parentPort === null) throw new Error('@cvhrc/benches worker: not started as a worker thread');
const port = parentPort;
port.on('message', (job: Job) => {
  try {
    const outcome = runScenario(job.scenario, {
      onProgress: (p) => port.postMessage({ type: 'progress', id: job.id, progress: p }),
    });
    port.postMessage({ type: 'done', id: job.id, outcome });
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'error', id: job.id, message: err.message, stack: err.stack });
  }
});
