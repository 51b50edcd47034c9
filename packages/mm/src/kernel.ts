/**
 * The kernel: one emulated Linux 2.6.17 memory manager on one @cvhrc/hw machine. It owns
 * mem_map (the page descriptors), the zones and their allocator state, the page cache,
 * files, anon_vmas, address spaces and tasks; the kernel's functions (allocPages,
 * markPageAccessed, pageReferenced, doPageFault, …) take it as their first argument.
 */
import {
  access,
  createMachine,
  FAULT_TRACKING,
  PAGE_SIZE,
  PTE_TRACKING,
  SWAP_MAX_SLOT,
  type CostModel,
  type Disk,
  type EventQueue,
  type Clock,
  type Machine,
} from '@cvhrc/hw';
import { BlockQueue } from './blockdev.js';
import { freeOneBlock } from './buddy.js';
import { KernelConfigError, SyscallError } from './errors.js';
import {
  doPageFault,
  VM_FAULT_MAJOR,
  VM_FAULT_MINOR,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_WAIT,
} from './fault.js';
import { AddressSpace, VM_MAX_READAHEAD_PAGES } from './filemap.js';
import { __GFP_DMA, __GFP_HIGHMEM, GFP_HIGHUSER } from './gfp.js';
import type { KernelHooks } from './hooks.js';
import { Kswapd } from './kswapd.js';
import { sysMsync } from './msync.js';
import { ShmSegment, shmemTruncate } from './shm.js';
import { SwapInfo, putSwapToken } from './swap.js';
import { checkInvariants } from './invariants.js';
import { accountNewVma, doBrk, doMunmap, dupMmap, exitMmap, mprotectFixup } from './mmap.js';
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  ELF_TEXT_START,
  MmStruct,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  STACK_TOP_PAGES,
  TASK_SIZE_PAGES,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  Vma,
} from './mm.js';
import { formatPageFlags, NO_FRAME, PageDescriptors, PG_LOCKED, PG_RESERVED } from './page.js';
import { AnonVma } from './rmap.js';
import { Task } from './task.js';
import { VmStat } from './vmstat.js';
import { LINUX_2_6_17_RECLAIM, type ReclaimPolicy } from './vmscan.js';
import {
  defaultMinFreeKbytes,
  DMA_END_FRAME,
  i386ZoneSpans,
  MAX_ORDER,
  NR_ZONES,
  setupPerZoneLowmemReserve,
  setupPerZonePagesMin,
  Zone,
  ZONE_DMA,
  ZONE_HIGHMEM,
  ZONE_LIST_HEADS,
  ZONE_NORMAL,
} from './zone.js';

/** Options of a kernel (the boot command line and sysctls that matter here). */
export interface KernelOptions {
  /** The machine to run on; default: createMachine() (the paper's Table 1). */
  readonly machine?: Machine;
  /** vm.min_free_kbytes; default: computed at boot from low memory (§A6). */
  readonly minFreeKbytes?: number;
  /**
   * Frames reserved from frame 0 at boot: the first MiB (BIOS, ISA hole) and the kernel
   * image, which holds ZERO_PAGE (its last frame). Default: 1280 (1 MiB + an assumed 4 MiB
   * kernel image), at most an eighth of memory.
   */
  readonly bootReservedPages?: number;
  /**
   * Frames reserved for mem_map (32 bytes per frame on i386), taken by the boot allocator
   * above 16 MB. Default: ⌈frames · 32 / 4096⌉.
   */
  readonly memMapPages?: number;
  /** Read-around window of files (ra_pages); default VM_MAX_READAHEAD, 32 pages (§B). */
  readonly readaheadPages?: number;
  /** Where files start on the disk, in bytes; default 4 GiB (room for swap before it). */
  readonly fsOffsetBytes?: number;
  /**
   * Size of the swap area, which starts at byte 0 of the disk (slot 0 is its header).
   * Default: twice the RAM, at most up to fsOffsetBytes. 0: no swap.
   */
  readonly swapBytes?: number;
  /** vm.swappiness (§A4); default 60. */
  readonly swappiness?: number;
  /**
   * The reclaim policy direct reclaim (try_to_free_pages) and kswapd call per zone;
   * default {@link LINUX_2_6_17_RECLAIM} (shrink_zone).
   */
  readonly reclaimPolicy?: ReclaimPolicy;
}

/** A task the OOM killer chose. */
export interface OomKill {
  readonly pid: number;
  readonly comm: string;
  readonly timeNs: number;
}

/** Swap-token state (mm/thrash.c): the holder (null: init_mm), next check, timeout (jiffies). */
export interface SwapTokenState {
  mm: MmStruct | null;
  check: number;
  timeout: number;
}

/** BLKDEV_MAX_RQ and the queue congestion thresholds derived from it (ll_rw_blk.c). */
export const BLKDEV_MAX_RQ = 128;
export const WRITE_CONGESTION_ON = BLKDEV_MAX_RQ - BLKDEV_MAX_RQ / 8 + 1;
export const WRITE_CONGESTION_OFF = BLKDEV_MAX_RQ - BLKDEV_MAX_RQ / 8 - BLKDEV_MAX_RQ / 16 - 1;

/** Results of {@link Kernel.userAccess} other than a frame number. */
export const ACCESS_SIGSEGV = -1;
export const ACCESS_SIGBUS = -2;
export const ACCESS_OOM = -3;
/** The task was killed by the OOM killer while it ran (it has exited). */
export const ACCESS_KILLED = -4;

/** How exec lays out a binary (page counts). */
export interface ExecLayout {
  /** Text pages from the start of the file; default the whole file. */
  readonly textPages?: number;
  /** Initialised data pages after the text; default 0. */
  readonly dataPages?: number;
  /** Stack pages below TASK_SIZE; default 32 (128 KB). */
  readonly stackPages?: number;
  /** Shared libraries, mapped whole (text only) as ld.so would. */
  readonly libs?: readonly AddressSpace[];
}

/** What mmap is asked for. */
export interface MmapRequest {
  /** Length in pages. */
  readonly pages: number;
  /** PROT_* bits. */
  readonly prot: number;
  /** MAP_PRIVATE or MAP_SHARED, with MAP_ANONYMOUS and/or MAP_FIXED. */
  readonly flags: number;
  /** The file to map (not with MAP_ANONYMOUS). */
  readonly file?: AddressSpace;
  /** First file page mapped. */
  readonly pgoff?: number;
  /** Address (first virtual page) wanted; required with MAP_FIXED. */
  readonly vpn?: number;
}

const checkInt = (name: string, v: number, min: number, max: number): void => {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new KernelConfigError(name, `must be an integer from ${min} to ${max}, got ${v}`);
  }
};

export class Kernel {
  readonly machine: Machine;
  readonly clock: Clock;
  readonly events: EventQueue;
  readonly costs: CostModel;
  readonly disk: Disk;
  /** The disk's request queue and elevator (the block layer). */
  readonly blockQueue: BlockQueue;
  /** mem_map. */
  readonly pages: PageDescriptors;
  /** DMA, Normal, HighMem (a zone may have no pages on a small machine). */
  readonly zones: readonly Zone[];
  /** vm.min_free_kbytes. */
  minFreeKbytes: number;
  /** The reserved frame every read of untouched anonymous memory maps (ZERO_PAGE). */
  readonly zeroPage: number;
  /** Frames reserved at boot (never allocated or freed). */
  readonly reservedPages: number;
  /** /proc/vmstat event counters. */
  readonly vm = new VmStat();
  /** Pages with mapcount > 0 (nr_mapped, the mapped_ratio of §A4). */
  nrMapped = 0;
  /** Pages in the page cache (nr_pagecache). */
  nrPagecache = 0;
  /** Dirty page-cache pages (nr_dirty). */
  nrDirty = 0;
  /** Pages under writeback (nr_writeback) and writes completed so far. */
  nrWriteback = 0;
  writesCompleted = 0;
  /** Pages in the swap cache (total_swapcache_pages). */
  nrSwapcache = 0;
  /** The swap area, or null without swap. */
  readonly swap: SwapInfo | null;
  /** vm.swappiness (§A4). */
  swappiness: number;
  /** The reclaim policy in force (the `reclaimPolicy` option). */
  readonly reclaimPolicy: ReclaimPolicy;
  /**
   * total_memory of vmscan.c (the denominator of mapped_ratio, §A4): at boot,
   * nr_free_pagecache_pages() — present minus pages_high over the HighMem zonelist.
   */
  readonly totalMemory: number;
  /** The swap token (§A9). */
  readonly swapToken: SwapTokenState = { mm: null, check: 0, timeout: 0 };
  /** Tasks the OOM killer chose, in order. */
  readonly oomKills: OomKill[] = [];
  /** Page-cache hash buckets (heads of chains through pages.hashNext). */
  readonly pageCacheBuckets: Int32Array;
  readonly pageCacheMask: number;
  /** Callbacks for the layers above (see KernelHooks); set the ones you need. */
  readonly hooks: KernelHooks = {};
  /** The task on whose behalf the kernel runs now (time is charged to it), or null. */
  current: Task | null = null;
  /**
   * Runs kernel threads (kswapd) on the CPUs: set by a Scheduler. `step` is the thread's
   * next piece of work, to run as `thread` on a CPU. Null: kernel threads run as events.
   */
  kthreadRunner: ((thread: Task, step: () => void) => void) | null = null;

  readonly #zonelists: readonly (readonly number[])[];
  readonly #writeWaiters: (() => void)[] = [];
  #wokenWrites = 0;
  #stampSeq = 0;
  /** The kswapd kernel thread (§A7). */
  readonly kswapd: Kswapd;
  readonly #readaheadPages: number;
  readonly #addressSpaces: (AddressSpace | undefined)[] = [undefined];
  readonly #files = new Map<string, AddressSpace>();
  readonly #shm = new Map<number, ShmSegment>();
  #nextShm = 1;
  #fsNextBytes: number;
  /** anon_vmas by id (ids are handed out in order; a freed one leaves a hole). */
  readonly #anonVmas: (AnonVma | undefined)[] = [];
  #nextAnonVma = 1;
  #nextMm = 1;
  readonly #tasks = new Map<number, Task>();
  #nextPid = 1;

  constructor(options: KernelOptions = {}) {
    const machine = options.machine ?? createMachine();
    this.machine = machine;
    this.clock = machine.clock;
    this.events = machine.events;
    this.costs = machine.costs;
    this.disk = machine.disk;
    this.blockQueue = new BlockQueue(machine.disk);
    if (machine.memory.pageBytes !== PAGE_SIZE) {
      throw new KernelConfigError('machine.memory.pageBytes', `must be ${PAGE_SIZE}`);
    }
    const frames = machine.memory.frameCount;
    const pages = new PageDescriptors(frames, NR_ZONES * ZONE_LIST_HEADS);
    this.pages = pages;
    const spans = i386ZoneSpans(frames);
    this.zones = spans.map((s, i) => new Zone(i, s.start, s.pages, frames + i * ZONE_LIST_HEADS));
    for (const z of this.zones)
      for (let f = z.startPfn; f < z.endPfn; f++) pages.setZone(f, z.index);

    // Boot reservations: low memory + kernel image from frame 0; mem_map above 16 MB.
    const low = options.bootReservedPages ?? Math.max(1, Math.min(1280, frames >>> 3));
    checkInt('bootReservedPages', low, 1, frames >>> 1);
    const memMap = options.memMapPages ?? Math.ceil((frames * 32) / PAGE_SIZE);
    checkInt('memMapPages', memMap, 0, (frames >>> 1) - low);
    const memMapStart = frames > DMA_END_FRAME ? Math.max(low, DMA_END_FRAME) : low;
    const reserve = (f: number): void => {
      pages.set(f, PG_RESERVED);
      pages.count[f] = 1;
    };
    for (let f = 0; f < low; f++) reserve(f);
    for (let f = memMapStart; f < memMapStart + memMap; f++) reserve(f);
    this.reservedPages = low + memMap;
    this.zeroPage = low - 1;
    // free_all_bootmem: every other frame goes to the buddy allocator in aligned blocks.
    for (const z of this.zones) {
      let f = z.startPfn;
      while (f < z.endPfn) {
        if (pages.flags[f]! & PG_RESERVED) {
          f++;
          continue;
        }
        let order = 0;
        while (order < MAX_ORDER - 1) {
          const size = 2 << order;
          if (f % size !== 0 || f + size > z.endPfn) break;
          let clean = true;
          for (let g = f + (size >>> 1); g < f + size; g++) {
            if (pages.flags[g]! & PG_RESERVED) {
              clean = false;
              break;
            }
          }
          if (!clean) break;
          order++;
        }
        freeOneBlock(pages, z, f, order);
        f += 1 << order;
      }
    }

    let lowmem = 0;
    for (const z of this.zones) if (!z.isHighmem) lowmem += z.presentPages;
    this.minFreeKbytes = options.minFreeKbytes ?? defaultMinFreeKbytes(lowmem);
    checkInt('minFreeKbytes', this.minFreeKbytes, 1, 65536 * 16);
    setupPerZonePagesMin(this.zones, this.minFreeKbytes);
    setupPerZoneLowmemReserve(this.zones);

    const populated = (list: number[]): number[] =>
      list.filter((i) => this.zones[i]!.presentPages > 0);
    this.#zonelists = [
      populated([ZONE_NORMAL, ZONE_DMA]),
      populated([ZONE_DMA]),
      populated([ZONE_HIGHMEM, ZONE_NORMAL, ZONE_DMA]),
    ];

    let buckets = 1024;
    while (buckets < frames >>> 1) buckets <<= 1;
    this.pageCacheBuckets = new Int32Array(buckets).fill(NO_FRAME);
    this.pageCacheMask = buckets - 1;

    this.#readaheadPages = options.readaheadPages ?? VM_MAX_READAHEAD_PAGES;
    checkInt('readaheadPages', this.#readaheadPages, 0, 1024);
    this.#fsNextBytes = options.fsOffsetBytes ?? 4 * 1024 ** 3;
    checkInt('fsOffsetBytes', this.#fsNextBytes, 0, this.disk.capacityBytes - PAGE_SIZE);
    if (this.#fsNextBytes % PAGE_SIZE !== 0) {
      throw new KernelConfigError('fsOffsetBytes', `must be a multiple of ${PAGE_SIZE}`);
    }
    const swapBytes = options.swapBytes ?? Math.min(2 * machine.memory.bytes, this.#fsNextBytes);
    checkInt(
      'swapBytes',
      swapBytes,
      0,
      Math.min(this.#fsNextBytes, (SWAP_MAX_SLOT + 1) * PAGE_SIZE),
    );
    if (swapBytes % PAGE_SIZE !== 0) {
      throw new KernelConfigError('swapBytes', `must be a multiple of ${PAGE_SIZE}`);
    }
    this.swap = swapBytes >= 2 * PAGE_SIZE ? new SwapInfo(swapBytes / PAGE_SIZE, 0) : null;
    this.swappiness = options.swappiness ?? 60;
    checkInt('swappiness', this.swappiness, 0, 100);
    this.reclaimPolicy = options.reclaimPolicy ?? LINUX_2_6_17_RECLAIM;
    let totalMemory = 0;
    for (const i of this.zonelist(GFP_HIGHUSER)) {
      const z = this.zones[i]!;
      totalMemory += Math.max(0, z.presentPages - z.pagesHigh);
    }
    this.totalMemory = Math.max(1, totalMemory);
    // Kernel threads: kswapd0 (it has no mm and is not in the task list the OOM killer walks).
    this.kswapd = new Kswapd(this, new Task(0, 'kswapd0', null));
  }

  /** wakeup_kswapd for every zone of a zonelist (§A7). */
  wakeupKswapd(zonelist: readonly number[], order: number): void {
    for (const i of zonelist) this.kswapd.wakeup(this.zones[i]!, order);
  }

  /** total_swap_pages: usable swap slots (0 without swap). */
  get totalSwapPages(): number {
    return this.swap === null ? 0 : this.swap.pages;
  }

  /** nr_swap_pages: free swap slots. */
  get freeSwapPages(): number {
    return this.swap === null ? 0 : this.swap.freeSlots;
  }

  /**
   * blk_congestion_wait(WRITE, timeout): sleeps until a write completes or `timeoutNs`
   * passes, running the machine's events meanwhile.
   */
  /**
   * Calls `fn` once a write completes or `timeoutNs` passes, whichever comes first (a
   * kernel thread's blk_congestion_wait on the event queue).
   */
  afterCongestion(timeoutNs: number, fn: () => void): void {
    let fired = false;
    const once = (): void => {
      if (fired) return;
      fired = true;
      this.events.cancel(timer);
      const i = this.#writeWaiters.indexOf(once);
      if (i >= 0) this.#writeWaiters.splice(i, 1);
      fn();
    };
    const timer = this.events.after(timeoutNs, once);
    this.#writeWaiters.push(once);
  }

  /**
   * Write requests in the disk's queue (rl->count[WRITE]) — page writes are one request
   * each here. The queue holds BLKDEV_MAX_RQ = 128; it is congested from 113 and
   * uncongested again below 103 (queue_congestion_on/off_threshold).
   */
  writeRequests = 0;

  /** bdi_write_congested. */
  get writeCongested(): boolean {
    return this.writeRequests >= WRITE_CONGESTION_ON;
  }

  /** A page write was queued. */
  writeSubmitted(): void {
    this.writeRequests++;
  }

  /**
   * Called by end_page_writeback: the request is freed; below the congestion-off threshold
   * that wakes whoever waits in blk_congestion_wait.
   */
  writeCompleted(): void {
    this.writesCompleted++;
    this.writeRequests--;
    if (this.writeRequests >= WRITE_CONGESTION_OFF) return;
    this.#wokenWrites++;
    if (this.#writeWaiters.length === 0) return;
    const waiters = this.#writeWaiters.splice(0);
    // Wake them as events at the current time, after this completion has been handled.
    for (const w of waiters) this.events.after(0, w);
  }

  congestionWait(timeoutNs: number): void {
    const deadline = this.clock.now + timeoutNs;
    const woken = this.#wokenWrites;
    while (this.#wokenWrites === woken && this.events.peekTime() <= deadline) this.events.step();
    if (this.#wokenWrites === woken && deadline > this.clock.now) this.clock.advanceTo(deadline);
  }

  /**
   * The OOM killer's kill: the current task is marked to die (TIF_MEMDIE: it may allocate
   * below the watermarks on its way out, and exits when its access returns); any other
   * task exits now.
   */
  oomKill(task: Task): void {
    this.vm.oomKill++;
    this.oomKills.push({ pid: task.pid, comm: task.comm, timeNs: this.clock.now });
    task.killed = true;
    if (task === this.current) task.memdie = true;
    else if (this.#tasks.has(task.pid)) this.exit(task);
  }

  /** The zonelist an allocation walks (§A6): DMA only, Normal then DMA, or all three. */
  zonelist(gfp: number): readonly number[] {
    return this.#zonelists[gfp & __GFP_DMA ? 1 : gfp & __GFP_HIGHMEM ? 2 : 0]!;
  }

  /** Re-sets vm.min_free_kbytes and recomputes every zone's watermarks (§A6). */
  setMinFreeKbytes(kbytes: number): void {
    checkInt('minFreeKbytes', kbytes, 1, 65536 * 16);
    this.minFreeKbytes = kbytes;
    setupPerZonePagesMin(this.zones, kbytes);
  }

  /** Free pages of all zones. */
  get freePages(): number {
    let n = 0;
    for (const z of this.zones) n += z.freePages;
    return n;
  }

  /**
   * Charges kernel work to the current task's system time. Outside a CPU burst the clock
   * advances; inside one (the burst's task is current) the time accumulates on that CPU.
   */
  chargeSystem(ns: number): void {
    if (ns <= 0) return;
    const cur = this.current;
    if (cur !== null && cur === this.#burstTask) {
      this.#burstNs += ns;
      cur.stimeNs += ns;
      return;
    }
    this.clock.advance(ns);
    if (cur !== null) cur.stimeNs += ns;
  }

  /** Charges user-mode work of the current task (its utime), like chargeSystem. */
  chargeUser(ns: number): void {
    if (ns <= 0) return;
    const cur = this.current;
    if (cur !== null && cur === this.#burstTask) {
      this.#burstNs += ns;
      cur.utimeNs += ns;
      return;
    }
    this.clock.advance(ns);
    if (cur !== null) cur.utimeNs += ns;
  }

  #burstTask: Task | null = null;
  #burstNs = 0;
  #burstPrevious: Task | null = null;

  /**
   * Starts a CPU burst of `task` (the scheduler's): it becomes current, and the time charged
   * to it accumulates as the burst's length instead of advancing the one clock, so that
   * CPUs run side by side in simulated time. Bursts do not nest.
   */
  beginBurst(task: Task): void {
    if (this.#burstTask !== null) throw new Error('beginBurst: a burst is already running');
    this.#burstTask = task;
    this.#burstNs = 0;
    this.#burstPrevious = this.current;
    this.current = task;
  }

  /** Time charged in the current burst so far, ns. */
  get burstNs(): number {
    return this.#burstNs;
  }

  /**
   * For the scheduler's touch loop, which adds a run of charges in locals: the running task
   * of the current burst (whose charges chargeUser and chargeSystem add to the burst's time
   * and its own times), or null outside a burst.
   */
  get burstCurrent(): Task | null {
    const cur = this.current;
    return cur !== null && cur === this.#burstTask ? cur : null;
  }

  /**
   * Sets the burst's time so far: the scheduler's touch loop, having added a run of charges
   * in a local in chargeUser's and chargeSystem's order (see {@link burstCurrent}), writes the
   * sum back. Not for other uses.
   */
  setBurstNs(ns: number): void {
    if (this.#burstTask === null) throw new Error('setBurstNs: no burst is running');
    this.#burstNs = ns;
  }

  /** Ends the CPU burst; returns its length in ns. */
  endBurst(): number {
    const ns = this.#burstNs;
    this.#burstTask = null;
    this.#burstNs = 0;
    this.current = this.#burstPrevious;
    this.#burstPrevious = null;
    return ns;
  }

  /** PF_* flags of the current task (0 with none). */
  currentTaskFlags(): number {
    return this.current === null ? 0 : this.current.allocFlags;
  }

  // ---- registries -------------------------------------------------------------------

  newAnonVma(): AnonVma {
    const av = new AnonVma(this.#nextAnonVma++);
    this.#anonVmas[av.id] = av;
    return av;
  }

  freeAnonVma(av: AnonVma): void {
    this.#anonVmas[av.id] = undefined;
  }

  /** The anon_vma with this id (a page's mapping when PG_ANON is set). */
  anonVma(id: number): AnonVma {
    const av = this.#anonVmas[id];
    if (av === undefined) throw new Error(`no anon_vma ${id}`);
    return av;
  }

  /** The address_space with this id (a file page's mapping). */
  addressSpace(id: number): AddressSpace {
    const as = this.#addressSpaces[id];
    if (as === undefined) throw new Error(`no address_space ${id}`);
    return as;
  }

  /** Every address_space (files first created first). */
  addressSpaces(): AddressSpace[] {
    return this.#addressSpaces.filter((a): a is AddressSpace => a !== undefined);
  }

  /**
   * Creates a file of `bytes` bytes (contents implied), laid out contiguously on the disk
   * after the previous file.
   */
  createFile(path: string, bytes: number): AddressSpace {
    if (this.#files.has(path)) throw new SyscallError('creat', 'EEXIST', path);
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new SyscallError('creat', 'EINVAL', `${path}: size ${bytes}`);
    }
    const span = Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
    if (this.#fsNextBytes + span > this.disk.capacityBytes) {
      throw new SyscallError('creat', 'ENOMEM', `${path}: the disk is full`);
    }
    const as = new AddressSpace(
      this.#addressSpaces.length,
      path,
      'file',
      bytes,
      this.#fsNextBytes,
      this.#readaheadPages,
    );
    this.#fsNextBytes += span;
    this.#addressSpaces.push(as);
    this.#files.set(path, as);
    return as;
  }

  /** The file at `path`, or undefined. */
  file(path: string): AddressSpace | undefined {
    return this.#files.get(path);
  }

  /**
   * shmget: the segment with `key`, created with `bytes` if there is none (key 0,
   * IPC_PRIVATE, always creates). Returns its shmid.
   */
  shmget(key: number, bytes: number): number {
    if (key !== 0) {
      for (const seg of this.#shm.values()) if (seg.key === key && !seg.removed) return seg.id;
    }
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new SyscallError('shmget', 'EINVAL', `size ${bytes}`);
    }
    const id = this.#nextShm++;
    const as = new AddressSpace(
      this.#addressSpaces.length,
      `SYSV${String(key).padStart(8, '0')}`,
      'shmem',
      bytes,
      0,
      0,
    );
    this.#addressSpaces.push(as);
    const seg = new ShmSegment(id, key, as);
    this.#shm.set(id, seg);
    return id;
  }

  /** The segment with this shmid, or undefined. */
  shmSegment(shmid: number): ShmSegment | undefined {
    return this.#shm.get(shmid);
  }

  /** shmat: attaches the segment (a shared mapping of its shmem file); returns its first page. */
  shmat(task: Task, shmid: number, readonly = false, vpn?: number): number {
    const seg = this.#shm.get(shmid);
    if (seg === undefined || seg.removed)
      throw new SyscallError('shmat', 'EINVAL', `shmid ${shmid}`);
    return this.mmap(task, {
      pages: seg.file.sizePages,
      prot: readonly ? PROT_READ : PROT_READ | PROT_WRITE,
      flags: MAP_SHARED | (vpn === undefined ? 0 : MAP_FIXED),
      file: seg.file,
      ...(vpn === undefined ? {} : { vpn }),
    });
  }

  /** shmdt: detaches the segment attached at `vpn`. */
  shmdt(task: Task, vpn: number): void {
    const vma = task.mm?.vmaAt(vpn);
    if (vma?.start !== vpn || vma.file?.kind !== 'shmem') {
      throw new SyscallError('shmdt', 'EINVAL', `no segment attached at page ${vpn}`);
    }
    this.munmap(task, vma.start, vma.pages);
  }

  /** shmctl(IPC_RMID): the segment goes once nobody has it attached. */
  shmRemove(shmid: number): void {
    const seg = this.#shm.get(shmid);
    if (seg === undefined) throw new SyscallError('shmctl', 'EINVAL', `shmid ${shmid}`);
    seg.removed = true;
    this.shmClosed(seg.file);
  }

  /** Called when a VMA of a shmem file goes: destroys a removed segment at its last detach. */
  shmClosed(file: AddressSpace): void {
    for (const seg of this.#shm.values()) {
      if (seg.file !== file || !seg.removed || seg.nattch > 0) continue;
      shmemTruncate(this, file);
      this.#shm.delete(seg.id);
    }
  }

  /** A new task with a new, empty address space. */
  createTask(comm: string): Task {
    const task = new Task(this.#nextPid++, comm, new MmStruct(this.#nextMm++));
    task.startTimeNs = this.clock.now;
    this.#tasks.set(task.pid, task);
    this.hooks.taskCreated?.(task, null);
    this.hooks.mmCreated?.(task.mm!, task);
    return task;
  }

  /** The task with this pid, or undefined. */
  task(pid: number): Task | undefined {
    return this.#tasks.get(pid);
  }

  /** Every live task in pid order. */
  tasks(): Task[] {
    return [...this.#tasks.values()];
  }

  /** Every mm of a live task (each once). */
  mms(): MmStruct[] {
    const out = new Set<MmStruct>();
    for (const t of this.#tasks.values()) if (t.mm !== null) out.add(t.mm);
    return [...out];
  }

  // ---- system calls -----------------------------------------------------------------

  /**
   * mmap (do_mmap_pgoff): a new VMA of `pages` pages, at `vpn` with MAP_FIXED, else at the
   * top-down unmapped area. Private anonymous VMAs get vm_pgoff = their first page (§C);
   * file VMAs join the file's i_mmap. Returns the first virtual page. Neighbouring VMAs are
   * not merged; MAP_FIXED may not overlap an existing mapping; shared anonymous memory
   * (shmem) is not built yet.
   */
  mmap(task: Task, req: MmapRequest): number {
    const mm = task.mm;
    if (mm === null) throw new SyscallError('mmap', 'EINVAL', 'task has no mm');
    const { pages, prot, flags } = req;
    if (!Number.isSafeInteger(pages) || pages <= 0 || pages > TASK_SIZE_PAGES) {
      throw new SyscallError('mmap', 'EINVAL', `length ${pages} pages`);
    }
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) {
      throw new SyscallError('mmap', 'EINVAL', `prot 0x${prot.toString(16)}`);
    }
    const type = flags & (MAP_SHARED | MAP_PRIVATE);
    if (
      flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) ||
      (type !== MAP_SHARED && type !== MAP_PRIVATE)
    ) {
      throw new SyscallError('mmap', 'EINVAL', `flags 0x${flags.toString(16)}`);
    }
    const anonymous = (flags & MAP_ANONYMOUS) !== 0;
    const file = anonymous ? null : (req.file ?? null);
    if (!anonymous && file === null) throw new SyscallError('mmap', 'EBADF', 'no file given');
    if (anonymous && type === MAP_SHARED) {
      throw new SyscallError('mmap', 'EINVAL', 'shared anonymous memory (shmem) is not built yet');
    }
    const pgoffIn = req.pgoff ?? 0;
    if (!Number.isSafeInteger(pgoffIn) || pgoffIn < 0) {
      throw new SyscallError('mmap', 'EINVAL', `pgoff ${pgoffIn}`);
    }
    let start: number;
    if (flags & MAP_FIXED) {
      start = req.vpn ?? -1;
      if (!Number.isSafeInteger(start) || start < 0 || start + pages > TASK_SIZE_PAGES) {
        throw new SyscallError('mmap', 'EINVAL', `MAP_FIXED address ${start}`);
      }
      if (!mm.isFree(start, start + pages)) {
        throw new SyscallError('mmap', 'EINVAL', 'MAP_FIXED over an existing mapping');
      }
    } else {
      start = req.vpn !== undefined && mm.isFree(req.vpn, req.vpn + pages) ? req.vpn : -1;
      if (start < 0 || start + pages > TASK_SIZE_PAGES) start = mm.getUnmappedArea(pages);
      if (start < 0) throw new SyscallError('mmap', 'ENOMEM', `no room for ${pages} pages`);
    }
    if (this.hooks.mayExpandVm?.(task, mm, pages) === false) {
      throw new SyscallError('mmap', 'ENOMEM', `${pages} more pages of address space refused`);
    }
    let vmFlags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    if (prot & PROT_READ) vmFlags |= VM_READ;
    if (prot & PROT_WRITE) vmFlags |= VM_WRITE;
    if (prot & PROT_EXEC) vmFlags |= VM_EXEC;
    if (type === MAP_SHARED) vmFlags |= VM_SHARED | VM_MAYSHARE;
    const vma = new Vma(mm, start, start + pages, vmFlags, file === null ? start : pgoffIn, file);
    mm.insertVma(vma);
    if (file !== null) file.iMmap.push(vma);
    accountNewVma(mm, vma);
    mm.updateHiwater();
    return start;
  }

  /**
   * munmap: unmaps whole pages [vpn, vpn + pages); VMAs are split where the range cuts
   * them. Returns the number of pages that were mapped in the page table.
   */
  munmap(task: Task, vpn: number, pages: number): number {
    const mm = task.mm;
    if (mm === null) throw new SyscallError('munmap', 'EINVAL', 'task has no mm');
    if (
      !Number.isSafeInteger(vpn) ||
      !Number.isSafeInteger(pages) ||
      vpn < 0 ||
      pages <= 0 ||
      vpn + pages > TASK_SIZE_PAGES
    ) {
      throw new SyscallError('munmap', 'EINVAL', `range ${vpn} + ${pages} pages`);
    }
    return this.#asCurrent(task, () => doMunmap(this, mm, vpn, pages));
  }

  /**
   * msync: [vpn, vpn + pages) with MS_ASYNC / MS_SYNC / MS_INVALIDATE `flags` (see
   * {@link sysMsync}): shared file mappings' dirty PTEs move to their pages; MS_SYNC then
   * writes the file's dirty pages and waits for them (the events run meanwhile). Returns the
   * pages MS_SYNC wrote (the system call returns 0).
   */
  msync(task: Task, vpn: number, pages: number, flags: number): number {
    const mm = task.mm;
    if (mm === null) throw new SyscallError('msync', 'EINVAL', 'task has no mm');
    return this.#asCurrent(task, () => sysMsync(this, mm, vpn, pages, flags));
  }

  /**
   * brk: moves the end of the heap to `vpn` (a page number; the heap is [start_brk, brk)).
   * Shrinking unmaps; growing extends the heap VMA (do_brk) if nothing is mapped there.
   * Returns the brk in force afterwards, as the system call does.
   */
  brk(task: Task, vpn: number): number {
    const mm = task.mm;
    if (mm === null) throw new SyscallError('brk', 'EINVAL', 'task has no mm');
    if (!Number.isSafeInteger(vpn) || vpn < mm.startBrk || vpn > TASK_SIZE_PAGES) return mm.brk;
    if (vpn === mm.brk) return mm.brk;
    if (vpn < mm.brk) {
      this.#asCurrent(task, () => doMunmap(this, mm, vpn, mm.brk - vpn));
      mm.brk = vpn;
      return vpn;
    }
    // The heap may not run into an existing mapping (find_vma_intersection, one guard page).
    if (!mm.isFree(mm.brk, vpn + 1)) return mm.brk;
    if (this.hooks.mayExpandVm?.(task, mm, vpn - mm.brk) === false) return mm.brk;
    doBrk(mm, mm.brk, vpn - mm.brk, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC);
    mm.brk = vpn;
    mm.updateHiwater();
    return vpn;
  }

  /**
   * mprotect: [vpn, vpn + pages) gets PROT_READ/WRITE/EXEC `prot`. Every page must be mapped
   * (ENOMEM), and a protection the VMA's VM_MAY* bits refuse is EACCES (a read-only shared
   * file mapping cannot become writable … here every file is opened read-write). VMAs are
   * split at the ends; present PTEs take the new protection. PROT_NONE is not supported yet.
   */
  mprotect(task: Task, vpn: number, pages: number, prot: number): void {
    const mm = task.mm;
    if (mm === null) throw new SyscallError('mprotect', 'EINVAL', 'task has no mm');
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC) || prot === 0) {
      throw new SyscallError('mprotect', 'EINVAL', `prot 0x${prot.toString(16)}`);
    }
    if (!Number.isSafeInteger(vpn) || !Number.isSafeInteger(pages) || pages <= 0) {
      throw new SyscallError('mprotect', 'EINVAL', `range ${vpn} + ${pages} pages`);
    }
    const end = vpn + pages;
    let wanted = 0;
    if (prot & PROT_READ) wanted |= VM_READ;
    if (prot & PROT_WRITE) wanted |= VM_WRITE;
    if (prot & PROT_EXEC) wanted |= VM_EXEC;
    // Check the whole range first: mapped without holes, and permitted by VM_MAY*.
    for (let at = vpn; at < end; ) {
      const vma = mm.vmaAt(at);
      if (vma === null) throw new SyscallError('mprotect', 'ENOMEM', `page ${at} is not mapped`);
      const newFlags = wanted | (vma.flags & ~(VM_READ | VM_WRITE | VM_EXEC));
      if (newFlags & ~(newFlags >> 4) & (VM_READ | VM_WRITE | VM_EXEC)) {
        throw new SyscallError('mprotect', 'EACCES', `page ${at}: not permitted by the mapping`);
      }
      at = vma.end;
    }
    this.#asCurrent(task, () => {
      for (let at = vpn; at < end; ) {
        const vma = mm.vmaAt(at)!;
        const stop = Math.min(vma.end, end);
        mprotectFixup(this, vma, at, stop, wanted | (vma.flags & ~(VM_READ | VM_WRITE | VM_EXEC)));
        at = stop;
      }
    });
  }

  /**
   * exec: the task drops its address space (the old mm loses a user) and gets a new one
   * with the binary mapped as load_elf_binary does — text (the first `textPages` file pages,
   * private, read/exec) at 0x08048000, data (the next `dataPages`, private, writable) right
   * after it, the heap (bss) starting above them — and a stack of `stackPages` anonymous
   * pages ending at TASK_SIZE. `libs` are mapped whole, private read/exec, as ld.so would.
   * Pages are faulted in lazily (§G). Charges the exec cost (§H).
   */
  exec(task: Task, binary: AddressSpace, layout: ExecLayout = {}): void {
    const size = binary.sizePages;
    const textPages = layout.textPages ?? size;
    const dataPages = layout.dataPages ?? 0;
    const stackPages = layout.stackPages ?? 32;
    if (textPages < 1 || textPages + dataPages > size || stackPages < 1) {
      throw new SyscallError('execve', 'EINVAL', `${binary.name}: bad layout for ${size} pages`);
    }
    const old = task.mm;
    const mm = new MmStruct(this.#nextMm++);
    task.mm = mm;
    this.#asCurrent(task, () => {
      this.chargeSystem(this.costs.execNs);
      if (old !== null && --old.users === 0) {
        exitMmap(this, old);
        putSwapToken(this, old);
        this.hooks.mmDestroyed?.(old);
      }
    });
    this.hooks.mmCreated?.(mm, task);
    task.comm = binary.name.slice(binary.name.lastIndexOf('/') + 1).slice(0, 15);
    const text = ELF_TEXT_START;
    this.mmap(task, {
      pages: textPages,
      prot: PROT_READ | PROT_EXEC,
      flags: MAP_PRIVATE | MAP_FIXED,
      file: binary,
      vpn: text,
    });
    if (dataPages > 0) {
      this.mmap(task, {
        pages: dataPages,
        prot: PROT_READ | PROT_WRITE,
        flags: MAP_PRIVATE | MAP_FIXED,
        file: binary,
        pgoff: textPages,
        vpn: text + textPages,
      });
    }
    mm.startBrk = mm.brk = text + textPages + dataPages;
    const stack = new Vma(
      mm,
      STACK_TOP_PAGES - stackPages,
      STACK_TOP_PAGES,
      VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_GROWSDOWN,
      STACK_TOP_PAGES - stackPages,
      null,
    );
    mm.insertVma(stack);
    accountNewVma(mm, stack);
    for (const lib of layout.libs ?? []) {
      this.mmap(task, {
        pages: Math.max(1, lib.sizePages),
        prot: PROT_READ | PROT_EXEC,
        flags: MAP_PRIVATE,
        file: lib,
      });
    }
  }

  /**
   * fork: a child task whose mm is a copy of the parent's (dup_mmap, §C). Charges the
   * fork cost (lmbench's fork+exit, §H) and one TLB flush of the parent, whose COW PTEs
   * were write-protected.
   */
  fork(parent: Task, comm: string = parent.comm): Task {
    const pmm = parent.mm;
    if (pmm !== null && this.hooks.mayExpandVm?.(parent, null, pmm.totalVm) === false) {
      throw new SyscallError('fork', 'ENOMEM', `${pmm.totalVm} pages of address space refused`);
    }
    const child = new Task(
      this.#nextPid++,
      comm,
      pmm === null ? null : new MmStruct(this.#nextMm++),
    );
    child.parentPid = parent.pid;
    child.startTimeNs = this.clock.now;
    this.#tasks.set(child.pid, child);
    this.hooks.taskCreated?.(child, parent);
    if (child.mm !== null) this.hooks.mmCreated?.(child.mm, child);
    this.#asCurrent(parent, () => {
      this.chargeSystem(this.costs.forkNs);
      if (pmm !== null && child.mm !== null) {
        dupMmap(this, child.mm, pmm);
        this.chargeSystem(this.costs.tlbFlushAllNs);
      }
    });
    return child;
  }

  /**
   * exit: the task leaves; its mm loses a user, and with the last one everything is
   * unmapped (exit_mmap: young file pages are marked accessed, §A1).
   */
  exit(task: Task): void {
    if (!this.#tasks.has(task.pid)) throw new Error(`exit: task ${task.pid} is not alive`);
    const mm = task.mm;
    if (task.faultPending && mm !== null) {
      task.faultPending = false;
      mm.faultsInProgress--;
    }
    this.#asCurrent(task, () => {
      if (mm !== null && --mm.users === 0) {
        exitMmap(this, mm);
        putSwapToken(this, mm);
        this.hooks.mmDestroyed?.(mm);
      }
    });
    task.mm = null;
    this.#tasks.delete(task.pid);
    this.hooks.taskExited?.(task);
  }

  #asCurrent<T>(task: Task, fn: () => T): T {
    const previous = this.current;
    this.current = task;
    try {
      return fn();
    } finally {
      this.current = previous;
    }
  }

  /**
   * One user access by `task` to virtual page `vpn`, synchronously: the MMU fast path,
   * and on a fault the kernel's handler, retried until the access succeeds. While a fault
   * waits for I/O, the machine's events run (a single-task system idles meanwhile).
   * Returns the frame accessed, or ACCESS_SIGSEGV / ACCESS_SIGBUS / ACCESS_OOM.
   */
  userAccess(task: Task, vpn: number, write: boolean): number {
    const mm = task.mm;
    if (mm === null) return ACCESS_SIGSEGV;
    const previous = this.current;
    this.current = task;
    try {
      for (let tries = 1; ; tries++) {
        const r = access(mm.pageTable, vpn, write);
        if (r >= 0) {
          mm.accessObserver?.(vpn, r, write);
          return r;
        }
        if (tries > 10_000) {
          throw new Error(
            `userAccess: vpn ${vpn} of task ${task.pid} still faults (${r}) after ${tries} tries; ` +
              `PTE 0x${mm.pageTable.get(vpn).toString(16)}`,
          );
        }
        if (r === FAULT_TRACKING) {
          const handler = this.hooks.trackingFault;
          if (handler === undefined) {
            throw new Error(`userAccess: tracking fault at vpn ${vpn} with no handler`);
          }
          handler(task, vpn, write);
          if (mm.pageTable.get(vpn) & PTE_TRACKING) {
            throw new Error(`userAccess: the tracking handler left vpn ${vpn} tracked`);
          }
          continue;
        }
        const ret = doPageFault(this, task, vpn, write);
        if (task.killed) {
          this.exit(task);
          return ACCESS_KILLED;
        }
        // Back to user space: threads woken meanwhile (kswapd) run first, at this instant.
        this.events.runUntil(this.clock.now);
        if (ret === VM_FAULT_MINOR || ret === VM_FAULT_MAJOR) continue;
        if (ret === VM_FAULT_WAIT) {
          this.waitOnPage(task.waitFrame, task.waitBits);
          task.waitBits = PG_LOCKED;
          continue;
        }
        if (ret === VM_FAULT_SIGBUS) return ACCESS_SIGBUS;
        if (ret === VM_FAULT_OOM) {
          // do_page_fault's out_of_memory: the faulting task is killed.
          this.vm.oomKill++;
          this.oomKills.push({ pid: task.pid, comm: task.comm, timeNs: this.clock.now });
          task.killed = true;
          this.exit(task);
          return ACCESS_OOM;
        }
        return ACCESS_SIGSEGV;
      }
    } finally {
      this.current = previous;
    }
  }

  /**
   * A store by `task` to virtual page `vpn` (userAccess with write) that gives the page new
   * contents: a fresh content stamp, returned (> 0). Or the negative ACCESS_* code.
   */
  userStore(task: Task, vpn: number): number {
    const frame = this.userAccess(task, vpn, true);
    if (frame < 0) return frame;
    const stamp = ++this.#stampSeq;
    this.pages.stamp[frame] = stamp;
    return stamp;
  }

  /** A load by `task` from `vpn`: the content stamp it reads (≥ 0), or the negative ACCESS_* code. */
  userLoad(task: Task, vpn: number): number {
    const frame = this.userAccess(task, vpn, false);
    return frame < 0 ? frame : this.pages.stamp[frame]!;
  }

  /** wait_on_page_locked, synchronously: runs the machine's events until the page is unlocked. */
  waitOnPage(frame: number, bits: number = PG_LOCKED): void {
    const start = this.clock.now;
    let steps = 0;
    while (this.pages.flags[frame]! & bits) {
      if (this.events.step() === undefined) {
        throw new Error(`waitOnPage: frame ${frame} is locked and no event will unlock it`);
      }
      if (++steps > 10_000_000 || this.clock.now - start > 3600e9) {
        throw new Error(
          `waitOnPage: frame ${frame} [${formatPageFlags(this.pages.flags[frame]!)}] still ` +
            `waited on after ${steps} events and ${(this.clock.now - start) / 1e9} s`,
        );
      }
    }
  }

  /**
   * A kernel timer: `fn` runs `delayNs` from now on the event queue, then every `periodNs`
   * if given. Returns a function that cancels it.
   */
  addTimer(delayNs: number, fn: () => void, periodNs?: number): () => void {
    let id = -1;
    let cancelled = false;
    const fire = (): void => {
      if (cancelled) return;
      if (periodNs !== undefined) id = this.events.after(periodNs, fire);
      fn();
    };
    id = this.events.after(delayNs, fire);
    return () => {
      cancelled = true;
      this.events.cancel(id);
    };
  }

  /**
   * Runs the machine's events (disk I/O completions, kswapd, timers) up to `untilNs`, or
   * until none is left (which never happens while a periodic timer is armed).
   */
  runEvents(untilNs = Infinity): void {
    if (untilNs === Infinity) this.events.run();
    else this.events.runUntil(untilNs);
  }

  /** Checks the memory manager's invariants (CONFIG_DEBUG_VM); throws on the first broken ones. */
  checkInvariants(): void {
    checkInvariants(this);
  }

  /** Host bytes of mm's per-frame structures (mem_map arrays + page-cache hash), per frame. */
  hostBytesPerFrame(): number {
    const frames = this.pages.frameCount;
    return (this.pages.hostBytes() + this.pageCacheBuckets.byteLength) / frames;
  }
}
