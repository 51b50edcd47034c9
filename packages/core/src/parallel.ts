// @cvhrc/core/parallel — Node only (worker_threads, SharedArrayBuffer, Atomics.wait on the
// main thread); the package's main entry stays free of Node modules for browsers.
import { InThreadChannel, PipelinedTraceHost } from './internal/pipelined-host.js';
import { WorkerChannel } from './internal/worker-channel.js';
import type { TraceHostOptions } from './trace-host.js';

export interface ParallelTraceHostOptions extends TraceHostOptions {
  /**
   * Runs both halves in this thread (no worker): same results, no speed-up. For a process
   * that cannot start workers, and for tests. Default false.
   */
  readonly inThread?: boolean;
  /** Int32 words of the event ring shared with the worker (a power of two). Default 2^16. */
  readonly ringWords?: number;
}

/**
 * The CvHRC tracker on a plain reference stream on two threads: the same rules, curve and
 * counters as a {@link TraceHost} with the same options (but `compactions`, counted on the
 * worker's own schedule), about twice as fast on a large trace with two free cores. This
 * thread runs the host (the simulated reference and protection bits), the scan list and the
 * scans; a worker runs the protected part of the LRU list — the order of the protected
 * entities and the group of each fake fault's position, which is half the tracker's work and
 * decides nothing the rest needs — fed through a ring of events in shared memory. Reading
 * the curve or the counters waits for the worker to catch up.
 *
 * Call {@link close} when done: the worker does not keep the process alive, but holds its
 * thread and memory until closed (or until the host is garbage-collected).
 */
export class ParallelTraceHost extends PipelinedTraceHost {
  constructor(options: ParallelTraceHostOptions = {}) {
    super(options, options.ringWords ?? 1 << 16, (scanListSize, groupSize, ringWords) =>
      options.inThread === true
        ? new InThreadChannel(scanListSize, groupSize, ringWords)
        : new WorkerChannel(scanListSize, groupSize, ringWords),
    );
    unclosed.register(this, this.channel, this);
  }

  override close(): void {
    unclosed.unregister(this);
    super.close();
  }
}

/** Stops the worker of a host that was dropped without close(). */
const unclosed = new FinalizationRegistry<{ close(): void }>((channel) => channel.close());
