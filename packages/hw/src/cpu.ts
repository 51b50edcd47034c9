import type { MachineConfig } from './config.js';

/** Value of {@link Cpus.running} for a CPU with nothing on it. */
export const CPU_IDLE = -1;

/** Per-CPU figures from {@link Cpus.stats}. */
export interface CpuStats {
  readonly cpu: number;
  readonly busyNs: number;
  readonly idleNs: number;
  /** Task on the CPU, or {@link CPU_IDLE}. */
  readonly running: number;
}

/**
 * The CPUs as slots: which task (a number chosen by the scheduler above) each one runs, and
 * how much busy and idle time has been charged to each. The scheduler (in mm) decides what
 * runs where and charges the time; hw only keeps the books.
 */
export class Cpus {
  readonly count: number;
  readonly clockHz: number;
  /** Task running on each CPU, or {@link CPU_IDLE}. */
  readonly running: Int32Array;
  readonly #busy: Float64Array;
  readonly #idle: Float64Array;

  constructor(count: number, clockHz = 1.86e9) {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`Cpus: count must be a positive integer, got ${count}`);
    }
    if (!(clockHz > 0)) throw new RangeError(`Cpus: clockHz must be > 0, got ${clockHz}`);
    this.count = count;
    this.clockHz = clockHz;
    this.running = new Int32Array(count).fill(CPU_IDLE);
    this.#busy = new Float64Array(count);
    this.#idle = new Float64Array(count);
  }

  /** The CPUs of a (validated) machine configuration. */
  static fromConfig(config: MachineConfig): Cpus {
    return new Cpus(config.cpu.count, config.cpu.clockHz);
  }

  #check(cpu: number, ns: number, what: string): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.count) {
      throw new RangeError(`Cpus.${what}: cpu must be 0…${this.count - 1}, got ${cpu}`);
    }
    if (!(ns >= 0) || ns === Infinity) {
      throw new RangeError(`Cpus.${what}: time must be a finite number ≥ 0, got ${ns}`);
    }
  }

  /** Charges `ns` of busy time to a CPU. */
  charge(cpu: number, ns: number): void {
    this.#check(cpu, ns, 'charge');
    this.#busy[cpu]! += ns;
  }

  /** Charges `ns` of idle time to a CPU. */
  chargeIdle(cpu: number, ns: number): void {
    this.#check(cpu, ns, 'chargeIdle');
    this.#idle[cpu]! += ns;
  }

  /** Busy time charged to a CPU. */
  busyNs(cpu: number): number {
    this.#check(cpu, 0, 'busyNs');
    return this.#busy[cpu]!;
  }

  /** Idle time charged to a CPU. */
  idleNs(cpu: number): number {
    this.#check(cpu, 0, 'idleNs');
    return this.#idle[cpu]!;
  }

  /** Busy time of all CPUs together. */
  totalBusyNs(): number {
    let sum = 0;
    for (let c = 0; c < this.count; c++) sum += this.#busy[c]!;
    return sum;
  }

  /** Puts a task (≥ 0) on a CPU, or CPU_IDLE to empty it; returns what ran before. */
  setRunning(cpu: number, task: number): number {
    this.#check(cpu, 0, 'setRunning');
    if (!Number.isInteger(task) || task < CPU_IDLE) {
      throw new RangeError(`Cpus.setRunning: task must be an integer ≥ 0 or CPU_IDLE, got ${task}`);
    }
    const old = this.running[cpu]!;
    this.running[cpu] = task;
    return old;
  }

  /** Lowest-numbered CPU with no task, or -1 when all are busy. */
  firstIdle(): number {
    return this.running.indexOf(CPU_IDLE);
  }

  /**
   * Fraction of `elapsedNs` a CPU was busy (e.g. elapsed = the clock's now when counting
   * from time 0).
   */
  utilization(cpu: number, elapsedNs: number): number {
    return elapsedNs > 0 ? this.busyNs(cpu) / elapsedNs : 0;
  }

  /** Cycles at this clock rate, in ns. */
  cyclesToNs(cycles: number): number {
    return (cycles * 1e9) / this.clockHz;
  }

  /** Figures for every CPU. */
  stats(): CpuStats[] {
    return Array.from({ length: this.count }, (_, cpu) => ({
      cpu,
      busyNs: this.#busy[cpu]!,
      idleNs: this.#idle[cpu]!,
      running: this.running[cpu]!,
    }));
  }
}
