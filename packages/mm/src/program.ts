/**
 * Programs: what a task does, as a stream of operations. Workloads (lmbench, a kernel build,
 * trace replay) produce these; the {@link Scheduler} runs them on the machine's CPUs. A
 * program is any iterable, so a generator can produce a long one lazily.
 */

/** Order in which a touch visits the pages of its range. */
export type TouchOrder = 'sequential' | 'reverse' | 'random';

/** mmap: a new mapping, named so later operations can refer to it. */
export interface MmapOp {
  readonly op: 'mmap';
  /** Name of the mapping in this task (children inherit the names at fork). */
  readonly name: string;
  /** Length in pages; default the whole file (a file mapping) — required for anonymous. */
  readonly pages?: number;
  /** Path of a file created with Kernel.createFile; absent: anonymous memory. */
  readonly file?: string;
  /** MAP_SHARED instead of MAP_PRIVATE (file mappings only). Default false. */
  readonly shared?: boolean;
  /** PROT_WRITE as well as PROT_READ. Default true. */
  readonly writable?: boolean;
  /** First file page mapped. Default 0. */
  readonly pgoff?: number;
}

/** munmap of a whole named mapping. */
export interface MunmapOp {
  readonly op: 'munmap';
  readonly name: string;
}

/**
 * msync of a named mapping (or `pages` of it from `offset`): MS_SYNC, or MS_ASYNC with
 * `async`. MS_SYNC waits for the writes inside the kernel, keeping the CPU (as reclaim's
 * waits do).
 */
export interface MsyncOp {
  readonly op: 'msync';
  readonly name: string;
  /** First page, as an offset in pages within the mapping. Default 0. */
  readonly offset?: number;
  /** Pages; default the rest of the mapping. */
  readonly pages?: number;
  /** MS_ASYNC instead of MS_SYNC. Default false. */
  readonly async?: boolean;
}

/**
 * touch: user accesses to a range of pages through the MMU fast path. Each page visited
 * stands for `words` word accesses, all charged to the clock as user time.
 */
export interface TouchOp {
  readonly op: 'touch';
  /** The named mapping the range starts in (with `offset`); or give `vpn`. */
  readonly mapping?: string;
  /** First page, as an offset in pages within `mapping`. Default 0. */
  readonly offset?: number;
  /** First page as an absolute virtual page number (instead of `mapping`). */
  readonly vpn?: number;
  /** Pages visited per pass. */
  readonly pages: number;
  /** Distance between visited pages, in pages (≥ 1). Default 1. */
  readonly stride?: number;
  /** Default 'sequential'. */
  readonly order?: TouchOrder;
  /** Seed of the 'random' order (a permutation of the pages). Default 1. */
  readonly seed?: number;
  /** Passes over the range. Default 1. */
  readonly repeat?: number;
  /** Stores instead of loads. */
  readonly write: boolean;
  /** Word accesses each page visit stands for (1 … 1024 on 4 KiB pages). Default 1024. */
  readonly words?: number;
  /**
   * Working set the cost model prices the word accesses by; default the bytes of the pages
   * the touch visits.
   */
  readonly workingSetBytes?: number;
  /**
   * A second range that each pass visits after this one, with the same pages, stride and
   * (sequential) order: a copy's destination. The touch is then the same as `repeat` pairs
   * of one-pass touches, this range's and the second's, one after the other — the same
   * accesses, faults, charges and preemption points — without an operation per pass, which
   * programs that copy small buffers many times would otherwise yield.
   */
  readonly then?: TouchLeg;
}

/** The second range of a {@link TouchOp} (`then`). */
export interface TouchLeg {
  /** The named mapping the range starts in (with `offset`); or give `vpn`. */
  readonly mapping?: string;
  /** First page, as an offset in pages within `mapping`. Default 0. */
  readonly offset?: number;
  /** First page as an absolute virtual page number (instead of `mapping`). */
  readonly vpn?: number;
  /** Stores instead of loads. */
  readonly write: boolean;
  /** Word accesses each page visit stands for. Default 1024. */
  readonly words?: number;
  /** Working set the cost model prices the word accesses by; default the range's bytes. */
  readonly workingSetBytes?: number;
}

/** fork: the child runs `program`; the parent goes on. */
export interface ForkOp {
  readonly op: 'fork';
  readonly program: Program;
  /** Name of the child (default the parent's). */
  readonly comm?: string;
}

/** exec: a binary file replaces the address space; its text and `libs` are file mappings. */
export interface ExecOp {
  readonly op: 'exec';
  /** Path of the binary. */
  readonly binary: string;
  /** Paths of shared libraries (e.g. libc) mapped whole. */
  readonly libs?: readonly string[];
  readonly textPages?: number;
  readonly dataPages?: number;
  readonly stackPages?: number;
}

/** exit: the task ends (also implied at the end of its program). */
export interface ExitOp {
  readonly op: 'exit';
}

/** read(): `bytes` bytes of a file from byte `offset`, through the page cache. */
export interface ReadOp {
  readonly op: 'read';
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
}

/** shmget: creates (or finds) the SysV segment with `key`. */
export interface ShmgetOp {
  readonly op: 'shmget';
  readonly key: number;
  readonly bytes: number;
}

/** shmat: attaches the segment with `key` (from a shmget of any task) as mapping `name`. */
export interface ShmatOp {
  readonly op: 'shmat';
  readonly key: number;
  readonly name: string;
  readonly readonly?: boolean;
}

/** shmdt: detaches the segment attached as mapping `name`. */
export interface ShmdtOp {
  readonly op: 'shmdt';
  readonly name: string;
}

/** compute: user-mode work that touches no new memory, for `ns` of CPU time. */
export interface ComputeOp {
  readonly op: 'compute';
  readonly ns: number;
}

/** sleep: off the CPU for `ns`. */
export interface SleepOp {
  readonly op: 'sleep';
  readonly ns: number;
}

/**
 * wait: until every child of the task has exited; with `any`, wait(2): until one child has
 * exited since the last such wait (each exit is reaped once), or at once with no child left
 * (ECHILD). `make -jN` keeps N jobs going with it.
 */
export interface WaitOp {
  readonly op: 'wait';
  /** Reap one exited child instead of waiting for all. Default false. */
  readonly any?: boolean;
}

/** One operation of a program. */
export type Operation =
  | MmapOp
  | MunmapOp
  | MsyncOp
  | TouchOp
  | ForkOp
  | ExecOp
  | ExitOp
  | ReadOp
  | ShmgetOp
  | ShmatOp
  | ShmdtOp
  | ComputeOp
  | SleepOp
  | WaitOp;

/** A program: a stream of operations (an array, or a generator for long ones). */
export type Program = Iterable<Operation>;
