/**
 * msync of 2.6.17 (mm/msync.c): for each VMA in the range, a shared file mapping's dirty
 * PTEs are cleaned and their pages set dirty (msync_pte_range: ptep_clear_flush_dirty,
 * set_page_dirty); with MS_SYNC the file is then synced (do_fsync → filemap_fdatawrite and
 * filemap_fdatawait: every dirty page of the file written through writepage, as disk I/O in
 * simulated time, and waited for). MS_ASYNC only moves the dirty bits: the pages are left
 * dirty for later writeback (balance_dirty_pages_ratelimited is a no-op here — there is no
 * pdflush or dirty throttling). Private and anonymous mappings have nothing to write.
 */
import { PTE_DIRTY, PTE_PRESENT } from '@cvhrc/hw';
import { SyscallError } from './errors.js';
import { findPage, type AddressSpace } from './filemap.js';
import type { Kernel } from './kernel.js';
import { putPage } from './lru.js';
import { VM_SHARED, type MmStruct, type Vma } from './mm.js';
import { PG_DIRTY, PG_LOCKED, PG_RESERVED, PG_WRITEBACK } from './page.js';
import { clearPageDirty, filemapWritepage, setPageDirty } from './writeback.js';

/** msync flags (asm-i386/mman.h). */
export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

/**
 * msync_page_range over [start, end) of a shared file VMA: each present dirty PTE is made
 * clean (one TLB flush each) and its page set dirty. Returns the pages newly dirtied.
 */
function msyncPageRange(k: Kernel, vma: Vma, start: number, end: number): number {
  const pages = k.pages;
  let dirtied = 0;
  let cleaned = 0;
  const scanned = vma.mm.pageTable.walk(start, end - start, (_vpn, pte) => {
    if ((pte & PTE_PRESENT) === 0 || (pte & PTE_DIRTY) === 0) return undefined;
    const frame = pte >>> 12;
    if (pages.flags[frame]! & PG_RESERVED) return undefined; // vm_normal_page
    cleaned++;
    if ((pages.flags[frame]! & PG_DIRTY) === 0) dirtied++;
    setPageDirty(k, frame);
    return (pte & ~PTE_DIRTY) >>> 0;
  });
  k.chargeSystem(scanned * k.costs.pteScanNs + cleaned * k.costs.tlbFlushPageNs);
  return dirtied;
}

/**
 * do_fsync of a file: filemap_fdatawrite (WB_SYNC_ALL — each dirty page locked, waited on
 * if under writeback, cleaned for I/O and written) then filemap_fdatawait (every page under
 * writeback waited for). shmem has no writeback (BDI_CAP_NO_WRITEBACK): nothing is written.
 * Returns the pages written.
 */
function fsyncMapping(k: Kernel, as: AddressSpace): number {
  if (as.kind !== 'file') return 0;
  const pages = k.pages;
  const held: number[] = [];
  let written = 0;
  for (let index = 0; index < as.sizePages; index++) {
    const frame = findPage(k, as.id, index);
    if (frame < 0 || (pages.flags[frame]! & (PG_DIRTY | PG_WRITEBACK)) === 0) continue;
    pages.count[frame]!++;
    held.push(frame);
    if ((pages.flags[frame]! & PG_DIRTY) === 0) continue; // only waited for
    k.waitOnPage(frame, PG_LOCKED | PG_WRITEBACK);
    if (pages.mapping[frame] !== as.id || (pages.flags[frame]! & PG_DIRTY) === 0) continue;
    pages.set(frame, PG_LOCKED);
    clearPageDirty(k, frame);
    filemapWritepage(k, frame); // PG_writeback, unlocked; completes on the disk
    written++;
  }
  for (const frame of held) k.waitOnPage(frame, PG_WRITEBACK);
  for (const frame of held) putPage(k, frame);
  return written;
}

/**
 * sys_msync over pages [start, start + len) of `mm`. EINVAL: unknown flags, or MS_ASYNC
 * with MS_SYNC, or a start that is not a page number; ENOMEM: a negative length (the
 * range wraps), or part of the range not mapped — the mapped parts are still synced, and
 * the error is returned at the end, as the kernel does. (EBUSY, MS_INVALIDATE on a
 * VM_LOCKED mapping, cannot happen: there is no mlock.) Returns the pages written by
 * MS_SYNC (the system call itself returns 0).
 */
export function sysMsync(
  k: Kernel,
  mm: MmStruct,
  start: number,
  len: number,
  flags: number,
): number {
  if (!Number.isSafeInteger(flags) || flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) {
    throw new SyscallError('msync', 'EINVAL', `flags 0x${flags.toString(16)}`);
  }
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new SyscallError('msync', 'EINVAL', `start ${start}`);
  }
  if (flags & MS_ASYNC && flags & MS_SYNC) {
    throw new SyscallError('msync', 'EINVAL', 'MS_ASYNC with MS_SYNC');
  }
  if (!Number.isSafeInteger(len) || len < 0) {
    throw new SyscallError('msync', 'ENOMEM', `length ${len}`);
  }
  const end = start + len;
  if (end === start) return 0;
  let vma = mm.findVma(start);
  if (vma === null) throw new SyscallError('msync', 'ENOMEM', `page ${start} is not mapped`);
  let unmapped = -1;
  let done = false;
  let written = 0;
  let at = start;
  while (vma !== null && !done) {
    if (at < vma.start) {
      if (unmapped < 0) unmapped = at;
      at = vma.start;
    }
    const stop = Math.min(end, vma.end);
    done = end <= vma.end;
    const file = vma.file;
    const shared = file !== null && (vma.flags & VM_SHARED) !== 0;
    if (at < stop && shared) msyncPageRange(k, vma, at, stop);
    at = vma.end;
    if (flags & MS_SYNC && shared) written += fsyncMapping(k, file);
    vma = done ? null : mm.findVma(at);
  }
  if (!done && unmapped < 0) unmapped = at;
  if (unmapped >= 0) {
    throw new SyscallError('msync', 'ENOMEM', `page ${unmapped} is not mapped`);
  }
  return written;
}
