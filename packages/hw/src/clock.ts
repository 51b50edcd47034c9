/** Nanoseconds per microsecond, millisecond and second. */
export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

/**
 * Simulated time in nanoseconds, as a plain number. Costs are whole nanoseconds, so times
 * stay exact integers up to Number.MAX_SAFE_INTEGER ns (about 104 days of simulated time).
 * Time never goes backwards.
 */
export class Clock {
  #now: number;

  constructor(startNs = 0) {
    if (!Number.isFinite(startNs) || startNs < 0) {
      throw new RangeError(`Clock: start time must be a finite number ≥ 0, got ${startNs}`);
    }
    this.#now = startNs;
  }

  /** Current simulated time in ns. */
  get now(): number {
    return this.#now;
  }

  /** Moves time forward by `ns` (≥ 0) and returns the new time. */
  advance(ns: number): number {
    if (!(ns >= 0) || ns === Infinity) {
      throw new RangeError(`Clock.advance: duration must be a finite number ≥ 0, got ${ns}`);
    }
    this.#now += ns;
    return this.#now;
  }

  /** Moves time forward to `timeNs`, which must not be in the past. */
  advanceTo(timeNs: number): void {
    if (!(timeNs >= this.#now) || timeNs === Infinity) {
      throw new RangeError(
        `Clock.advanceTo: time ${timeNs} ns is before now (${this.#now} ns) or not finite`,
      );
    }
    this.#now = timeNs;
  }
}

/** A duration for people: `850 ns`, `12.5 µs`, `13.2 ms`, `4.01 s`. */
export function formatNs(ns: number): string {
  const abs = Math.abs(ns);
  const fmt = (x: number): string => String(+x.toPrecision(3));
  if (abs < NS_PER_US) return `${fmt(ns)} ns`;
  if (abs < NS_PER_MS) return `${fmt(ns / NS_PER_US)} µs`;
  if (abs < NS_PER_S) return `${fmt(ns / NS_PER_MS)} ms`;
  return `${fmt(ns / NS_PER_S)} s`;
}
