/**
 * The scheduler: tasks running programs on the machine's CPUs (hw `Cpus`), driven by the
 * one clock and event queue.
 *
 * Each CPU runs a task in *bursts*: the task executes operations at once while the time it
 * is charged (user work, faults, zeroing, …) accumulates as the burst's length instead of
 * advancing the clock (Kernel.beginBurst); the CPU is busy until start + length. So CPUs run
 * side by side in simulated time, and everything stays deterministic: CPUs are served in
 * number order, the run queue is FIFO, events come in (time, sequence) order. A burst ends
 * when the task blocks (a fault or read() waiting for disk I/O, sleep, wait), exits, its
 * time slice runs out, an event falls due (an I/O completion) or a kernel thread is woken,
 * or the burst reaches `quantumNs` — the granularity at which the effects of tasks on
 * different CPUs interleave. A burst's effects take place at its start.
 *
 * Time slice: DEF_TIMESLICE = 100 ms (kernel/sched.c of 2.6.17, 100 * HZ / 1000 for nice 0).
 * Simplified: one FIFO run queue instead of the O(1) scheduler's per-CPU priority arrays;
 * no interactivity bonus, nice levels or load balancing; a task whose burst ended with
 * slice left goes back to the head of the queue (it keeps its CPU). Kernel threads (kswapd)
 * run here too: once a Scheduler exists, the kernel hands their work to it; a woken thread
 * ends the running burst and is served first.
 */
import {
  access,
  accessRange,
  CPU_IDLE,
  FAULT_TRACKING,
  PAGE_SIZE,
  type Cpus,
  type PageTable,
} from '@cvhrc/hw';
import { SyscallError } from './errors.js';
import {
  doPageFault,
  VM_FAULT_MAJOR,
  VM_FAULT_MINOR,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_WAIT,
} from './fault.js';
import { doPageCacheReadahead, findGetPage, maxSaneReadahead } from './filemap.js';
import type { Kernel } from './kernel.js';
import { markPageAccessed, putPage } from './lru.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from './mm.js';
import { MS_ASYNC, MS_SYNC } from './msync.js';
import { PG_LOCKED, PG_UPTODATE } from './page.js';
import type { Operation, Program, TouchLeg, TouchOp } from './program.js';
import type { TouchRunOrder, TrackingRunHook } from './hooks.js';
import type { Task } from './task.js';

/** DEF_TIMESLICE of kernel/sched.c (2.6.17): 100 ms for a nice-0 task. */
export const DEF_TIMESLICE_NS = 100_000_000;
/** Default longest burst: tasks on different CPUs interleave at least this finely. */
export const DEFAULT_QUANTUM_NS = 1_000_000;

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  /** Time slice of every task, ns; default {@link DEF_TIMESLICE_NS}. */
  readonly timesliceNs?: number;
  /** Longest burst, ns; default {@link DEFAULT_QUANTUM_NS}. */
  readonly quantumNs?: number;
  /**
   * Runs of tracking faults on consecutive pages of a touch take the touch loop's tight path
   * (default true). False sends every one through the loop's generic turn; the results are
   * the same to the bit either way (tested) — the switch is for that test and for timing.
   */
  readonly trackingRuns?: boolean;
}

/** How a task ended. */
export interface TaskExit {
  readonly pid: number;
  readonly comm: string;
  readonly timeNs: number;
  /** null for exit (or the end of its program); else SIGSEGV, SIGBUS, or SIGKILL (OOM). */
  readonly signal: 'SIGSEGV' | 'SIGBUS' | 'SIGKILL' | null;
}

/** Result of {@link Scheduler.run}. */
export interface RunResult {
  /** The clock when run returned. */
  readonly nowNs: number;
  /** True when every task has exited. */
  readonly finished: boolean;
}

const BLOCK_NONE = 0;
const BLOCK_PAGE = 1;
const BLOCK_SLEEP = 2;
const BLOCK_WAIT = 3;

/** What one step of an operation did. */
const STEP_DONE = 0;
const STEP_MORE = 1;
const STEP_BLOCKED = 2;
const STEP_DEAD = 3;

interface Region {
  readonly vpn: number;
  readonly pages: number;
}

/** A task as the scheduler sees it (its program and where it is in it). */
class Entity {
  readonly task: Task;
  readonly program: Iterator<Operation>;
  parent: Entity | null;
  liveChildren = 0;
  /** Children exited and not yet reaped by a wait with `any`. */
  exitedChildren = 0;
  /** Blocked in a wait with `any` (wakes on one exit, not on all). */
  waitAny = false;
  regions: Map<string, Region>;
  state: 'runnable' | 'running' | 'blocked' | 'sleeping' | 'exited' = 'runnable';
  /** A kernel thread (kswapd): it runs `steps` handed over by the kernel, never exits. */
  kthread = false;
  readonly steps: (() => void)[] = [];
  block = BLOCK_NONE;
  waitFrame = -1;
  waitBits = 0;
  wakeAt = 0;
  sliceLeft: number;
  /** The operation in progress, or null between operations. */
  op: Operation | null = null;
  opStarted = false;
  // Cursor of a touch or read in progress.
  base = 0;
  count = 0;
  stride = 1;
  reverse = false;
  /** The touch in progress stores (its op's `write`, read once: ops come in many shapes). */
  write = false;
  perm: Int32Array | null = null;
  repeat = 1;
  pass = 0;
  index = 0;
  last = 0;
  nsPerPage = 0;
  /** The touch pass in progress has left the fast path (a fault) since it began. */
  passFaulted = false;
  /** Ranges per pass of the touch in progress: 1, or 2 with its `then`. */
  legs = 1;
  /** The range the pass in progress is on: 0, or 1 (the `then` range). */
  leg = 0;
  // The two ranges' first pages, stores and prices per page; base, write and nsPerPage above
  // are those of the range the pass is on.
  base0 = 0;
  base1 = 0;
  write0 = false;
  write1 = false;
  ns0 = 0;
  ns1 = 0;
  remainingNs = 0;
  sameFaults = 0;
  lastFaultVpn = -1;

  constructor(task: Task, program: Program, parent: Entity | null, sliceNs: number) {
    this.task = task;
    this.program = program[Symbol.iterator]();
    this.parent = parent;
    this.regions = new Map<string, Region>(parent === null ? [] : parent.regions);
    this.sliceLeft = sliceNs;
  }
}

/** {@link TouchRunOrder}, filled in place before each plan of a permuted pass. */
class RunOrder implements TouchRunOrder {
  perm: Int32Array = new Int32Array(0);
  next = 0;
  base = 0;
  stride = 1;
  set(perm: Int32Array, next: number, base: number, stride: number): void {
    if (this.perm !== perm) this.perm = perm;
    this.next = next;
    this.base = base;
    this.stride = stride;
  }
}

/** mulberry32: a small seeded PRNG giving uniform [0, 1). */
function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const positiveInt = (call: string, name: string, v: number): number => {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new SyscallError(call, 'EINVAL', `${name} must be a positive integer, got ${v}`);
  }
  return v;
};

export class Scheduler {
  readonly kernel: Kernel;
  readonly cpus: Cpus;
  readonly timesliceNs: number;
  readonly quantumNs: number;
  /** See {@link SchedulerOptions.trackingRuns}. */
  readonly trackingRuns: boolean;
  /** Tasks that ended, in order. */
  readonly exits: TaskExit[] = [];

  readonly #entities = new Map<number, Entity>();
  #runQueue: Entity[] = [];
  #blocked: Entity[] = [];
  readonly #onCpu: (Entity | null)[];
  readonly #lastRan: (Entity | null)[];
  readonly #freeAt: Float64Array;
  readonly #idleSince: Float64Array;
  readonly #shmKeys = new Map<number, number>();
  #spawned: Entity[] = [];
  readonly #kthreads = new Map<Task, Entity>();
  #kthreadQueue: Entity[] = [];
  /** A kernel thread was woken: the running burst ends at its next check. */
  #preempt = false;
  /** The order view handed to TrackingRunHook.plan for permuted passes (reused). */
  readonly #runOrder = new RunOrder();

  constructor(kernel: Kernel, options: SchedulerOptions = {}) {
    this.kernel = kernel;
    this.cpus = kernel.machine.cpus;
    this.timesliceNs = options.timesliceNs ?? DEF_TIMESLICE_NS;
    this.quantumNs = options.quantumNs ?? DEFAULT_QUANTUM_NS;
    this.trackingRuns = options.trackingRuns ?? true;
    if (!(this.timesliceNs > 0) || !(this.quantumNs > 0)) {
      throw new RangeError('Scheduler: timesliceNs and quantumNs must be > 0');
    }
    // A burst no longer than a context switch is all switch: no task would ever progress.
    if (this.quantumNs <= kernel.costs.contextSwitchNs) {
      throw new RangeError(
        `Scheduler: quantumNs (${this.quantumNs}) must exceed the context switch's cost (${kernel.costs.contextSwitchNs} ns)`,
      );
    }
    const n = this.cpus.count;
    this.#onCpu = new Array<Entity | null>(n).fill(null);
    this.#lastRan = new Array<Entity | null>(n).fill(null);
    this.#freeAt = new Float64Array(n);
    this.#idleSince = new Float64Array(n).fill(kernel.clock.now);
    // From now on kernel threads (kswapd) run on the CPUs, through this scheduler.
    kernel.kthreadRunner = (thread, step) => {
      this.#wakeKthread(thread, step);
    };
  }

  /**
   * A kernel thread has work: it joins the kernel-thread queue, served before the run queue
   * (standing in for the priority a woken sleeper gets in 2.6), and the running burst ends.
   */
  #wakeKthread(thread: Task, step: () => void): void {
    let e = this.#kthreads.get(thread);
    if (e === undefined) {
      e = new Entity(thread, [], null, this.timesliceNs);
      e.kthread = true;
      e.state = 'sleeping';
      this.#kthreads.set(thread, e);
    }
    e.steps.push(step);
    this.#preempt = true;
    if (e.state === 'sleeping') {
      e.state = 'runnable';
      this.#kthreadQueue.push(e);
    }
  }

  /** A new task (new address space) that runs `program`; runnable at once. */
  spawn(program: Program, comm = 'task'): Task {
    const task = this.kernel.createTask(comm);
    const e = new Entity(task, program, null, this.timesliceNs);
    this.#entities.set(task.pid, e);
    this.#runQueue.push(e);
    return task;
  }

  /** Tasks not yet exited. */
  get liveTasks(): number {
    return this.#entities.size;
  }

  /**
   * Runs the machine: tasks on the CPUs, events (I/O completions, timers, kswapd) in time
   * order, until every task has exited and no event is left, or until the clock reaches
   * `untilNs`.
   */
  run(untilNs = Infinity): RunResult {
    const k = this.kernel;
    const events = k.events;
    for (;;) {
      // Events already due (I/O completions, kswapd woken during a burst) come first.
      if (events.peekTime() <= k.clock.now) {
        events.step();
        continue;
      }
      this.#wakeBlocked();
      this.#dispatch();
      let nextCpu = Infinity;
      for (let c = 0; c < this.#onCpu.length; c++) {
        if (this.#onCpu[c] !== null && this.#freeAt[c]! < nextCpu) nextCpu = this.#freeAt[c]!;
      }
      const nextEvent = events.peekTime();
      const next = Math.min(nextCpu, nextEvent);
      if (next === Infinity) {
        if (this.#blocked.length > 0) {
          const e = this.#blocked[0]!;
          throw new Error(
            `Scheduler: task ${e.task.pid} (${e.task.comm}) is blocked and nothing will wake it`,
          );
        }
        break;
      }
      if (next > untilNs) {
        if (untilNs > k.clock.now) k.clock.advanceTo(untilNs);
        break;
      }
      if (nextEvent <= nextCpu) {
        events.step();
        continue;
      }
      if (nextCpu > k.clock.now) k.clock.advanceTo(nextCpu);
      for (let c = 0; c < this.#onCpu.length; c++) {
        if (this.#onCpu[c] !== null && this.#freeAt[c]! <= k.clock.now) this.#release(c);
      }
    }
    const now = k.clock.now;
    for (let c = 0; c < this.#onCpu.length; c++) {
      if (this.#onCpu[c] === null && now > this.#idleSince[c]!) {
        this.cpus.chargeIdle(c, now - this.#idleSince[c]!);
        this.#idleSince[c] = now;
      }
    }
    return { nowNs: now, finished: this.#entities.size === 0 };
  }

  #alive(e: Entity): boolean {
    if (e.kthread) return true;
    if (e.state === 'exited') return false;
    if (this.kernel.task(e.task.pid) === e.task) return true;
    // Killed behind the scheduler's back (the OOM killer exits other tasks at once).
    this.#finishExit(e, 'SIGKILL');
    return false;
  }

  #finishExit(e: Entity, signal: TaskExit['signal']): void {
    if (e.state === 'exited') return;
    e.state = 'exited';
    this.#entities.delete(e.task.pid);
    if (e.parent !== null && e.parent.state !== 'exited') {
      e.parent.liveChildren--;
      e.parent.exitedChildren++;
    }
    for (const child of this.#entities.values()) if (child.parent === e) child.parent = null;
    this.exits.push({
      pid: e.task.pid,
      comm: e.task.comm,
      // Inside a burst, the CPU's own time (the burst so far).
      timeNs: this.kernel.clock.now + this.kernel.burstNs,
      signal,
    });
  }

  #wakeBlocked(): void {
    if (this.#blocked.length === 0) return;
    const k = this.kernel;
    const still: Entity[] = [];
    for (const e of this.#blocked) {
      if (!this.#alive(e)) continue;
      let wake: boolean;
      if (e.block === BLOCK_PAGE) wake = (k.pages.flags[e.waitFrame]! & e.waitBits) === 0;
      else if (e.block === BLOCK_SLEEP) wake = k.clock.now >= e.wakeAt;
      else wake = e.liveChildren === 0 || (e.waitAny && e.exitedChildren > 0);
      if (!wake) {
        still.push(e);
        continue;
      }
      if (e.block === BLOCK_PAGE) e.task.waitBits = PG_LOCKED;
      if (e.block === BLOCK_WAIT) this.#reap(e);
      e.block = BLOCK_NONE;
      e.state = 'runnable';
      this.#runQueue.push(e);
    }
    this.#blocked = still;
  }

  #dispatch(): void {
    const k = this.kernel;
    for (let c = 0; c < this.#onCpu.length; c++) {
      if (this.#onCpu[c] !== null) continue;
      let e: Entity | undefined = this.#kthreadQueue.shift();
      if (e === undefined) {
        while ((e = this.#runQueue.shift()) !== undefined && !this.#alive(e));
      }
      if (e === undefined) return;
      const now = k.clock.now;
      if (now > this.#idleSince[c]!) this.cpus.chargeIdle(c, now - this.#idleSince[c]!);
      e.state = 'running';
      this.#onCpu[c] = e;
      this.cpus.setRunning(c, e.task.pid);
      k.beginBurst(e.task);
      this.#preempt = false;
      let ns: number;
      try {
        const previous = this.#lastRan[c];
        if (previous !== null && previous !== e) k.chargeSystem(k.costs.contextSwitchNs);
        this.#lastRan[c] = e;
        if (e.kthread) e.steps.shift()!();
        else this.#runBurst(e, Math.min(this.quantumNs, e.sliceLeft));
      } finally {
        ns = k.endBurst();
      }
      e.sliceLeft -= ns;
      this.cpus.charge(c, ns);
      this.#freeAt[c] = k.clock.now + ns;
    }
  }

  #release(c: number): void {
    const e = this.#onCpu[c]!;
    this.#onCpu[c] = null;
    this.cpus.setRunning(c, CPU_IDLE);
    this.#idleSince[c] = this.kernel.clock.now;
    if (this.#spawned.length > 0) {
      for (const child of this.#spawned) this.#runQueue.push(child);
      this.#spawned = [];
    }
    if (e.kthread) {
      if (e.steps.length > 0) {
        e.state = 'runnable';
        this.#kthreadQueue.push(e);
      } else {
        e.state = 'sleeping';
      }
      return;
    }
    if (!this.#alive(e)) return;
    if (e.block !== BLOCK_NONE) {
      e.state = 'blocked';
      this.#blocked.push(e);
    } else if (e.sliceLeft <= 0) {
      e.sliceLeft = this.timesliceNs;
      e.state = 'runnable';
      this.#runQueue.push(e);
    } else {
      e.state = 'runnable';
      this.#runQueue.unshift(e);
    }
  }

  /**
   * Time left in the burst: up to `limitNs`, and no further than the next event (an I/O
   * completion, or kswapd woken by this task's allocations), which must run first.
   */
  #left(limitNs: number): number {
    const k = this.kernel;
    if (this.#preempt) return 0;
    return Math.min(limitNs, k.events.peekTime() - k.clock.now) - k.burstNs;
  }

  /** Runs operations of `e` until the burst reaches `limitNs`, or the task blocks or ends. */
  #runBurst(e: Entity, limitNs: number): void {
    while (this.#left(limitNs) > 0) {
      if (e.op === null) {
        const next = e.program.next();
        if (next.done === true) {
          this.#exit(e, null);
          return;
        }
        e.op = next.value;
        e.opStarted = false;
      }
      const r = this.#step(e, e.op, limitNs);
      if (r === STEP_DONE) {
        e.op = null;
        continue;
      }
      if (r === STEP_BLOCKED) {
        // A sleep or wait finished as an operation; a page wait resumes the same one.
        if (e.block !== BLOCK_PAGE) e.op = null;
        return;
      }
      if (r === STEP_DEAD) return;
      // STEP_MORE: the burst is used up.
      return;
    }
  }

  /** A wait returns: `any` reaps one exited child, a full wait all of them. */
  #reap(e: Entity): void {
    if (e.waitAny && e.exitedChildren > 0) e.exitedChildren--;
    else if (!e.waitAny) e.exitedChildren = 0;
    e.waitAny = false;
  }

  #exit(e: Entity, signal: TaskExit['signal']): void {
    const k = this.kernel;
    if (k.task(e.task.pid) === e.task) k.exit(e.task);
    this.#finishExit(e, signal);
  }

  #region(call: string, e: Entity, name: string): Region {
    const r = e.regions.get(name);
    if (r === undefined) throw new SyscallError(call, 'EINVAL', `no mapping named "${name}"`);
    return r;
  }

  #step(e: Entity, op: Operation, limitNs: number): number {
    const k = this.kernel;
    const task = e.task;
    switch (op.op) {
      case 'touch':
        return this.#touch(e, op, limitNs);
      case 'read':
        return this.#read(e, limitNs);
      case 'compute': {
        if (!e.opStarted) {
          e.opStarted = true;
          e.remainingNs = Math.max(0, Math.round(op.ns));
        }
        const run = Math.min(e.remainingNs, Math.max(0, this.#left(limitNs)));
        k.chargeUser(run);
        e.remainingNs -= run;
        return e.remainingNs === 0 ? STEP_DONE : STEP_MORE;
      }
      case 'sleep':
        e.wakeAt = k.clock.now + k.burstNs + Math.max(0, Math.round(op.ns));
        k.events.at(e.wakeAt, () => undefined);
        e.block = BLOCK_SLEEP;
        return STEP_BLOCKED;
      case 'wait':
        e.waitAny = op.any === true;
        if (e.liveChildren === 0 || (e.waitAny && e.exitedChildren > 0)) {
          this.#reap(e);
          return STEP_DONE;
        }
        e.block = BLOCK_WAIT;
        return STEP_BLOCKED;
      case 'exit':
        this.#exit(e, null);
        return STEP_DEAD;
      case 'mmap': {
        const file = op.file === undefined ? undefined : k.file(op.file);
        if (op.file !== undefined && file === undefined) {
          throw new SyscallError('mmap', 'ENOENT', op.file);
        }
        const pgoff = op.pgoff ?? 0;
        const pages = op.pages ?? (file === undefined ? 0 : file.sizePages - pgoff);
        const prot = op.writable === false ? PROT_READ : PROT_READ | PROT_WRITE;
        const vpn = k.mmap(task, {
          pages,
          prot,
          flags:
            file === undefined
              ? MAP_PRIVATE | MAP_ANONYMOUS
              : op.shared === true
                ? MAP_SHARED
                : MAP_PRIVATE,
          ...(file === undefined ? {} : { file, pgoff }),
        });
        e.regions.set(op.name, { vpn, pages });
        return STEP_DONE;
      }
      case 'munmap': {
        const r = this.#region('munmap', e, op.name);
        k.munmap(task, r.vpn, r.pages);
        e.regions.delete(op.name);
        return STEP_DONE;
      }
      case 'msync': {
        const r = this.#region('msync', e, op.name);
        const offset = op.offset ?? 0;
        k.msync(task, r.vpn + offset, op.pages ?? r.pages - offset, op.async ? MS_ASYNC : MS_SYNC);
        return STEP_DONE;
      }
      case 'fork': {
        const child = k.fork(task, op.comm ?? task.comm);
        const ce = new Entity(child, op.program, e, this.timesliceNs);
        this.#entities.set(child.pid, ce);
        e.liveChildren++;
        this.#spawned.push(ce);
        return STEP_DONE;
      }
      case 'exec': {
        const binary = k.file(op.binary);
        if (binary === undefined) throw new SyscallError('execve', 'ENOENT', op.binary);
        const libs = (op.libs ?? []).map((p) => {
          const lib = k.file(p);
          if (lib === undefined) throw new SyscallError('execve', 'ENOENT', p);
          return lib;
        });
        k.exec(task, binary, {
          libs,
          ...(op.textPages === undefined ? {} : { textPages: op.textPages }),
          ...(op.dataPages === undefined ? {} : { dataPages: op.dataPages }),
          ...(op.stackPages === undefined ? {} : { stackPages: op.stackPages }),
        });
        e.regions = new Map<string, Region>();
        return STEP_DONE;
      }
      case 'shmget':
        this.#shmKeys.set(op.key, k.shmget(op.key, op.bytes));
        return STEP_DONE;
      case 'shmat': {
        const id = this.#shmKeys.get(op.key);
        const seg = id === undefined ? undefined : k.shmSegment(id);
        if (id === undefined || seg === undefined) {
          throw new SyscallError('shmat', 'EINVAL', `no segment with key ${op.key}`);
        }
        const vpn = k.shmat(task, id, op.readonly === true);
        e.regions.set(op.name, { vpn, pages: seg.file.sizePages });
        return STEP_DONE;
      }
      case 'shmdt': {
        const r = this.#region('shmdt', e, op.name);
        k.shmdt(task, r.vpn);
        e.regions.delete(op.name);
        return STEP_DONE;
      }
    }
    // A program built without the types (JSON, a generator gone wrong).
    throw new SyscallError(
      'program',
      'EINVAL',
      `task ${task.pid}: not an operation: ${JSON.stringify(op)}`,
    );
  }

  #startTouch(e: Entity, op: TouchOp): void {
    e.base = this.#rangeStart(e, op, '');
    e.count = Number.isSafeInteger(op.pages) && op.pages >= 0 ? op.pages : -1;
    if (e.count < 0) throw new SyscallError('touch', 'EINVAL', `pages ${op.pages}`);
    e.stride = positiveInt('touch', 'stride', op.stride ?? 1);
    e.repeat = Math.max(0, Math.floor(op.repeat ?? 1));
    const nsPerPage = this.#rangePrice(op, e.count, '');
    const order = op.order ?? 'sequential';
    e.reverse = order === 'reverse';
    e.write = Boolean(op.write);
    e.perm = null;
    if (order === 'random') {
      const perm = new Int32Array(e.count);
      for (let i = 0; i < perm.length; i++) perm[i] = i;
      const rnd = mulberry32(op.seed ?? 1);
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
      }
      e.perm = perm;
    }
    e.nsPerPage = nsPerPage;
    e.legs = 1;
    const then = op.then;
    if (then !== undefined) {
      if (order !== 'sequential') {
        throw new SyscallError('touch', 'EINVAL', `then needs the sequential order, not ${order}`);
      }
      e.legs = 2;
      e.base0 = e.base;
      e.write0 = e.write;
      e.ns0 = e.nsPerPage;
      e.base1 = this.#rangeStart(e, then, 'then: ');
      e.write1 = Boolean(then.write);
      e.ns1 = this.#rangePrice(then, e.count, 'then: ');
    }
    e.leg = 0;
    e.pass = 0;
    e.index = 0;
    e.passFaulted = false;
    e.opStarted = true;
  }

  /** A touch range's first page: its vpn, or its mapping's first page, plus its offset. */
  #rangeStart(e: Entity, r: TouchLeg, what: string): number {
    let base: number;
    if (r.vpn !== undefined) base = r.vpn;
    else if (r.mapping !== undefined) base = this.#region('touch', e, r.mapping).vpn;
    else throw new SyscallError('touch', 'EINVAL', `${what}give a mapping or a vpn`);
    return base + (r.offset ?? 0);
  }

  /** A touch range's user time per page visited: its words, priced by its working set. */
  #rangePrice(r: TouchLeg, count: number, what: string): number {
    const words = r.words ?? PAGE_SIZE / 4;
    if (!(words >= 0 && words <= PAGE_SIZE / 4)) {
      throw new SyscallError('touch', 'EINVAL', `${what}words ${words} (0 … ${PAGE_SIZE / 4})`);
    }
    return this.kernel.costs.memoryAccessNs(words, r.workingSetBytes ?? count * PAGE_SIZE);
  }

  /** Puts the cursor of a two-range touch on range `leg` (0, or 1: its `then`). */
  #toLeg(e: Entity, leg: number): void {
    e.leg = leg;
    e.base = leg === 0 ? e.base0 : e.base1;
    e.write = leg === 0 ? e.write0 : e.write1;
    e.nsPerPage = leg === 0 ? e.ns0 : e.ns1;
  }

  /**
   * The touch loop: the MMU fast path over the range, page by page (accessRange), leaving
   * it only for a fault; each page visited charges the word accesses it stands for.
   */
  #touch(e: Entity, op: TouchOp, limitNs: number): number {
    const k = this.kernel;
    if (!e.opStarted) this.#startTouch(e, op);
    const count = e.count;
    const stride = e.stride;
    // The pass that began at its start in this call, if any (−1: none): only such a pass can
    // run whole inside this burst (nothing else can run in between).
    let began = -1;
    while (e.pass < e.repeat) {
      const write = e.write;
      const nsPerPage = e.nsPerPage;
      if (e.index === 0) {
        if (e.leg === 0) {
          began = e.pass;
          e.passFaulted = false;
        }
        e.task.mm?.accessPasses?.passStart();
      }
      while (e.index < count) {
        const left = this.#left(limitNs);
        if (left <= 0) return STEP_MORE;
        const mm = e.task.mm;
        if (mm === null) return this.#kill(e, 'SIGSEGV');
        const pt = mm.pageTable;
        let chunk = count - e.index;
        if (nsPerPage > 0) chunk = Math.min(chunk, Math.max(1, Math.ceil(left / nsPerPage)));
        let done: number;
        let faultVpn = -1;
        let code = 0;
        const perm = e.perm;
        const observer = mm.accessObserver;
        if (perm === null && observer === null) {
          const step = e.reverse ? -stride : stride;
          const start = e.reverse
            ? e.base + (count - 1 - e.index) * stride
            : e.base + e.index * stride;
          done = accessRange(pt, start, chunk, step, write);
          if (done < chunk) {
            faultVpn = start + done * step;
            code = pt.lastFault;
          }
        } else {
          // Page by page: a random order, or an observed address space (accessObserver).
          done = 0;
          for (; done < chunk; done++) {
            const i = e.index + done;
            const vpn =
              e.base + (perm !== null ? perm[i]! : e.reverse ? count - 1 - i : i) * stride;
            const r = access(pt, vpn, write);
            if (r < 0) {
              faultVpn = vpn;
              code = r;
              break;
            }
            observer?.(vpn, r, write);
          }
        }
        e.index += done;
        k.chargeUser(done * nsPerPage);
        if (faultVpn >= 0) {
          e.passFaulted = true;
          let r = this.#fault(e, faultVpn, write, code);
          if (
            r === STEP_DONE &&
            code === FAULT_TRACKING &&
            observer === null &&
            this.trackingRuns
          ) {
            r = this.#trackingRun(e, pt, faultVpn, limitNs);
          }
          if (r !== STEP_DONE) return r;
        }
      }
      e.index = 0;
      if (e.leg + 1 < e.legs) {
        this.#toLeg(e, e.leg + 1); // on to the pass's second range
        continue;
      }
      if (e.legs > 1) this.#toLeg(e, 0);
      const whole = began === e.pass && !e.passFaulted;
      e.pass++;
      // A whole pass ran on the fast path without a fault: every PTE of the range (ranges) is
      // present with its accessed (and, for stores, dirty) bit set. Until something else runs
      // — an event, another task, the end of the burst, all of which bound #left — further
      // passes change nothing but the clock, so the passes that fit in the burst are
      // charged at once. An access observer is told of them as repeats of the pass it saw
      // (mm.accessPasses); one that cannot take repeats sees every pass.
      const mm = e.task.mm;
      if (e.legs > 1) {
        if (whole && e.pass < e.repeat && mm?.accessObserver === null && !mm.accessPasses) {
          this.#repeatPairs(e, limitNs);
        }
      } else if (
        whole &&
        e.pass < e.repeat &&
        nsPerPage > 0 &&
        mm !== null &&
        (mm.accessObserver === null || mm.accessPasses !== null)
      ) {
        const passNs = count * nsPerPage;
        const fit = Math.floor(this.#left(limitNs) / passNs);
        const skip = Math.min(fit, e.repeat - e.pass);
        if (skip > 0 && (mm.accessObserver === null || mm.accessPasses!.repeatPass(skip))) {
          e.pass += skip;
          k.chargeUser(skip * passNs);
        }
      }
      e.passFaulted = false;
    }
    return STEP_DONE;
  }

  /**
   * The passes of a two-range touch after one that ran whole without a fault (see #touch):
   * each range's pass, in turn, is charged as the loop would charge it — after the loop's own
   * test, time left in the burst for the whole pass — without its accesses, which would
   * change nothing. Stops at the first range the loop must take itself (a part of a pass, or
   * none: the end of the burst), with the cursor on it.
   */
  #repeatPairs(e: Entity, limitNs: number): void {
    const k = this.kernel;
    const count = e.count;
    const ns0 = e.ns0;
    const ns1 = e.ns1;
    while (e.pass < e.repeat) {
      if (!this.#fitsPass(limitNs, count, ns0)) return;
      k.chargeUser(count * ns0);
      if (!this.#fitsPass(limitNs, count, ns1)) {
        this.#toLeg(e, 1);
        return;
      }
      k.chargeUser(count * ns1);
      e.pass++;
    }
  }

  /** Whether the touch loop would now take a pass of `count` pages at `ns` each whole. */
  #fitsPass(limitNs: number, count: number, ns: number): boolean {
    const left = this.#left(limitNs);
    return left > 0 && (ns <= 0 || Math.max(1, Math.ceil(left / ns)) >= count);
  }

  /**
   * The touch loop's turns while it meets armed pages one after the other (a pass over
   * CvHRC's protected entities: each page takes a fake fault): the tracking fault at `vpn`
   * was just handled and the page is not yet accessed. Each turn here is exactly one turn
   * of the loop above for the common case — the burst has time left for at least two pages,
   * so the access of `vpn` and the tracking fault of the next page happen in one
   * accessRange (or page-by-page) call — with the same accesses, charges and fault handling
   * in the same order; anything else (the next page accessible or faulting otherwise, `vpn`
   * refusing the access, the burst's last page, the pass's last page) stops it before the
   * access, and the loop above takes that turn itself. What it saves is the loop's
   * per-turn work: the time left is the burst's limit minus the time charged, the limit
   * (the next event, the quantum) being the same through the run — the tracking handler
   * adds no event and, inside a burst, moves no clock (checked at the end).
   */
  #trackingRun(e: Entity, pt: PageTable, vpn: number, limitNs: number): number {
    const k = this.kernel;
    const events = k.events;
    const peek = events.peekTime();
    const now = k.clock.now;
    const limit = Math.min(limitNs, peek - now);
    const count = e.count;
    const nsPerPage = e.nsPerPage;
    const write = e.write;
    const perm = e.perm;
    const stride = e.stride;
    const step = e.reverse ? -stride : stride;
    const hook = k.hooks.trackingRun;
    // A permuted pass is planned only by a hook that takes one (TrackingRunHook.permuted).
    const run = perm === null || hook?.permuted === true ? hook : undefined;
    const order = this.#runOrder;
    let r = STEP_DONE;
    for (;;) {
      if (run !== undefined) {
        // At most the turns the pass has left and the burst's time allows (each charges at
        // least its page's user time; the handler knows its own), so that the handler
        // prepares no more than the loop can use.
        const leftNs = limit - k.burstNs;
        let max = count - e.index - 1;
        if (nsPerPage > 0) max = Math.min(max, Math.ceil(leftNs / nsPerPage) - 1);
        let planned = 0;
        if (max > 0 && leftNs > 0) {
          if (perm === null) planned = run.plan(e.task, vpn, step, max, leftNs, nsPerPage, null);
          else {
            order.set(perm, e.index + 1, e.base, stride);
            planned = run.plan(e.task, vpn, 0, max, leftNs, nsPerPage, order);
          }
        }
        if (planned > 0) {
          const done = this.#plannedRun(e, pt, vpn, step, planned, limit, run);
          vpn = perm === null ? vpn + done * step : e.base + perm[e.index]! * stride;
          // Stopped short: by the checks of a turn, which the loop's next turn would fail too.
          if (done < planned) break;
          continue;
        }
      }
      // The loop's turn: its time left (#left), its chunk of at least two pages.
      if (!this.#turnFits(e, limit - k.burstNs)) break;
      const next = perm === null ? vpn + step : e.base + perm[e.index + 1]! * stride;
      if ((next & 0xfffff) !== next) break;
      const mem = pt.mem;
      const base = mem[next >>> 10]!;
      // The next page must take a tracking fault: present with the tracking bit.
      if (base === 0 || (mem[base + (next & 1023)]! & 0x201) !== 0x201) break;
      if (access(pt, vpn, write) < 0) break; // refused: nothing changed, the loop retakes it
      if (perm === null) pt.lastFault = FAULT_TRACKING;
      e.index++;
      k.chargeUser(nsPerPage); // the loop's chargeUser(done * nsPerPage), done = 1
      r = this.#fault(e, next, write, FAULT_TRACKING);
      if (r !== STEP_DONE) break;
      vpn = next;
    }
    if (events.peekTime() !== peek || k.clock.now !== now) {
      throw new Error(
        `Scheduler: an event or the clock moved during a tracking fault of task ${e.task.pid}`,
      );
    }
    return r;
  }

  /**
   * Whether the touch loop's turn for the common case of a tracking run comes next with
   * `left` ns of the burst left: not preempted, time left, and a chunk of at least two pages
   * (the pass's and the time's) — the rule of {@link #trackingRun} and {@link #plannedRun}.
   */
  #turnFits(e: Entity, left: number): boolean {
    if (this.#preempt || left <= 0 || e.count - e.index < 2) return false;
    const ns = e.nsPerPage;
    // ceil(left / ns) ≥ 2 exactly when the quotient is above 1, as it surely is when left is
    // above 2·ns (a float quotient is never below the 2 it exceeds): the division, the
    // longest step of a planned run's turn, is left for a burst's last pages.
    return !(ns > 0 && !(left > 2 * ns) && Math.ceil(left / ns) < 2);
  }

  /**
   * The turns of {@link #trackingRun} over `planned` pages after `vpn` that the tracking
   * handler took as a run (TrackingRunHook): each turn as there — the same checks, the access,
   * the user time — with the fault of the next page charged as the handler says and counted
   * as #fault counts it, instead of a call to the handler; then the handler completes the
   * faults reached. Returns how many it reached.
   */
  #plannedRun(
    e: Entity,
    pt: PageTable,
    vpn: number,
    step: number,
    planned: number,
    limit: number,
    run: TrackingRunHook,
  ): number {
    const k = this.kernel;
    const nsPerPage = e.nsPerPage;
    const write = e.write;
    const charges = run.charges;
    // A permuted pass: the next page is the permutation's (as #trackingRun's `next`).
    const perm = e.perm;
    const base = e.base;
    const stride = e.stride;
    const cur = k.burstCurrent;
    if (cur === null) {
      run.commit(e.task, 0);
      return 0;
    }
    // chargeUser(nsPerPage) and chargeSystem(charges[i]) add to the burst's time and to the
    // task's user and system times: here the same additions in the same order, in locals. A
    // charge ≤ 0 (or NaN) charges nothing: it adds 0 here, which leaves a sum (never −0) as it
    // is; the first four are held in locals, any others added in a loop.
    let burst = k.burstNs;
    let utime = cur.utimeNs;
    let stime = cur.stimeNs;
    const nc = charges.length;
    const c0 = nc > 0 && charges[0]! > 0 ? charges[0]! : 0;
    const c1 = nc > 1 && charges[1]! > 0 ? charges[1]! : 0;
    const c2 = nc > 2 && charges[2]! > 0 ? charges[2]! : 0;
    const c3 = nc > 3 && charges[3]! > 0 ? charges[3]! : 0;
    const user = nsPerPage > 0 ? nsPerPage : 0;
    // #turnFits's tests with what a turn cannot change held in locals: nothing in a turn
    // preempts, and the pass's page count is fixed (a turn needs index ≤ count − 2).
    const lastIndex = this.#preempt ? -1 : e.count - 2;
    let index = e.index;
    let done = 0;
    while (done < planned) {
      const left = limit - burst;
      if (left <= 0 || index > lastIndex) break;
      if (nsPerPage > 0 && !(left > 2 * nsPerPage) && Math.ceil(left / nsPerPage) < 2) break;
      if (access(pt, vpn, write) < 0) break;
      index++;
      burst += user;
      utime += user;
      // The fault of the next page, as #fault takes it (its vpn is new: no repeat).
      vpn = perm === null ? vpn + step : base + perm[index]! * stride;
      burst = burst + c0 + c1 + c2 + c3;
      stime = stime + c0 + c1 + c2 + c3;
      for (let i = 4; i < nc; i++) {
        const ns = charges[i]!;
        if (ns > 0) {
          burst += ns;
          stime += ns;
        }
      }
      done++;
    }
    // The per-turn stores of the loop above, once: the last turn's values.
    e.index = index;
    if (done > 0) {
      if (perm === null) pt.lastFault = FAULT_TRACKING;
      e.lastFaultVpn = vpn;
      e.sameFaults = 0;
    }
    k.setBurstNs(burst);
    cur.utimeNs = utime;
    cur.stimeNs = stime;
    run.commit(e.task, done);
    return done;
  }

  /** A fault of the touch loop: handled, then the loop resumes (STEP_DONE), or not. */
  #fault(e: Entity, vpn: number, write: boolean, code: number): number {
    const k = this.kernel;
    const task = e.task;
    if (vpn === e.lastFaultVpn) {
      if (++e.sameFaults > 10_000) {
        throw new Error(`Scheduler: vpn ${vpn} of task ${task.pid} faults again and again`);
      }
    } else {
      e.lastFaultVpn = vpn;
      e.sameFaults = 0;
    }
    if (code === FAULT_TRACKING) {
      const handler = k.hooks.trackingFault;
      if (handler === undefined) throw new Error(`tracking fault at vpn ${vpn} with no handler`);
      handler(task, vpn, write);
      // The PTE read directly (vpn is valid: it faulted); 0x200 is PTE_TRACKING, spelled out as
      // in the MMU's fast path.
      const mm = task.mm;
      if (mm !== null) {
        const mem = mm.pageTable.mem;
        const base = mem[vpn >>> 10]!;
        if (base !== 0 && (mem[base + (vpn & 1023)]! & 0x200) !== 0) {
          throw new Error(`the tracking handler left vpn ${vpn} tracked`);
        }
      }
      return STEP_DONE;
    }
    const ret = doPageFault(k, task, vpn, write);
    if (task.killed) return this.#kill(e, 'SIGKILL');
    if (ret === VM_FAULT_MINOR || ret === VM_FAULT_MAJOR) return STEP_DONE;
    if (ret === VM_FAULT_WAIT) {
      e.block = BLOCK_PAGE;
      e.waitFrame = task.waitFrame;
      e.waitBits = task.waitBits;
      return STEP_BLOCKED;
    }
    if (ret === VM_FAULT_SIGBUS) return this.#kill(e, 'SIGBUS');
    if (ret === VM_FAULT_OOM) {
      // do_page_fault's out_of_memory: the faulting task is killed (§A8).
      k.vm.oomKill++;
      k.oomKills.push({ pid: task.pid, comm: task.comm, timeNs: k.clock.now });
      task.killed = true;
      return this.#kill(e, 'SIGKILL');
    }
    return this.#kill(e, 'SIGSEGV');
  }

  #kill(e: Entity, signal: TaskExit['signal']): number {
    this.#exit(e, signal);
    return STEP_DEAD;
  }

  /**
   * read() through the page cache (do_generic_mapping_read): each page is looked up; a miss
   * starts a read of ra_pages from it (simplified: 2.6.17's adaptive readahead windows are
   * not modelled) and the task sleeps until the page is up to date; each page read is
   * marked accessed once (§A1) and copied to the user at copy_page's rate.
   */
  #read(e: Entity, limitNs: number): number {
    const k = this.kernel;
    const op = e.op as Extract<Operation, { op: 'read' }>;
    const as = k.file(op.file);
    if (as?.kind !== 'file') throw new SyscallError('read', 'ENOENT', op.file);
    const end = Math.min(as.sizeBytes, op.offset + op.bytes);
    if (!e.opStarted) {
      if (!Number.isSafeInteger(op.offset) || op.offset < 0 || !Number.isSafeInteger(op.bytes)) {
        throw new SyscallError('read', 'EINVAL', `offset ${op.offset}, bytes ${op.bytes}`);
      }
      e.opStarted = true;
      e.index = Math.floor(op.offset / PAGE_SIZE);
      e.last = end > op.offset ? Math.floor((end - 1) / PAGE_SIZE) : e.index - 1;
    }
    while (e.index <= e.last) {
      if (this.#left(limitNs) <= 0) return STEP_MORE;
      const index = e.index;
      let frame = findGetPage(k, as.id, index);
      if (frame < 0) {
        doPageCacheReadahead(k, as, index, Math.max(1, maxSaneReadahead(k, as.raPages)));
        frame = findGetPage(k, as.id, index);
        // No memory for the page: the read ends short.
        if (frame < 0) return STEP_DONE;
      }
      if ((k.pages.flags[frame]! & PG_UPTODATE) === 0) {
        putPage(k, frame);
        if ((k.pages.flags[frame]! & PG_LOCKED) === 0) {
          throw new Error(`read: frame ${frame} neither up to date nor under I/O`);
        }
        e.block = BLOCK_PAGE;
        e.waitFrame = frame;
        e.waitBits = PG_LOCKED;
        return STEP_BLOCKED;
      }
      markPageAccessed(k, frame);
      const from = Math.max(op.offset, index * PAGE_SIZE);
      const to = Math.min(end, (index + 1) * PAGE_SIZE);
      k.chargeSystem(Math.round((k.costs.copyPageNs * (to - from)) / PAGE_SIZE));
      putPage(k, frame);
      e.index++;
    }
    return STEP_DONE;
  }
}
