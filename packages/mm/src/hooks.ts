/**
 * The hook surface for the layers above (vserver, benches): typed callbacks the kernel calls
 * at the points named, each one free when unset (one `undefined` check). mm knows nothing of
 * what they do.
 */
import type { MmStruct } from './mm.js';
import type { Task } from './task.js';

export interface KernelHooks {
  /**
   * A page fault finished (counted in the task's min_flt or maj_flt): `result` is
   * VM_FAULT_MINOR or VM_FAULT_MAJOR.
   */
  fault?: (task: Task, vpn: number, write: boolean, result: number) => void;
  /**
   * An access hit a present PTE with the tracking bit (hw's FAULT_TRACKING, the paper's fake
   * fault). The handler must clear the bit (it may charge time); the access then retries.
   */
  trackingFault?: (task: Task, vpn: number, write: boolean) => void;
  /**
   * Optional, with trackingFault: takes a run of tracking faults on the pages of a pass at
   * once (see {@link TrackingRunHook}). The scheduler's touch loop uses it for the pages
   * after a tracking fault it has just handled.
   */
  trackingRun?: TrackingRunHook;
  /** A PTE of `mm` at `vpn` now maps `frame` (fault, COW, swap-in, fork). */
  pageMapped?: (mm: MmStruct, vpn: number, frame: number) => void;
  /** The PTE of `mm` at `vpn` no longer maps `frame` (unmap, exit, COW, reclaim). */
  pageUnmapped?: (mm: MmStruct, vpn: number, frame: number) => void;
  /** `frame` went back to the buddy allocator. */
  pageFreed?: (frame: number) => void;
  /** A task was created (createTask or fork: `parent` is the forking task). */
  taskCreated?: (task: Task, parent: Task | null) => void;
  /** A task exited (or was killed). */
  taskExited?: (task: Task) => void;
  /** An address space was created. */
  mmCreated?: (mm: MmStruct, owner: Task) => void;
  /** An address space lost its last user and was torn down. */
  mmDestroyed?: (mm: MmStruct) => void;
  /**
   * may_expand_vm: may `pages` more pages of address space be charged? Asked by mmap and a
   * growing brk (`mm`: the address space that grows) and by fork (`mm` null: the child's new
   * address space, created in `task`'s place, with the parent's total_vm) before anything
   * changes. Returning false refuses: mmap and fork fail with ENOMEM, brk returns the old
   * break. (The exec stack and the VMAs exec maps through mmap are asked through mmap.)
   */
  mayExpandVm?: (task: Task, mm: MmStruct | null, pages: number) => boolean;
  /**
   * Reclaim cleared the young (accessed) bit of the PTE of `mm` at `vpn`, which maps `frame`
   * (page_referenced, try_to_unmap_one). A layer that samples young bits itself can keep
   * the reference it would otherwise lose.
   */
  youngCleared?: (mm: MmStruct, vpn: number, frame: number) => void;
}

/**
 * A tracking-fault handler's way to take a run of faults at once, for a touch loop that meets
 * armed pages one after the other (a pass over the pages a tracker protected). After the
 * tracking fault at `vpn` was handled, `plan(task, vpn, step, max, leftNs, userNs)` looks at
 * the pages vpn + step, vpn + 2·step, … — or those of `order`, for a hook that takes
 * permuted passes ({@link TrackingRunHook.permuted}) — up to `max` of them (and no more than fit in the
 * burst's `leftNs` at `userNs` of user time per page plus its own charges), each about to
 * take a tracking fault, and
 * returns how many of them, from the first, it takes as a run (0: none): it makes them
 * accessible (clears their tracking bits) and sets `charges` to the system time, in ns, that
 * trackingFault would charge for each of those faults, in the order it would charge it (a
 * value ≤ 0 charges nothing). The touch loop then takes its turns over them as usual —
 * accessing the page, charging its user time — charging at each fault, instead of calling
 * trackingFault, those times; it stops where it would have stopped anyway (the burst's end,
 * the pass's end), and calls `commit(task, k)` with the faults it reached: the handler does
 * their work, which nothing reads in between, and arms the other pages again. Nothing else
 * may run between plan and commit.
 */
export interface TrackingRunHook {
  plan(
    task: Task,
    vpn: number,
    step: number,
    max: number,
    leftNs: number,
    userNs: number,
    order?: TouchRunOrder | null,
  ): number;
  readonly charges: Float64Array;
  commit(task: Task, k: number): void;
  /**
   * True when `plan` takes the pages in the order of a permutation as well (a touch loop's
   * 'random' order): the scheduler then plans those passes too, passing `order` (and 0 for
   * `step`). Without it, such passes take their faults one at a time.
   */
  readonly permuted?: boolean;
}

/**
 * The pages of a touch pass in a permuted order, as {@link TrackingRunHook.plan} sees them:
 * the i-th page after the faulting one (i ≥ 1) is `base + perm[next + i − 1] · stride`, for
 * `next + i − 1 < perm.length`. A view the scheduler reuses: read it during `plan` only.
 */
export interface TouchRunOrder {
  readonly perm: Int32Array;
  readonly next: number;
  readonly base: number;
  readonly stride: number;
}
