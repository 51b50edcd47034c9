/**
 * Reverse mapping of 2.6.17 (mm/rmap.c, §C): anon_vma for anonymous pages, the file's
 * i_mmap for file pages; the rmap walk over every (mm, virtual page) that maps a frame, and
 * page_referenced (§A2).
 */
import { PTE_ACCESSED, PTE_PRESENT } from '@cvhrc/hw';
import type { Kernel } from './kernel.js';
import { VM_LOCKED, VM_MAYSHARE, type MmStruct, type Vma } from './mm.js';
import { PG_ANON, PG_REFERENCED } from './page.js';

/** anon_vma: the VMAs that may map the anonymous pages of one original VMA and its forks. */
export class AnonVma {
  readonly id: number;
  /** The VMAs sharing this anon_vma (the kernel's anon_vma->head). */
  readonly vmas: Vma[] = [];

  constructor(id: number) {
    this.id = id;
  }
}

/** Visitor of an rmap walk: return true to stop the walk. */
export type RmapVisitor = (mm: MmStruct, vpn: number, vma: Vma) => boolean | void;

/** anon_vma_prepare: gives the VMA an anon_vma before its first anonymous page. */
export function anonVmaPrepare(k: Kernel, vma: Vma): AnonVma {
  if (vma.anonVma !== null) return vma.anonVma;
  const anonVma = k.newAnonVma();
  anonVma.vmas.push(vma);
  vma.anonVma = anonVma;
  return anonVma;
}

/** anon_vma_link: a forked VMA joins its parent's anon_vma (§C). */
export function anonVmaLink(vma: Vma, anonVma: AnonVma): void {
  vma.anonVma = anonVma;
  anonVma.vmas.push(vma);
}

/** anon_vma_unlink: the VMA leaves its anon_vma; an empty anon_vma is freed. */
export function anonVmaUnlink(k: Kernel, vma: Vma): void {
  const anonVma = vma.anonVma;
  if (anonVma === null) return;
  const i = anonVma.vmas.indexOf(vma);
  if (i >= 0) anonVma.vmas.splice(i, 1);
  vma.anonVma = null;
  if (anonVma.vmas.length === 0) k.freeAnonVma(anonVma);
}

/**
 * page_add_new_anon_rmap: a brand-new anonymous page gets its first mapping: mapcount 0,
 * mapping = the VMA's anon_vma, index = its linear index in the VMA (§C).
 */
export function pageAddNewAnonRmap(k: Kernel, frame: number, vma: Vma, vpn: number): void {
  const pages = k.pages;
  const anonVma = vma.anonVma;
  if (anonVma === null) throw new Error('pageAddNewAnonRmap: VMA has no anon_vma');
  pages.mapcount[frame] = 0;
  pages.mapping[frame] = anonVma.id;
  pages.set(frame, PG_ANON);
  pages.index[frame] = vma.linearPageIndex(vpn);
  k.nrMapped++;
}

/** page_add_anon_rmap: one more PTE maps an anonymous page (fork, swap-in). */
export function pageAddAnonRmap(k: Kernel, frame: number, vma: Vma, vpn: number): void {
  const pages = k.pages;
  const m = ++pages.mapcount[frame]!;
  if (m === 0) {
    const anonVma = vma.anonVma;
    if (anonVma === null) throw new Error('pageAddAnonRmap: VMA has no anon_vma');
    pages.mapping[frame] = anonVma.id;
    pages.set(frame, PG_ANON);
    pages.index[frame] = vma.linearPageIndex(vpn);
    k.nrMapped++;
  }
}

/** page_add_file_rmap: one more PTE maps a file page (or ZERO_PAGE). */
export function pageAddFileRmap(k: Kernel, frame: number): void {
  const m = ++k.pages.mapcount[frame]!;
  if (m === 0) k.nrMapped++;
}

/** page_remove_rmap: one PTE fewer maps the page. */
export function pageRemoveRmap(k: Kernel, frame: number): void {
  const pages = k.pages;
  const m = --pages.mapcount[frame]!;
  if (m < -1) throw new Error(`pageRemoveRmap: frame ${frame} mapcount below zero`);
  if (m === -1) k.nrMapped--;
}

/** True when `vpn` of `mm` has a present PTE mapping `frame` (page_check_address). */
function mapsFrame(mm: MmStruct, vpn: number, frame: number): boolean {
  const pte = mm.pageTable.get(vpn);
  return (pte & PTE_PRESENT) !== 0 && pte >>> 12 === frame;
}

/**
 * The rmap walk: calls `visit(mm, vpn, vma)` for every present PTE that maps `frame` —
 * through the anon_vma's VMAs for an anonymous page, through the file's i_mmap VMAs whose
 * range covers the page's index for a file page. Stops early when the visitor returns true
 * or when `mapcount` mappings were found. Returns the number of mappings visited.
 */
export function rmapWalk(k: Kernel, frame: number, visit: RmapVisitor): number {
  const pages = k.pages;
  let left = pages.mapCount(frame);
  if (left <= 0 || pages.mapping[frame] === 0) return 0;
  const index = pages.index[frame]!;
  const vmas =
    pages.flags[frame]! & PG_ANON
      ? k.anonVma(pages.mapping[frame]!).vmas
      : k.addressSpace(pages.mapping[frame]!).iMmap;
  let seen = 0;
  for (let i = 0; i < vmas.length && left > 0; i++) {
    const vma = vmas[i]!;
    const vpn = vma.addressOf(index);
    if (vpn < 0 || !mapsFrame(vma.mm, vpn, frame)) continue;
    seen++;
    left--;
    if (visit(vma.mm, vpn, vma) === true) break;
  }
  return seen;
}

/**
 * page_referenced (§A2): +1 if PG_referenced was set (clearing it); if mapped, for every PTE
 * mapping the page whose young bit is set, +1 and the bit cleared (ptep_clear_flush_young:
 * the TLB entry is flushed), and +1 if that PTE's mm holds the swap token while one of its
 * tasks is in a page fault (and it is not the current task's mm); stops after mapcount PTEs. A file page in a VM_LOCKED shared
 * mapping counts as referenced. Each PTE examined costs a PTE scan, each flush a TLB flush.
 */
export function pageReferenced(k: Kernel, frame: number): number {
  const pages = k.pages;
  let referenced = 0;
  if (pages.testAndClear(frame, PG_REFERENCED)) referenced++;
  let left = pages.mapCount(frame);
  if (left <= 0 || pages.mapping[frame] === 0) return referenced;
  const anon = (pages.flags[frame]! & PG_ANON) !== 0;
  const index = pages.index[frame]!;
  const vmas = anon
    ? k.anonVma(pages.mapping[frame]!).vmas
    : k.addressSpace(pages.mapping[frame]!).iMmap;
  const costs = k.costs;
  let ns = 0;
  for (let i = 0; i < vmas.length && left > 0; i++) {
    const vma = vmas[i]!;
    const vpn = vma.addressOf(index);
    if (vpn < 0) continue;
    if (!anon && (vma.flags & (VM_LOCKED | VM_MAYSHARE)) === (VM_LOCKED | VM_MAYSHARE)) {
      referenced++;
      break;
    }
    ns += costs.pteScanNs;
    if (!mapsFrame(vma.mm, vpn, frame)) continue;
    if (vma.mm.pageTable.testAndClear(vpn, PTE_ACCESSED)) {
      referenced++;
      ns += costs.tlbFlushPageNs;
      k.hooks.youngCleared?.(vma.mm, vpn, frame);
    }
    // Pretend the page is referenced if its mm holds the swap token and is in the middle of
    // a page fault (§A2, §A9).
    const mm = vma.mm;
    if (mm === k.swapToken.mm && mm.faultsInProgress > 0 && mm !== k.current?.mm) referenced++;
    left--;
  }
  k.chargeSystem(ns);
  return referenced;
}
