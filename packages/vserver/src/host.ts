/**
 * The Linux-VServer host over one emulated kernel: contexts (vc_ctx_create,
 * vc_ctx_migrate, destruction), the xid of every task (children inherit it), the context
 * each address space is charged to, and per-context accounting kept current through mm's
 * hooks (§E).
 */
import type { Kernel, MmStruct, Task } from '@cvhrc/mm';
import { VxContext } from './context.js';
import { VxError } from './errors.js';
import { VX_RESOURCES, type VxLimitValues, type VxResource } from './limit.js';

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

export class VServerHost {
  readonly kernel: Kernel;
  readonly #contexts = new Map<number, VxContext>();
  readonly #taskXid = new Map<Task, number>();
  readonly #mmContext = new Map<MmStruct, VxContext>();
  /** The xid a task created by createTask joins (set while startTask runs). */
  #startXid = XID_HOST;
  #nextDynamic = MIN_D_CONTEXT;

  /**
   * Attaches to `kernel` through its hooks (chaining any handler already set). Tasks that
   * exist already are in the host context.
   */
  constructor(kernel: Kernel) {
    this.kernel = kernel;
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
      this.#pageMapped(mm, frame);
      pageMapped?.(mm, vpn, frame);
    };
    const pageUnmapped = h.pageUnmapped;
    h.pageUnmapped = (mm, vpn, frame) => {
      this.#pageUnmapped(mm, frame);
      pageUnmapped?.(mm, vpn, frame);
    };
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
    return this.#mmContext.get(mm);
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
    this.#mmContext.set(mm, ctx);
    ctx.mms.add(mm);
  }

  #mmDestroyed(mm: MmStruct): void {
    const ctx = this.#mmContext.get(mm);
    if (ctx === undefined) return;
    this.#mmContext.delete(mm);
    ctx.mms.delete(mm);
    ctx.refreshMm();
  }

  #pageMapped(mm: MmStruct, frame: number): void {
    const ctx = this.#mmContext.get(mm);
    if (ctx === undefined) return;
    if (ctx.frameMaps[frame]!++ === 0) {
      ctx.residentFrames++;
      ctx.limit('RSS').set(ctx.residentFrames);
    }
    ctx.refreshMm();
  }

  #pageUnmapped(mm: MmStruct, frame: number): void {
    const ctx = this.#mmContext.get(mm);
    if (ctx === undefined) return;
    const n = --ctx.frameMaps[frame]!;
    if (n < 0) throw new Error(`xid ${ctx.xid}: frame ${frame} unmapped more than mapped`);
    if (n === 0) {
      ctx.residentFrames--;
      ctx.limit('RSS').set(ctx.residentFrames);
    }
  }
}
