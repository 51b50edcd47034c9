/**
 * Address spaces: mm_struct and vm_area_struct of 2.6.17, with the page table from
 * @cvhrc/hw, find_vma, get_unmapped_area (the i386 top-down layout) and the VMA-insertion
 * part of do_mmap_pgoff.
 */
import { PageTable, PTE_ACCESSED, PTE_PRESENT, PTE_RW, PTE_USER } from '@cvhrc/hw';
import type { AddressSpace } from './filemap.js';
import type { AnonVma } from './rmap.js';

/** vm_flags of 2.6.17 (include/linux/mm.h), at the kernel's values. */
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_LOCKED = 0x2000;
/** madvise(MADV_SEQUENTIAL). */
export const VM_SEQ_READ = 0x8000;
/** madvise(MADV_RANDOM): no read-around on faults (§B). */
export const VM_RAND_READ = 0x10000;
export const VM_DONTCOPY = 0x20000;

/** mmap's prot and flags (asm-i386/mman.h). */
export const PROT_NONE = 0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_LOCKED = 0x2000;

/** TASK_SIZE of i386 with the 3G/1G split, in pages: user space is below 0xC0000000. */
export const TASK_SIZE_PAGES = 0xc0000000 / 4096;
/** mmap_base of the top-down layout: TASK_SIZE minus the minimum stack gap of 128 MB. */
export const MMAP_BASE_PAGES = TASK_SIZE_PAGES - (128 << 20) / 4096;
/** The lowest address mmap picks on its own (the kernel leaves the first pages unmapped). */
export const MMAP_MIN_PAGES = 0x08048000 / 4096;

/** Where an executable's text starts (i386 ELF): 0x08048000. */
export const ELF_TEXT_START = 0x08048000 / 4096;
/** start_brk of an mm no executable was loaded into: just above a small text. */
export const DEFAULT_START_BRK = 0x08100000 / 4096;
/** STACK_TOP of i386: the stack ends at TASK_SIZE. */
export const STACK_TOP_PAGES = TASK_SIZE_PAGES;

/** PTE protection bits of a VMA (protection_map of i386): x86 PTEs are made young. */
export function vmPageProt(vmFlags: number): number {
  if ((vmFlags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return 0; // PAGE_NONE: never mapped
  const base = PTE_PRESENT | PTE_USER | PTE_ACCESSED;
  // PAGE_SHARED for shared writable mappings; private ones are PAGE_COPY (read-only until COW).
  return (vmFlags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE) ? base | PTE_RW : base;
}

/** is_cow_mapping: private and possibly writable. */
export function isCowMapping(vmFlags: number): boolean {
  return (vmFlags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/** vm_area_struct: pages [start, end) of one mm, anonymous or backed by a file. */
export class Vma {
  readonly mm: MmStruct;
  /** First virtual page (vm_start >> PAGE_SHIFT). */
  start: number;
  /** One past the last virtual page. */
  end: number;
  flags: number;
  /** vm_page_prot as PTE bits. */
  pageProt: number;
  /** vm_pgoff: file page of `start`; for anonymous VMAs, `start` itself (§C). */
  pgoff: number;
  /** The file's address_space, or null for an anonymous VMA. */
  readonly file: AddressSpace | null;
  /** anon_vma, made on the first anonymous page (anon_vma_prepare). */
  anonVma: AnonVma | null = null;

  constructor(
    mm: MmStruct,
    start: number,
    end: number,
    flags: number,
    pgoff: number,
    file: AddressSpace | null,
  ) {
    this.mm = mm;
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.pageProt = vmPageProt(flags);
    this.pgoff = pgoff;
    this.file = file;
  }

  get pages(): number {
    return this.end - this.start;
  }

  /** linear_page_index: the page->index a page at `vpn` has in this VMA (§C). */
  linearPageIndex(vpn: number): number {
    return vpn - this.start + this.pgoff;
  }

  /** vma_address: the virtual page at which this VMA would map page index `index`, or -1. */
  addressOf(index: number): number {
    const vpn = this.start + (index - this.pgoff);
    return vpn >= this.start && vpn < this.end ? vpn : -1;
  }
}

/** mm_struct: one address space. */
export class MmStruct {
  readonly id: number;
  readonly pageTable = new PageTable();
  /** VMAs sorted by start (the kernel's mmap list; find_vma searches it). */
  readonly vmas: Vma[] = [];
  /** mmap_cache: the VMA find_vma found last. */
  mmapCache: Vma | null = null;
  /** mm_users. */
  users = 1;
  /** Pages mapped by VMAs (total_vm), and of which locked, shared, exec, stack. */
  totalVm = 0;
  lockedVm = 0;
  sharedVm = 0;
  execVm = 0;
  stackVm = 0;
  /** RSS counters: present PTEs mapping file (incl. ZERO_PAGE) and anonymous pages. */
  fileRss = 0;
  anonRss = 0;
  hiwaterRss = 0;
  hiwaterVm = 0;
  /** Top of the top-down mmap area, in pages. */
  mmapBase = MMAP_BASE_PAGES;
  /** start_brk and brk, in pages: the heap is [startBrk, brk). */
  startBrk = DEFAULT_START_BRK;
  brk = DEFAULT_START_BRK;
  /** Swap token state (§A9): a page-in since the last check; jiffies before which it may
   * not take the token again. */
  recentPagein = false;
  swapTokenTime = 0;
  /** Tasks of this mm in the middle of a page fault (holding mmap_sem). */
  faultsInProgress = 0;
  /**
   * Opt-in observation of every user access to this address space (a measuring layer's
   * exact reference stream): when set, Kernel.userAccess and the Scheduler's touch loop
   * call it once per access that completes, with the page and the frame, and the touch
   * loop takes the per-page path instead of accessRange. Null (the default) costs nothing.
   * It is not charged to the simulated clock and must not change kernel state.
   */
  accessObserver: ((vpn: number, frame: number, write: boolean) => void) | null = null;
  /**
   * With {@link accessObserver}: the touch loop calls `passStart` before each pass over a
   * range that it runs whole, and `repeatPass(passes)` before it charges further identical
   * passes at once (a fault-free pass leaves nothing to change but the clock): the observer
   * accounts `passes` repeats of the accesses it saw since `passStart`, in the same order,
   * and returns true — or returns false, and the loop runs those passes page by page.
   * Without it the touch loop runs every pass page by page.
   */
  accessPasses: { passStart(): void; repeatPass(passes: number): boolean } | null = null;
  /**
   * The context this address space is charged to, for a container layer above mm
   * (Linux-VServer's `mm->mm_vx_info`, §E: memory is charged to the context that owns the
   * mm). mm never reads it; null for none.
   */
  vxInfo: object | null = null;

  constructor(id: number) {
    this.id = id;
  }

  /** get_mm_rss. */
  get rss(): number {
    return this.fileRss + this.anonRss;
  }

  /**
   * find_vma: the first VMA that ends above `vpn` (it may start above it, too), or null.
   */
  findVma(vpn: number): Vma | null {
    const cached = this.mmapCache;
    if (cached !== null && cached.end > vpn && cached.start <= vpn) return cached;
    const vmas = this.vmas;
    let lo = 0;
    let hi = vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (vmas[mid]!.end > vpn) hi = mid;
      else lo = mid + 1;
    }
    const vma = vmas[lo] ?? null;
    if (vma !== null) this.mmapCache = vma;
    return vma;
  }

  /** The VMA containing `vpn`, or null. */
  vmaAt(vpn: number): Vma | null {
    const vma = this.findVma(vpn);
    return vma !== null && vma.start <= vpn ? vma : null;
  }

  /**
   * arch_get_unmapped_area_topdown: the highest gap of `pages` below mmap_base (first fit
   * from the top), or -1.
   */
  getUnmappedArea(pages: number): number {
    let top = this.mmapBase;
    for (let i = this.vmas.length - 1; i >= 0; i--) {
      const vma = this.vmas[i]!;
      if (vma.start >= top) continue;
      if (vma.end <= top && top - vma.end >= pages) return top - pages;
      top = vma.start;
    }
    return top - MMAP_MIN_PAGES >= pages ? top - pages : -1;
  }

  /** True when no VMA overlaps [start, end). */
  isFree(start: number, end: number): boolean {
    const vma = this.findVma(start);
    return vma === null || vma.start >= end;
  }

  /** Inserts a VMA in address order (it must not overlap another). */
  insertVma(vma: Vma): void {
    const vmas = this.vmas;
    let i = vmas.length;
    while (i > 0 && vmas[i - 1]!.start > vma.start) i--;
    vmas.splice(i, 0, vma);
    this.mmapCache = null;
  }

  /** Removes a VMA. */
  removeVma(vma: Vma): void {
    const i = this.vmas.indexOf(vma);
    if (i < 0) throw new Error(`removeVma: VMA ${vma.start}-${vma.end} not in mm ${this.id}`);
    this.vmas.splice(i, 1);
    this.mmapCache = null;
  }

  /** update_hiwater_rss / update_hiwater_vm. */
  updateHiwater(): void {
    if (this.rss > this.hiwaterRss) this.hiwaterRss = this.rss;
    if (this.totalVm > this.hiwaterVm) this.hiwaterVm = this.totalVm;
  }
}
