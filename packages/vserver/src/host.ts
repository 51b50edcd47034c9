/**
 * The Linux-VServer host over one emulated kernel: contexts (vc_ctx_create,
 * vc_ctx_migrate, destruction), the xid of every task (children inherit it), the context
 * each address space is charged to, and per-context accounting kept current through mm's
 * hooks (§E).
 */
import type { CvhrcTracker } from '@cvhrc/core';
import {
  badness,
  OOM_DISABLE,
  type Kernel,
  type MmStruct,
  type Program,
  type Scheduler,
  type Task,
} from '@cvhrc/mm';
import { VxContext, vxContextOf } from './context.js';
import { VxError } from './errors.js';
import { VX_RESOURCES, type VxLimitValues, type VxResource } from './limit.js';
import {
  CvhrcBridge,
  type CvhrcCounters,
  type CvhrcOptions,
  type HrcMark,
  type HrcResult,
} from './tracking.js';
import { Watchdog, type WatchdogEvent, type WatchdogOptions } from './watchdog.js';

/** Options of a {@link VServerHost}: the kernel's build and boot choices that concern it. */
export interface VServerHostOptions {
  /** CvHRC, the analogue of the kernel build switch; absent or `enabled: false`: off. */
  readonly cvhrc?: CvhrcOptions;
  /** The PlanetLab swap watchdog; on unless `enabled: false`. */
  readonly watchdog?: WatchdogOptions;
}

/** An OOM kill inside a context: its RSS went over the hard limit (§E). */
export interface VxOomKill {
  readonly xid: number;
  readonly pid: number;
  readonly comm: string;
  readonly timeNs: number;
  /** RSS (pages) with the refused page charged, and the limit. */
  readonly rss: number;
  readonly limit: number;
}

/** The host context: no accounting, sees every context. */
export const XID_HOST = 0;
/** The spectator context (reserved; no task can be placed in it here). */
export const XID_SPECTATOR = 1;
/** The highest xid (xid_t is 16 bits; 65535 is reserved as well). */
export const XID_MAX = 65534;
/** Dynamic xids (vc_ctx_create with VX_DYNAMIC_ID) are handed out from here. */
export const MIN_D_CONTEXT = 49152;

const checkResource = (op: string, resource: VxResource): void => {
  if (!VX_RESOURCES.includes(resource)) {
    throw new VxError(op, 'EINVAL', `resource ${String(resource)}`);
  }
};

/**
 * A Linux-VServer host over one kernel: contexts, their accounting and enforced limits, the
 * PlanetLab watchdog and, when built in, each context's CvHRC tracker and its results.
 */
export class VServerHost {
  readonly kernel: Kernel;
  /** The PlanetLab watchdog, or null when disabled. */
  readonly watchdog: Watchdog | null;
  /** OOM kills made because a context's RSS went over its limit, in order. */
  readonly oomKills: VxOomKill[] = [];
  readonly #cvhrc: CvhrcBridge | null;
  /** Address spaces charged to contexts (the timers run while there are any). */
  #chargedMms = 0;
  readonly #contexts = new Map<number, VxContext>();
  readonly #taskXid = new Map<Task, number>();
  /** The xid a task created by createTask joins (set while startTask runs). */
  #startXid = XID_HOST;
  #nextDynamic = MIN_D_CONTEXT;

  /**
   * Attaches to `kernel` through its hooks (chaining any handler already set). Tasks that
   * exist already are in the host context. `options.cvhrc` builds CvHRC in (a tracker per
   * context, tracking faults handled here); `options.watchdog` tunes or disables pl_mom.
   */
  constructor(kernel: Kernel, options: VServerHostOptions = {}) {
    this.kernel = kernel;
    const cv = options.cvhrc;
    this.#cvhrc = cv !== undefined && cv.enabled !== false ? new CvhrcBridge(kernel, cv) : null;
    this.watchdog =
      options.watchdog?.enabled === false
        ? null
        : new Watchdog(
            kernel,
            {
              biggest: () => this.#biggest(),
              reset: (xid) => this.#resetContext(xid),
              reboot: () => this.#reboot(),
            },
            options.watchdog,
          );
    const h = kernel.hooks;
    const taskCreated = h.taskCreated;
    h.taskCreated = (task, parent) => {
      this.#taskCreated(task, parent);
      taskCreated?.(task, parent);
    };
    const taskExited = h.taskExited;
    h.taskExited = (task) => {
      this.#taskExited(task);
      taskExited?.(task);
    };
    const mmCreated = h.mmCreated;
    h.mmCreated = (mm, owner) => {
      this.#mmCreated(mm, owner);
      mmCreated?.(mm, owner);
    };
    const mmDestroyed = h.mmDestroyed;
    h.mmDestroyed = (mm) => {
      this.#mmDestroyed(mm);
      mmDestroyed?.(mm);
    };
    const pageMapped = h.pageMapped;
    h.pageMapped = (mm, vpn, frame) => {
      this.#pageMapped(mm, vpn, frame);
      pageMapped?.(mm, vpn, frame);
    };
    const pageUnmapped = h.pageUnmapped;
    h.pageUnmapped = (mm, vpn, frame) => {
      this.#pageUnmapped(mm, frame);
      pageUnmapped?.(mm, vpn, frame);
    };
    const mayExpandVm = h.mayExpandVm;
    h.mayExpandVm = (task, mm, pages) =>
      this.#mayExpandVm(task, mm, pages) && (mayExpandVm?.(task, mm, pages) ?? true);
    const bridge = this.#cvhrc;
    if (bridge !== null) {
      const pageFreed = h.pageFreed;
      h.pageFreed = (frame) => {
        bridge.pageFreed(frame);
        pageFreed?.(frame);
      };
      const youngCleared = h.youngCleared;
      h.youngCleared = (mm, vpn, frame) => {
        bridge.youngCleared(frame);
        youngCleared?.(mm, vpn, frame);
      };
      // The tracking bit is ours: a tracking fault is handled here (no chaining).
      h.trackingFault = (task, vpn) => bridge.trackingFault(task, vpn);
      h.trackingRun = {
        plan: (task, vpn, step, max, leftNs, userNs, order) =>
          bridge.planRun(task, vpn, step, max, leftNs, userNs, order ?? null),
        charges: bridge.runCharges,
        commit: (task, k) => bridge.commitRun(task, k),
        permuted: true,
      };
    }
  }

  /** True when CvHRC is built in (`cvhrc.enabled`). */
  get tracking(): boolean {
    return this.#cvhrc !== null;
  }

  // ---- contexts -----------------------------------------------------------------------

  /**
   * vc_ctx_create: a new, empty context with `xid` (2 … XID_MAX), or with the next free
   * dynamic xid from MIN_D_CONTEXT when none is given.
   */
  createContext(xid?: number): VxContext {
    let id: number;
    if (xid === undefined) {
      while (this.#contexts.has(this.#nextDynamic)) this.#nextDynamic++;
      if (this.#nextDynamic > XID_MAX) {
        throw new VxError('vc_ctx_create', 'EBUSY', 'no dynamic xid left');
      }
      id = this.#nextDynamic++;
    } else {
      if (!Number.isSafeInteger(xid) || xid <= XID_SPECTATOR || xid > XID_MAX) {
        throw new VxError('vc_ctx_create', 'EINVAL', `xid ${xid} (2 … ${XID_MAX})`);
      }
      if (this.#contexts.has(xid)) throw new VxError('vc_ctx_create', 'EEXIST', `xid ${xid}`);
      id = xid;
    }
    const ctx = new VxContext(id, this.kernel.machine.memory.frameCount, this.kernel.clock.now);
    this.#contexts.set(id, ctx);
    this.#cvhrc?.contextCreated(ctx);
    return ctx;
  }

  /**
   * Destroys a context. It must be empty: no task in it and no address space charged to it
   * (EBUSY otherwise).
   */
  destroyContext(xid: number): void {
    const ctx = this.#get('vc_ctx_destroy', xid);
    if (ctx.tasks.size > 0 || ctx.mms.size > 0) {
      throw new VxError(
        'vc_ctx_destroy',
        'EBUSY',
        `xid ${xid} has ${ctx.tasks.size} tasks and ${ctx.mms.size} address spaces`,
      );
    }
    this.#contexts.delete(xid);
    this.#cvhrc?.contextDestroyed(xid);
  }

  /** The context with `xid`, or undefined (the host, xid 0, is no context). */
  context(xid: number): VxContext | undefined {
    return this.#contexts.get(xid);
  }

  /** The xids of every context, ascending. */
  xids(): number[] {
    return [...this.#contexts.keys()].sort((a, b) => a - b);
  }

  /**
   * A new task (with a new, empty address space) in context `xid` — the context's init
   * if it is the first. The address space is charged to the context.
   */
  startTask(xid: number, comm: string): Task {
    const ctx = this.#get('startTask', xid);
    this.#startXid = xid;
    try {
      const task = this.kernel.createTask(comm);
      if (ctx.initPid === 0) ctx.initPid = task.pid;
      return task;
    } finally {
      this.#startXid = XID_HOST;
    }
  }

  /**
   * A task in context `xid` running `program` on `scheduler` (Scheduler.spawn inside the
   * context): its new address space is charged to the context, and the children it forks
   * inherit the xid. The first task started in a context is its init.
   */
  spawn(scheduler: Scheduler, xid: number, program: Program, comm = 'task'): Task {
    const ctx = this.#get('spawn', xid);
    if (scheduler.kernel !== this.kernel) {
      throw new VxError('spawn', 'EINVAL', 'the scheduler runs another kernel');
    }
    this.#startXid = xid;
    try {
      const task = scheduler.spawn(program, comm);
      if (ctx.initPid === 0) ctx.initPid = task.pid;
      return task;
    } finally {
      this.#startXid = XID_HOST;
    }
  }

  /**
   * vc_ctx_migrate: `task` joins context `xid`. As in Linux-VServer, its current address
   * space stays charged where it was (mm_vx_info is set when an mm is created); an exec or
   * a fork after the move creates one charged to the new context.
   */
  migrate(task: Task, xid: number): void {
    const ctx = this.#get('vc_ctx_migrate', xid);
    if (this.kernel.task(task.pid) !== task) {
      throw new VxError('vc_ctx_migrate', 'EINVAL', `task ${task.pid} is not alive`);
    }
    const old = this.xidOf(task);
    if (old === xid) return;
    this.#contexts.get(old)?.tasks.delete(task);
    this.#taskXid.set(task, xid);
    ctx.tasks.add(task);
    if (ctx.initPid === 0) ctx.initPid = task.pid;
  }

  /** The xid of a task (0: the host). */
  xidOf(task: Task): number {
    return this.#taskXid.get(task) ?? XID_HOST;
  }

  /** The context an address space is charged to, or undefined for the host. */
  contextOfMm(mm: MmStruct): VxContext | undefined {
    return vxContextOf(mm);
  }

  // ---- CvHRC results --------------------------------------------------------------------

  /** The tracker of context `xid` (undefined without CvHRC or for an unknown context). */
  trackerOf(xid: number): CvhrcTracker | undefined {
    return this.#cvhrc?.context(xid)?.tracker;
  }

  /**
   * The measured curve of context `xid` over the current window (since the context was
   * created or {@link resetHrcWindow}), or over the window since `since` (a {@link hrcMark}
   * taken earlier in the same window): curve, page need, tracking work, space, and with the
   * oracle on the exact curve and the MAE between them. EINVAL without CvHRC.
   */
  hrc(xid: number, since?: HrcMark): HrcResult {
    const ct = this.#tracking('hrc', xid);
    return this.#cvhrc!.result(ct, since);
  }

  /** A mark of context `xid`'s measurement now, to take a window from later. */
  hrcMark(xid: number): HrcMark {
    return this.#cvhrc!.mark(this.#tracking('hrcMark', xid));
  }

  /** Starts a new window for context `xid`: hit counters, work counters and oracle from 0. */
  resetHrcWindow(xid: number): void {
    this.#cvhrc!.resetWindow(this.#tracking('resetHrcWindow', xid));
  }

  /**
   * Checks CvHRC's per-frame state against every context's tracker (ownership, armed
   * entities) and each tracker's own invariants; throws an Error naming the first thing
   * that disagrees. Does nothing without CvHRC. For tests and debugging; O(frames).
   */
  checkTrackingInvariants(): void {
    const bridge = this.#cvhrc;
    if (bridge === null) return;
    bridge.checkInvariants();
    for (const ctx of this.#contexts.values()) bridge.context(ctx.xid)?.tracker.checkInvariants();
  }

  /** Runs one scan of context `xid` now (what its timer does), as the current task. */
  scanNow(xid: number): void {
    this.#cvhrc!.scan(this.#tracking('scanNow', xid));
  }

  /** The tracking work of context `xid` since it was created. */
  hrcCounters(xid: number): CvhrcCounters {
    return this.#tracking('hrcCounters', xid).counters();
  }

  /** Trackers alive (one per context with CvHRC on). */
  get trackers(): number {
    return this.#cvhrc?.trackers ?? 0;
  }

  /** Tracking faults no tracker claimed (stale tracking bits, cleared). */
  get staleTrackingFaults(): number {
    return this.#cvhrc?.staleTraps ?? 0;
  }

  #tracking(op: string, xid: number) {
    this.#get(op, xid);
    const ct = this.#cvhrc?.context(xid);
    if (ct === undefined) throw new VxError(op, 'EINVAL', 'CvHRC is not enabled on this host');
    return ct;
  }

  // ---- watchdog -----------------------------------------------------------------------

  /** The watchdog's log (empty when it is disabled). */
  watchdogLog(): readonly WatchdogEvent[] {
    return this.watchdog?.events ?? [];
  }

  /** True once the watchdog rebooted the node (the run is over). */
  get rebooted(): boolean {
    return this.watchdog?.rebooted ?? false;
  }

  /** The context with the most physical memory (RSS) among those with tasks. */
  #biggest(): { xid: number; rss: number } | undefined {
    let best: VxContext | undefined;
    for (const ctx of this.#contexts.values()) {
      if (ctx.tasks.size === 0) continue;
      if (best === undefined || ctx.residentFrames > best.residentFrames) best = ctx;
    }
    return best === undefined ? undefined : { xid: best.xid, rss: best.residentFrames };
  }

  /** A reset: every task of the context is killed. */
  #resetContext(xid: number): void {
    const ctx = this.#contexts.get(xid);
    if (ctx === undefined) return;
    for (const t of [...ctx.tasks]) this.#kill(t);
  }

  /** A reboot: every task is killed, every timer of the host stops. */
  #reboot(): void {
    for (const t of this.kernel.tasks()) this.#kill(t);
    for (const xid of this.#contexts.keys()) this.#cvhrc?.stopTimer(xid);
  }

  /** SIGKILL: the current task dies when it returns to user space, any other at once. */
  #kill(task: Task): void {
    const k = this.kernel;
    if (k.task(task.pid) !== task) return;
    task.killed = true;
    if (task === k.current) task.memdie = true;
    else k.exit(task);
  }

  /**
   * The OOM kill inside a context (§E: RSS over the hard limit kills a process of the guest):
   * select_bad_process over the context's tasks only, then oom_kill_process (a child with
   * its own mm first). Nothing when a victim is still dying.
   */
  #oomInContext(ctx: VxContext): void {
    const k = this.kernel;
    let chosen: Task | null = null;
    let max = 0;
    for (const p of ctx.tasks) {
      if (p.mm === null || p.oomkilladj === OOM_DISABLE || k.task(p.pid) !== p) continue;
      if (p.memdie || p.killed) return;
      const points = badness(k, p);
      if (chosen === null || points > max) {
        chosen = p;
        max = points;
      }
    }
    if (chosen === null) return;
    let victim = chosen;
    for (const c of ctx.tasks) {
      if (c.parentPid === chosen.pid && c.mm !== null && c.mm !== chosen.mm) {
        victim = c;
        break;
      }
    }
    const rss = ctx.limit('RSS');
    this.oomKills.push({
      xid: ctx.xid,
      pid: victim.pid,
      comm: victim.comm,
      timeNs: k.clock.now,
      rss: rss.cur,
      limit: rss.lim,
    });
    k.oomKill(victim);
  }

  // ---- limits -------------------------------------------------------------------------

  /** Sets the limit of one resource of a context (RLIM_INFINITY: none). */
  setLimit(xid: number, resource: VxResource, limit: number): void {
    const ctx = this.#get('vc_set_rlimit', xid);
    checkResource('vc_set_rlimit', resource);
    if (limit !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new VxError('vc_set_rlimit', 'EINVAL', `limit ${limit} of ${resource}`);
    }
    ctx.limit(resource).lim = limit;
  }

  /** The counters of one resource of a context, up to date. */
  usage(xid: number, resource: VxResource): VxLimitValues {
    const ctx = this.#get('vc_get_rlimit', xid);
    checkResource('vc_get_rlimit', resource);
    ctx.refresh();
    return ctx.values(resource);
  }

  /**
   * The limit check of §E: may context `xid` take `n` more units of `resource`? Updates
   * the watermark; a refusal counts a hit.
   */
  check(xid: number, resource: VxResource, n: number): boolean {
    const ctx = this.#get('vx_check', xid);
    checkResource('vx_check', resource);
    ctx.refresh();
    return ctx.limit(resource).check(n);
  }

  // ---- hooks --------------------------------------------------------------------------

  #get(op: string, xid: number): VxContext {
    const ctx = this.#contexts.get(xid);
    if (ctx === undefined) throw new VxError(op, 'ENOENT', `no context ${xid}`);
    return ctx;
  }

  #taskCreated(task: Task, parent: Task | null): void {
    const xid = parent === null ? this.#startXid : this.xidOf(parent);
    if (xid === XID_HOST) return;
    const ctx = this.#contexts.get(xid);
    if (ctx === undefined) throw new Error(`task ${task.pid}: context ${xid} is gone`);
    this.#taskXid.set(task, xid);
    ctx.tasks.add(task);
    ctx.limit('PROC').set(ctx.tasks.size);
  }

  #taskExited(task: Task): void {
    const xid = this.#taskXid.get(task);
    if (xid === undefined) return;
    this.#taskXid.delete(task);
    const ctx = this.#contexts.get(xid);
    if (ctx === undefined) return;
    ctx.tasks.delete(task);
    ctx.limit('PROC').set(ctx.tasks.size);
  }

  #mmCreated(mm: MmStruct, owner: Task): void {
    const ctx = this.#contexts.get(this.xidOf(owner));
    if (ctx === undefined) return;
    mm.vxInfo = ctx;
    ctx.mms.add(mm);
    this.#cvhrc?.mmAdded(ctx, mm);
    if (this.#chargedMms++ === 0) this.watchdog?.arm();
  }

  #mmDestroyed(mm: MmStruct): void {
    const ctx = vxContextOf(mm);
    if (ctx === undefined) return;
    mm.vxInfo = null;
    ctx.mms.delete(mm);
    ctx.refreshMm();
    this.#cvhrc?.mmRemoved(ctx, mm);
    if (--this.#chargedMms === 0) this.watchdog?.disarm();
  }

  /**
   * may_expand_vm with Linux-VServer's vx_vmpages_avail (§E): the VM limit of the context
   * that pays (the mm's, or for fork the parent's context) — refused: ENOMEM, a hit.
   */
  #mayExpandVm(task: Task, mm: MmStruct | null, pages: number): boolean {
    const ctx = mm === null ? this.#contexts.get(this.xidOf(task)) : vxContextOf(mm);
    if (ctx === undefined) return true;
    ctx.refreshMm();
    return ctx.vm.check(pages);
  }

  #pageMapped(mm: MmStruct, vpn: number, frame: number): void {
    const ctx = vxContextOf(mm);
    if (ctx === undefined) {
      this.#cvhrc?.pageMapped(mm, vpn, frame);
      return;
    }
    let over = false;
    if (ctx.frameMaps[frame]!++ === 0) {
      // vx_rsspages_avail (§E): a page the context did not map yet is charged to RSS.
      over = !ctx.rss.check(1);
      ctx.residentFrames++;
      ctx.rss.set(ctx.residentFrames);
    }
    ctx.refreshMm();
    this.#cvhrc?.pageMapped(mm, vpn, frame);
    if (over) this.#oomInContext(ctx);
  }

  #pageUnmapped(mm: MmStruct, frame: number): void {
    const ctx = vxContextOf(mm);
    if (ctx !== undefined) {
      const n = --ctx.frameMaps[frame]!;
      if (n < 0) throw new Error(`xid ${ctx.xid}: frame ${frame} unmapped more than mapped`);
      if (n === 0) {
        ctx.residentFrames--;
        ctx.rss.set(ctx.residentFrames);
      }
    }
    this.#cvhrc?.pageUnmapped(mm, frame);
  }
}
