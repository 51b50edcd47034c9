import type { Clock } from './clock.js';

/** Handler of a defined event kind: gets the event's payload, time and id. */
export type EventHandler = (payload: number, timeNs: number, id: number) => void;

/** Callback of an event scheduled with {@link EventQueue.at} / {@link EventQueue.after}. */
export type EventCallback = (timeNs: number, id: number) => void;

/** An event taken off the queue. */
export interface FiredEvent {
  readonly id: number;
  readonly timeNs: number;
  /** Insertion sequence number: the tie-break between equal times. */
  readonly seq: number;
  /** {@link EVENT_KIND_CALLBACK} for callback events, else a kind from defineKind. */
  readonly kind: number;
  readonly payload: number;
  /** The callback of a callback event, else undefined. */
  readonly callback: EventCallback | undefined;
}

/** Kind of the events scheduled with a callback. */
export const EVENT_KIND_CALLBACK = 0;

// An id is generation · 2^24 + slot, so a stale id (event fired or cancelled, slot reused)
// is recognised; ids stay far below 2^53.
const SLOT_BITS = 24;
const SLOT_LIMIT = 2 ** SLOT_BITS;
const GENERATION_LIMIT = 2 ** 28;

/**
 * Timers and I/O completions in time order. A binary min-heap of slot indices over typed
 * arrays, ordered by (time, insertion sequence): events at equal times come out in the order
 * they were scheduled, so runs are deterministic. Taking an event advances the clock to its
 * time. Events may be scheduled at the current time but never in the past.
 */
export class EventQueue {
  readonly clock: Clock;

  #heap = new Int32Array(64);
  #size = 0;
  #time = new Float64Array(64);
  #seq = new Float64Array(64);
  #kind = new Int32Array(64);
  #payload = new Float64Array(64);
  #generation = new Int32Array(64);
  /** Heap index of a pending slot, -1 for a free slot. */
  #pos = new Int32Array(64).fill(-1);
  #callbacks: (EventCallback | undefined)[] = [];
  #free: number[] = [];
  #slotsUsed = 0;
  #nextSeq = 0;
  #kindNames: string[] = ['callback'];
  #handlers: (EventHandler | undefined)[] = [undefined];

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Number of pending events. */
  get size(): number {
    return this.#size;
  }

  /**
   * Defines an event kind (e.g. `disk-complete`) and its handler, run by {@link step} and
   * {@link runUntil}. Returns the kind number to pass to {@link schedule}.
   */
  defineKind(name: string, handler?: EventHandler): number {
    this.#kindNames.push(name);
    this.#handlers.push(handler);
    return this.#kindNames.length - 1;
  }

  /** The name given to a kind. */
  kindName(kind: number): string {
    const name = this.#kindNames[kind];
    if (name === undefined) throw new RangeError(`EventQueue: unknown event kind ${kind}`);
    return name;
  }

  /** Schedules an event of a defined kind at absolute time `timeNs`; returns its id. */
  schedule(timeNs: number, kind: number, payload = 0): number {
    if (kind === EVENT_KIND_CALLBACK || this.#kindNames[kind] === undefined) {
      throw new RangeError(`EventQueue.schedule: kind ${kind} was not defined with defineKind`);
    }
    return this.#insert(timeNs, kind, payload, undefined);
  }

  /** Schedules an event of a defined kind `delayNs` from now; returns its id. */
  scheduleIn(delayNs: number, kind: number, payload = 0): number {
    return this.schedule(this.clock.now + delayNs, kind, payload);
  }

  /** Schedules a callback at absolute time `timeNs`; returns its id. */
  at(timeNs: number, callback: EventCallback): number {
    return this.#insert(timeNs, EVENT_KIND_CALLBACK, 0, callback);
  }

  /** Schedules a callback `delayNs` from now; returns its id. */
  after(delayNs: number, callback: EventCallback): number {
    return this.#insert(this.clock.now + delayNs, EVENT_KIND_CALLBACK, 0, callback);
  }

  /** True while the event is scheduled (not yet taken, not cancelled). */
  isPending(id: number): boolean {
    return this.#slotOf(id) >= 0;
  }

  /** Time of a pending event, or undefined. */
  timeOf(id: number): number | undefined {
    const slot = this.#slotOf(id);
    return slot < 0 ? undefined : this.#time[slot];
  }

  /** Removes a pending event; returns false if it already fired or was cancelled. */
  cancel(id: number): boolean {
    const slot = this.#slotOf(id);
    if (slot < 0) return false;
    this.#removeAt(this.#pos[slot]!);
    this.#release(slot);
    return true;
  }

  /** Time of the next event, or Infinity when the queue is empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : this.#time[this.#heap[0]!]!;
  }

  /**
   * Takes the next event off the queue and advances the clock to its time, without running
   * its handler or callback. Undefined when the queue is empty.
   */
  pop(): FiredEvent | undefined {
    if (this.#size === 0) return undefined;
    const slot = this.#heap[0]!;
    const event: FiredEvent = {
      id: this.#generation[slot]! * SLOT_LIMIT + slot,
      timeNs: this.#time[slot]!,
      seq: this.#seq[slot]!,
      kind: this.#kind[slot]!,
      payload: this.#payload[slot]!,
      callback: this.#callbacks[slot],
    };
    this.#removeAt(0);
    this.#release(slot);
    this.clock.advanceTo(Math.max(event.timeNs, this.clock.now));
    return event;
  }

  /**
   * Takes the next event, advances the clock and runs its callback or its kind's handler.
   * Returns the event, or undefined when the queue is empty. A kind without a handler is an
   * error here (the event stays queued): take such events with {@link pop}.
   */
  step(): FiredEvent | undefined {
    if (this.#size === 0) return undefined;
    const next = this.#heap[0]!;
    const kind = this.#kind[next]!;
    if (kind !== EVENT_KIND_CALLBACK && this.#handlers[kind] === undefined) {
      throw new Error(`EventQueue.step: kind "${this.kindName(kind)}" has no handler; use pop()`);
    }
    const event = this.pop()!;
    if (event.callback !== undefined) event.callback(event.timeNs, event.id);
    else this.#handlers[kind]!(event.payload, event.timeNs, event.id);
    return event;
  }

  /**
   * Runs every event due at or before `timeNs` (including ones scheduled while running), then
   * advances the clock to `timeNs`. Returns how many events ran.
   */
  runUntil(timeNs: number): number {
    let n = 0;
    while (this.#size > 0 && this.#time[this.#heap[0]!]! <= timeNs) {
      this.step();
      n++;
    }
    if (timeNs > this.clock.now) this.clock.advanceTo(timeNs);
    return n;
  }

  /** Runs events until the queue is empty (or `limit` events ran); returns how many ran. */
  run(limit = Infinity): number {
    let n = 0;
    while (this.#size > 0 && n < limit) {
      this.step();
      n++;
    }
    return n;
  }

  #slotOf(id: number): number {
    if (!Number.isSafeInteger(id) || id < 0) return -1;
    const slot = id % SLOT_LIMIT;
    if (slot >= this.#slotsUsed || this.#pos[slot]! < 0) return -1;
    return Math.floor(id / SLOT_LIMIT) === this.#generation[slot] ? slot : -1;
  }

  #insert(timeNs: number, kind: number, payload: number, callback: EventCallback | undefined) {
    if (!(timeNs >= this.clock.now) || timeNs === Infinity) {
      throw new RangeError(
        `EventQueue: cannot schedule at ${timeNs} ns: now is ${this.clock.now} ns ` +
          '(events must be finite and not in the past)',
      );
    }
    const slot = this.#allocSlot();
    this.#time[slot] = timeNs;
    this.#seq[slot] = this.#nextSeq++;
    this.#kind[slot] = kind;
    this.#payload[slot] = payload;
    this.#callbacks[slot] = callback;
    const i = this.#size++;
    this.#heap[i] = slot;
    this.#pos[slot] = i;
    this.#siftUp(i);
    return this.#generation[slot]! * SLOT_LIMIT + slot;
  }

  #allocSlot(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#slotsUsed;
    if (slot === this.#time.length) this.#grow();
    this.#slotsUsed++;
    return slot;
  }

  #release(slot: number): void {
    this.#pos[slot] = -1;
    this.#callbacks[slot] = undefined;
    this.#generation[slot] = (this.#generation[slot]! + 1) % GENERATION_LIMIT;
    this.#free.push(slot);
  }

  #grow(): void {
    const n = this.#time.length * 2;
    if (n > SLOT_LIMIT) throw new RangeError(`EventQueue: more than ${SLOT_LIMIT} pending events`);
    const growF = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const growI = (a: Int32Array<ArrayBuffer>, fill: number): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(n).fill(fill);
      b.set(a);
      return b;
    };
    this.#heap = growI(this.#heap, 0);
    this.#time = growF(this.#time);
    this.#seq = growF(this.#seq);
    this.#kind = growI(this.#kind, 0);
    this.#payload = growF(this.#payload);
    this.#generation = growI(this.#generation, 0);
    this.#pos = growI(this.#pos, -1);
  }

  /** True when slot a comes before slot b: earlier time, then earlier sequence. */
  #before(a: number, b: number): boolean {
    const ta = this.#time[a]!;
    const tb = this.#time[b]!;
    return ta < tb || (ta === tb && this.#seq[a]! < this.#seq[b]!);
  }

  #removeAt(i: number): void {
    const last = --this.#size;
    if (i === last) return;
    const moved = this.#heap[last]!;
    this.#heap[i] = moved;
    this.#pos[moved] = i;
    if (i > 0 && this.#before(moved, this.#heap[(i - 1) >> 1]!)) this.#siftUp(i);
    else this.#siftDown(i);
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    const slot = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.#before(slot, p)) break;
      heap[i] = p;
      this.#pos[p] = i;
      i = parent;
    }
    heap[i] = slot;
    this.#pos[slot] = i;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = this.#size;
    const slot = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.#before(heap[r]!, heap[l]!) ? r : l;
      const c = heap[child]!;
      if (!this.#before(c, slot)) break;
      heap[i] = c;
      this.#pos[c] = i;
      i = child;
    }
    heap[i] = slot;
    this.#pos[slot] = i;
  }
}
