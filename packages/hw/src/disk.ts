import type { CostModel, DiskLatency } from './costs.js';
import type { EventQueue } from './events.js';

/** Direction of a disk request. */
export type DiskOp = 'read' | 'write';

/** A finished request, passed to its callback. */
export interface DiskCompletion {
  readonly id: number;
  readonly op: DiskOp;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  /** The caller's tag (e.g. a frame or swap slot), 0 if none was given. */
  readonly tag: number;
  readonly submittedNs: number;
  readonly startedNs: number;
  readonly completedNs: number;
  /** True when it started where the previous request ended (transfer only). */
  readonly sequential: boolean;
  readonly seekNs: number;
  readonly rotationNs: number;
  readonly transferNs: number;
}

/** A request to {@link Disk.submit}. */
export interface DiskRequest {
  readonly op: DiskOp;
  /** Byte offset on the disk: a multiple of the sector size. */
  readonly offsetBytes: number;
  /** Bytes: a positive multiple of the sector size, within the capacity. */
  readonly lengthBytes: number;
  /** Any number the caller wants back in the completion. */
  readonly tag?: number;
  /** Run when the request completes (on the event queue, at the completion time). */
  readonly onComplete?: (completion: DiskCompletion) => void;
}

/** Counters of a disk since it was created. */
export interface DiskStats {
  readonly submitted: number;
  /** Requests completed. */
  readonly requests: number;
  readonly reads: number;
  readonly writes: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Time spent servicing requests (sum of their latencies). */
  readonly busyNs: number;
  /** Non-sequential requests: they paid a seek and the rotational latency. */
  readonly seeks: number;
  /** Requests that started where the previous one ended. */
  readonly sequential: number;
  readonly seekNs: number;
  readonly rotationNs: number;
  readonly transferNs: number;
  /** Total time requests waited in the queue before service. */
  readonly queueWaitNs: number;
}

interface Pending {
  readonly id: number;
  readonly request: DiskRequest;
  readonly submittedNs: number;
}

/**
 * A block device with a FIFO request queue, serviced one request at a time. A request's
 * latency comes from the cost model at the moment its service starts: seek by the distance
 * from the head (where the previous request ended; 0 at start), the average rotational
 * latency, and the transfer; a request that starts exactly where the previous one ended
 * pays the transfer only (the drive's read-ahead/track buffer covers it even after idle
 * time). Completions are events on the queue: the request's callback runs at its
 * completion time, after the next queued request has started.
 */
export class Disk {
  readonly name: string;
  readonly capacityBytes: number;
  readonly sectorBytes: number;
  readonly #events: EventQueue;
  readonly #costs: CostModel;
  #queue: (Pending | undefined)[] = [];
  #queueHead = 0;
  #active: Pending | undefined;
  #head = 0;
  #nextId = 1;
  #stats = {
    submitted: 0,
    requests: 0,
    reads: 0,
    writes: 0,
    bytesRead: 0,
    bytesWritten: 0,
    busyNs: 0,
    seeks: 0,
    sequential: 0,
    seekNs: 0,
    rotationNs: 0,
    transferNs: 0,
    queueWaitNs: 0,
  };

  /**
   * @param events the queue completions are scheduled on (its clock is the disk's time)
   * @param costs the latency model; capacity and sector size come from its machine config
   */
  constructor(events: EventQueue, costs: CostModel, name = 'sda') {
    this.name = name;
    this.#events = events;
    this.#costs = costs;
    this.capacityBytes = costs.config.disk.capacityBytes;
    this.sectorBytes = costs.config.disk.sectorBytes;
  }

  /** Byte position of the head: where the last serviced request ended. */
  get headBytes(): number {
    return this.#head;
  }

  /** True while a request is being serviced. */
  get busy(): boolean {
    return this.#active !== undefined;
  }

  /** Requests waiting behind the one in service. */
  get queueLength(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** A copy of the counters. */
  stats(): DiskStats {
    return { ...this.#stats };
  }

  /**
   * Queues a request (FIFO) and returns its id; it starts now if the disk is idle. Requests
   * that are not whole sectors inside the disk are a bug and throw a RangeError.
   */
  submit(request: DiskRequest): number {
    const { offsetBytes: offset, lengthBytes: length } = request;
    const s = this.sectorBytes;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length <= 0 ||
      offset % s !== 0 ||
      length % s !== 0 ||
      offset + length > this.capacityBytes
    ) {
      throw new RangeError(
        `Disk ${this.name}: request offset ${offset} length ${length} is not whole ` +
          `${s}-byte sectors within ${this.capacityBytes} bytes`,
      );
    }
    const pending: Pending = { id: this.#nextId++, request, submittedNs: this.#events.clock.now };
    this.#stats.submitted++;
    if (this.#active === undefined) this.#start(pending);
    else this.#queue.push(pending);
    return pending.id;
  }

  /** Latency a request would have if it started now (the head's current position). */
  latencyNs(offsetBytes: number, lengthBytes: number): number {
    return this.#costs.diskLatency(this.#head, offsetBytes, lengthBytes).totalNs;
  }

  #start(pending: Pending): void {
    const now = this.#events.clock.now;
    const { offsetBytes, lengthBytes } = pending.request;
    const latency = this.#costs.diskLatency(this.#head, offsetBytes, lengthBytes);
    this.#active = pending;
    this.#stats.queueWaitNs += now - pending.submittedNs;
    this.#events.at(now + latency.totalNs, (completedNs) => {
      this.#complete(pending, now, completedNs, latency);
    });
  }

  #complete(pending: Pending, startedNs: number, completedNs: number, latency: DiskLatency): void {
    const { request } = pending;
    const st = this.#stats;
    st.requests++;
    if (request.op === 'read') {
      st.reads++;
      st.bytesRead += request.lengthBytes;
    } else {
      st.writes++;
      st.bytesWritten += request.lengthBytes;
    }
    st.busyNs += latency.totalNs;
    st.seekNs += latency.seekNs;
    st.rotationNs += latency.rotationNs;
    st.transferNs += latency.transferNs;
    if (latency.sequential) st.sequential++;
    else st.seeks++;
    this.#head = request.offsetBytes + request.lengthBytes;
    this.#active = undefined;
    const next = this.#queue[this.#queueHead];
    if (next !== undefined) {
      this.#queue[this.#queueHead++] = undefined;
      if (this.#queueHead === this.#queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
      }
      this.#start(next);
    }
    request.onComplete?.({
      id: pending.id,
      op: request.op,
      offsetBytes: request.offsetBytes,
      lengthBytes: request.lengthBytes,
      tag: request.tag ?? 0,
      submittedNs: pending.submittedNs,
      startedNs,
      completedNs,
      sequential: latency.sequential,
      seekNs: latency.seekNs,
      rotationNs: latency.rotationNs,
      transferNs: latency.transferNs,
    });
  }
}
