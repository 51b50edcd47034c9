/**
 * The PlanetLab swap watchdog (pl_mom, §E): every second it looks at swap use; at 85 % it
 * logs, at 90 % it resets the slice (context) using the most physical memory — all its tasks
 * are killed — and at 95 % it reboots the node, which ends the run.
 */
import type { Kernel } from '@cvhrc/mm';

/** Options of the watchdog (`new VServerHost(kernel, { watchdog: { … } })`). */
export interface WatchdogOptions {
  /** On by default, as on PlanetLab nodes. */
  readonly enabled?: boolean;
  /** Check period, simulated ms; default 1000. */
  readonly intervalMs?: number;
  /** Swap use (percent of the swap area) that is logged; default 85. */
  readonly logPct?: number;
  /** Swap use at which the biggest context is reset; default 90. */
  readonly resetPct?: number;
  /** Swap use at which the node reboots; default 95. */
  readonly rebootPct?: number;
}

/** What the watchdog did. */
export type WatchdogLevel = 'log' | 'reset' | 'reboot';

/** One entry of the watchdog's log. */
export interface WatchdogEvent {
  /** Simulated time, ns. */
  readonly timeNs: number;
  readonly level: WatchdogLevel;
  /** The context reset (0 for a log entry or the reboot: the node). */
  readonly xid: number;
  /** Swap in use, percent. */
  readonly swapPct: number;
  /** Why, in words. */
  readonly reason: string;
}

/** What the watchdog acts on (the host). */
export interface WatchdogTarget {
  /** The context using the most physical memory (RSS), with its pages; undefined if none has tasks. */
  biggest(): { readonly xid: number; readonly rss: number } | undefined;
  /** Kills every task of context `xid`. */
  reset(xid: number): void;
  /** The node reboots: every task is killed, every timer stops. */
  reboot(): void;
}

/** pl_mom's swap check as a kernel timer. */
export class Watchdog {
  readonly kernel: Kernel;
  readonly intervalNs: number;
  readonly logPct: number;
  readonly resetPct: number;
  readonly rebootPct: number;
  /** The log, oldest first. */
  readonly events: WatchdogEvent[] = [];
  /** True once the node rebooted. */
  rebooted = false;
  /** Checks made. */
  checks = 0;
  readonly #target: WatchdogTarget;
  #cancel: (() => void) | null = null;
  /** Swap use was at or above logPct at the last check (log once per crossing). */
  #high = false;

  constructor(kernel: Kernel, target: WatchdogTarget, options: WatchdogOptions = {}) {
    const intervalMs = options.intervalMs ?? 1000;
    const logPct = options.logPct ?? 85;
    const resetPct = options.resetPct ?? 90;
    const rebootPct = options.rebootPct ?? 95;
    if (!(intervalMs > 0))
      throw new RangeError(`watchdog.intervalMs must be > 0, got ${intervalMs}`);
    if (!(logPct > 0 && logPct <= resetPct && resetPct <= rebootPct && rebootPct <= 100)) {
      throw new RangeError(
        `watchdog: need 0 < logPct ≤ resetPct ≤ rebootPct ≤ 100, got ${logPct}, ${resetPct}, ${rebootPct}`,
      );
    }
    this.kernel = kernel;
    this.#target = target;
    this.intervalNs = Math.round(intervalMs * 1e6);
    this.logPct = logPct;
    this.resetPct = resetPct;
    this.rebootPct = rebootPct;
  }

  /** True while the timer is armed. */
  get armed(): boolean {
    return this.#cancel !== null;
  }

  /** Arms the timer (the host does so while some context has an address space). */
  arm(): void {
    if (this.#cancel !== null || this.rebooted) return;
    this.#cancel = this.kernel.addTimer(this.intervalNs, () => this.check(), this.intervalNs);
  }

  /** Stops the timer. */
  disarm(): void {
    this.#cancel?.();
    this.#cancel = null;
  }

  /** Swap in use, percent (0 without swap). */
  swapPct(): number {
    const k = this.kernel;
    const total = k.totalSwapPages;
    return total === 0 ? 0 : (100 * (total - k.freeSwapPages)) / total;
  }

  /** One check (the timer's work; callable directly). */
  check(): void {
    if (this.rebooted) return;
    this.checks++;
    const pct = this.swapPct();
    const now = this.kernel.clock.now;
    const shown = pct.toFixed(1);
    if (pct >= this.rebootPct) {
      this.events.push({
        timeNs: now,
        level: 'reboot',
        xid: 0,
        swapPct: pct,
        reason: `swap ${shown} % ≥ ${this.rebootPct} %: node reboot`,
      });
      this.rebooted = true;
      this.disarm();
      this.#target.reboot();
      return;
    }
    if (pct >= this.resetPct) {
      const victim = this.#target.biggest();
      if (victim !== undefined) {
        this.events.push({
          timeNs: now,
          level: 'reset',
          xid: victim.xid,
          swapPct: pct,
          reason:
            `swap ${shown} % ≥ ${this.resetPct} %: reset context ${victim.xid}, ` +
            `the most physical memory (${victim.rss} pages)`,
        });
        this.#target.reset(victim.xid);
      }
      this.#high = true;
      return;
    }
    if (pct >= this.logPct) {
      if (!this.#high) {
        this.events.push({
          timeNs: now,
          level: 'log',
          xid: 0,
          swapPct: pct,
          reason: `swap ${shown} % ≥ ${this.logPct} %`,
        });
      }
      this.#high = true;
      return;
    }
    this.#high = false;
  }
}
