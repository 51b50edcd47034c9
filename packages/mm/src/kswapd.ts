/**
 * kswapd (mm/vmscan.c, §A7): the kernel thread that frees memory in the background when a
 * zone falls below pages_low, until every zone is at pages_high again (balance_pgdat).
 *
 * kswapd is woken by wakeup_kswapd and runs one priority level of balance_pgdat per step;
 * where the kernel would sleep in blk_congestion_wait it schedules its next step after the
 * next write completes or 100 ms. With a Scheduler, each step is a burst on a CPU (the
 * kernel's kthreadRunner); without one, steps are events on the machine's queue, charged to
 * the one clock, and run whenever the machine's events run (a task waiting for I/O).
 * Either way its work is charged to its own system time.
 */
import type { Kernel } from './kernel.js';
import { putSwapToken } from './swap.js';
import type { Task } from './task.js';
import { newScanControl, type ScanControl } from './vmscan.js';
import { DEF_PRIORITY, SWAP_CLUSTER_MAX, zoneWatermarkOk, type Zone } from './zone.js';
import { GFP_KERNEL } from './gfp.js';

/** Wait of balance_pgdat between priorities: blk_congestion_wait(WRITE, HZ/10). */
const CONGESTION_WAIT_NS = 100_000_000;

export class Kswapd {
  readonly task: Task;
  /** True from a wake-up until balance_pgdat finds every zone balanced. */
  running = false;
  /** pgdat->kswapd_max_order. */
  maxOrder = 0;
  #order = 0;
  #priority = DEF_PRIORITY;
  #loopStart = true;
  #totalScanned = 0;
  #nrReclaimed = 0;
  #sc: ScanControl | null = null;
  #lastPassNs = -1;
  #passesNow = 0;
  readonly #k: Kernel;

  constructor(k: Kernel, task: Task) {
    this.#k = k;
    this.task = task;
  }

  /** wakeup_kswapd: a zone below pages_low wakes kswapd (if it sleeps). */
  wakeup(zone: Zone, order: number): void {
    if (zone.presentPages === 0) return;
    if (zoneWatermarkOk(zone, order, zone.pagesLow, 0, 0)) return;
    if (this.maxOrder < order) this.maxOrder = order;
    if (this.running) return;
    this.running = true;
    this.#order = this.maxOrder;
    this.maxOrder = 0;
    this.#loopStart = true;
    this.#next();
  }

  /** Runs `fn` as kswapd (its time is charged to kswapd). */
  #run(fn: () => void): void {
    const k = this.#k;
    const previous = k.current;
    k.current = this.task;
    try {
      fn();
    } finally {
      k.current = previous;
    }
  }

  #balanceStep(): void {
    const k = this.#k;
    const zones = k.zones;
    if (this.#loopStart) {
      if (k.clock.now === this.#lastPassNs) {
        if (++this.#passesNow > 100_000)
          throw new Error('kswapd: 100000 passes without time passing');
      } else {
        this.#lastPassNs = k.clock.now;
        this.#passesNow = 0;
      }
      // loop_again
      this.#loopStart = false;
      this.#totalScanned = 0;
      this.#nrReclaimed = 0;
      this.#sc = newScanControl(k, GFP_KERNEL, true);
      k.vm.pageoutrun++;
      for (const z of zones) z.tempPriority = DEF_PRIORITY;
      this.#priority = DEF_PRIORITY;
    }
    const sc = this.#sc!;
    const priority = this.#priority;
    const order = this.#order;
    if (priority === 0) putSwapToken(k, null);
    let allZonesOk = true;
    // The highest zone that needs scanning (HighMem → DMA).
    let endZone = -1;
    for (let i = zones.length - 1; i >= 0; i--) {
      const z = zones[i]!;
      if (z.presentPages === 0) continue;
      if (z.allUnreclaimable && priority !== DEF_PRIORITY) continue;
      if (!zoneWatermarkOk(z, order, z.pagesHigh, 0, 0)) {
        endZone = i;
        break;
      }
    }
    let done = endZone < 0;
    if (!done) {
      // Scan DMA → endZone, so allocations (which go the other way) stay ahead of kswapd.
      for (let i = 0; i <= endZone; i++) {
        const z = zones[i]!;
        if (z.presentPages === 0) continue;
        if (z.allUnreclaimable && priority !== DEF_PRIORITY) continue;
        if (!zoneWatermarkOk(z, order, z.pagesHigh, endZone, 0)) allZonesOk = false;
        z.tempPriority = priority;
        if (z.prevPriority > priority) z.prevPriority = priority;
        sc.nrScanned = 0;
        this.#nrReclaimed += k.reclaimPolicy.shrinkZone(k, priority, z, sc);
        this.#totalScanned += sc.nrScanned;
        if (z.allUnreclaimable) continue;
        if (z.pagesScanned >= (z.nrActive + z.nrInactive) * 4) z.allUnreclaimable = true;
        if (
          this.#totalScanned > SWAP_CLUSTER_MAX * 2 &&
          this.#totalScanned > this.#nrReclaimed + this.#nrReclaimed / 2
        ) {
          sc.mayWritepage = true;
        }
      }
      if (allZonesOk) done = true;
    }
    if (done) {
      this.#finishPass(allZonesOk);
      return;
    }
    // kswapd is getting into trouble: take a nap (for writeback), then go on or end the pass.
    const rest = (): void => {
      if (this.#nrReclaimed >= SWAP_CLUSTER_MAX || priority === 0) this.#finishPass(false);
      else {
        this.#priority = priority - 1;
        this.#balanceStep();
      }
    };
    if (this.#totalScanned > 0 && priority < DEF_PRIORITY - 2) {
      k.afterCongestion(CONGESTION_WAIT_NS, () => this.#schedule(rest));
    } else {
      // cond_resched() between priorities yields only when kswapd's time slice is used up,
      // so the next level runs on in the same burst.
      rest();
    }
  }

  /** out: of balance_pgdat — prev_priority set; loop again, or sleep. */
  #finishPass(allZonesOk: boolean): void {
    for (const z of this.#k.zones) z.prevPriority = z.tempPriority;
    if (!allZonesOk) {
      this.#loopStart = true;
      this.#next();
      return;
    }
    // kswapd(): a wake-up for a larger order during the pass runs another pass.
    if (this.maxOrder > this.#order) {
      this.#order = this.maxOrder;
      this.maxOrder = 0;
      this.#loopStart = true;
      this.#next();
      return;
    }
    this.running = false;
  }

  #next(): void {
    this.#schedule(() => this.#balanceStep());
  }

  /**
   * Runs `step` as kswapd's next piece of work: on a CPU through the kernel's kthread runner
   * (the Scheduler's) when there is one, else as an event at the current time.
   */
  #schedule(step: () => void): void {
    const runner = this.#k.kthreadRunner;
    if (runner !== null) runner(this.task, () => this.#run(step));
    else this.#k.events.after(0, () => this.#run(step));
  }
}
