/**
 * task_struct: the fields the memory manager uses — the mm, flags, and the fault and time
 * counters of /proc/<pid>/stat (min_flt, maj_flt, utime, stime).
 */
import type { MmStruct } from './mm.js';

/** Emulation of TIF_MEMDIE in the flags given to allocPages: an OOM victim on its way out. */
export const TIF_MEMDIE = 0x40000000;

export class Task {
  readonly pid: number;
  comm: string;
  mm: MmStruct | null;
  /** The pid of the task that forked this one (0 for none). */
  parentPid = 0;
  /** PF_* flags (e.g. PF_MEMALLOC). */
  flags = 0;
  /** Credentials and scheduling inputs of badness() (§A8). */
  uid = 1000;
  nice = 0;
  capSysAdmin = false;
  capSysRawio = false;
  /** /proc/<pid>/oom_adj: shifts badness; OOM_DISABLE (−17) exempts the task. */
  oomkilladj = 0;
  /** When the task started (start_time), ns of simulated time. */
  startTimeNs = 0;
  /** Chosen by the OOM killer (TIF_MEMDIE): it may allocate below every watermark to exit. */
  memdie = false;
  /** Killed (by the OOM killer or an OOM fault); it exits as soon as it runs. */
  killed = false;
  /** Faults that needed no I/O (min_flt) and that did (maj_flt). */
  minFlt = 0;
  majFlt = 0;
  /** CPU time in user and system mode, ns. */
  utimeNs = 0;
  stimeNs = 0;

  /**
   * A fault in progress: the task slept on a locked page (VM_FAULT_WAIT) and will retry.
   * Like the kernel's locals of one handle_mm_fault call, these survive the sleep: whether
   * the fault is major already, and whether it did its read-around (did_readaround).
   */
  faultPending = false;
  faultMajor = false;
  faultReadaround = false;
  /** The frame the task waits on while `faultPending`, else -1, and for which of its bits
   * to clear (PG_locked, and PG_writeback for shmem swap-in). */
  waitFrame = -1;
  waitBits = 1;

  /** The flags its allocations run with: PF_* plus TIF_MEMDIE for an OOM victim. */
  get allocFlags(): number {
    return this.memdie ? this.flags | TIF_MEMDIE : this.flags;
  }

  constructor(pid: number, comm: string, mm: MmStruct | null) {
    this.pid = pid;
    this.comm = comm;
    this.mm = mm;
  }
}
