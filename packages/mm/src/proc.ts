/**
 * /proc views, printed as 2.6.17 prints them: /proc/meminfo (fs/proc/proc_misc.c),
 * /proc/vmstat (the page_state counters of mm/page_alloc.c), /proc/zoneinfo (abridged),
 * /proc/<pid>/status (its memory lines) and /proc/<pid>/statm (fs/proc/task_mmu.c).
 * Counters of parts not emulated (buffers, slab, vmalloc, bounce, inode steal) are 0.
 */
import type { Kernel } from './kernel.js';
import { VM_SHARED, VM_WRITE } from './mm.js';
import type { Task } from './task.js';
import { ZONE_DMA, ZONE_HIGHMEM, ZONE_NORMAL } from './zone.js';

const kb = (pages: number): number => pages * 4;
const field = (label: string, value: number): string =>
  `${label.padEnd(14)}${String(value).padStart(8)} kB\n`;

/** vm.overcommit_ratio (CommitLimit). */
const OVERCOMMIT_RATIO = 50;

/** Committed_AS: pages of private writable mappings (VM_ACCOUNT) of every mm. */
function committedPages(k: Kernel): number {
  let n = 0;
  for (const mm of k.mms()) {
    for (const vma of mm.vmas) {
      if ((vma.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE) n += vma.pages;
    }
  }
  return n;
}

/** /proc/meminfo of 2.6.17 (i386 with CONFIG_HIGHMEM). */
export function procMeminfo(k: Kernel): string {
  let active = 0;
  let inactive = 0;
  for (const z of k.zones) {
    active += z.nrActive;
    inactive += z.nrInactive;
  }
  const totalram = k.pages.frameCount - k.reservedPages;
  const high = k.zones[ZONE_HIGHMEM]!;
  const highTotal = high.presentPages;
  let pageTables = 0;
  for (const mm of k.mms()) pageTables += mm.pageTable.tableCount;
  return (
    field('MemTotal:', kb(totalram)) +
    field('MemFree:', kb(k.freePages)) +
    field('Buffers:', 0) +
    field('Cached:', kb(k.nrPagecache)) +
    field('SwapCached:', kb(k.nrSwapcache)) +
    field('Active:', kb(active)) +
    field('Inactive:', kb(inactive)) +
    field('HighTotal:', kb(highTotal)) +
    field('HighFree:', kb(high.freePages)) +
    field('LowTotal:', kb(totalram - highTotal)) +
    field('LowFree:', kb(k.freePages - high.freePages)) +
    field('SwapTotal:', kb(k.totalSwapPages)) +
    field('SwapFree:', kb(k.freeSwapPages)) +
    field('Dirty:', kb(k.nrDirty)) +
    field('Writeback:', kb(k.nrWriteback)) +
    field('Mapped:', kb(k.nrMapped)) +
    field('Slab:', 0) +
    field('CommitLimit:', kb(Math.floor((totalram * OVERCOMMIT_RATIO) / 100) + k.totalSwapPages)) +
    field('Committed_AS:', kb(committedPages(k))) +
    field('PageTables:', kb(pageTables)) +
    field('VmallocTotal:', 0) +
    field('VmallocUsed:', 0) +
    field('VmallocChunk:', 0)
  );
}

/** /proc/vmstat of 2.6.17: one `name value` line per page_state counter. */
export function procVmstat(k: Kernel): string {
  const v = k.vm;
  let pageTables = 0;
  for (const mm of k.mms()) pageTables += mm.pageTable.tableCount;
  // Per-zone counters in the kernel's order: high, normal, dma32 (empty on i386), dma.
  const zoned = (name: string, a: readonly number[]): [string, number][] => [
    [`${name}_high`, a[ZONE_HIGHMEM]!],
    [`${name}_normal`, a[ZONE_NORMAL]!],
    [`${name}_dma32`, 0],
    [`${name}_dma`, a[ZONE_DMA]!],
  ];
  const rows: [string, number][] = [
    ['nr_dirty', k.nrDirty],
    ['nr_writeback', k.nrWriteback],
    ['nr_unstable', 0],
    ['nr_page_table_pages', pageTables],
    ['nr_mapped', k.nrMapped],
    ['nr_slab', 0],
    ['pgpgin', v.pgpgin],
    ['pgpgout', v.pgpgout],
    ['pswpin', v.pswpin],
    ['pswpout', v.pswpout],
    ...zoned('pgalloc', v.pgalloc),
    ['pgfree', v.pgfree],
    ['pgactivate', v.pgactivate],
    ['pgdeactivate', v.pgdeactivate],
    ['pgfault', v.pgfault],
    ['pgmajfault', v.pgmajfault],
    ...zoned('pgrefill', v.pgrefill),
    ...zoned('pgsteal', v.pgsteal),
    ...zoned('pgscan_kswapd', v.pgscanKswapd),
    ...zoned('pgscan_direct', v.pgscanDirect),
    ['pginodesteal', 0],
    ['slabs_scanned', 0],
    ['kswapd_steal', v.kswapdSteal],
    ['kswapd_inodesteal', 0],
    ['pageoutrun', v.pageoutrun],
    ['allocstall', v.allocstall],
    ['pgrotated', v.pgrotated],
    ['nr_bounce', 0],
  ];
  return rows.map(([name, value]) => `${name} ${value}\n`).join('');
}

/** /proc/zoneinfo, abridged to the fields the emulation keeps (2.6.17 layout). */
export function procZoneinfo(k: Kernel): string {
  let out = '';
  for (const z of k.zones) {
    out +=
      `Node 0, zone ${z.name.padStart(8)}\n` +
      `  pages free     ${z.freePages}\n` +
      `        min      ${z.pagesMin}\n` +
      `        low      ${z.pagesLow}\n` +
      `        high     ${z.pagesHigh}\n` +
      `        active   ${z.nrActive}\n` +
      `        inactive ${z.nrInactive}\n` +
      `        scanned  ${z.pagesScanned} (a: ${z.nrScanActive} i: ${z.nrScanInactive})\n` +
      `        spanned  ${z.spannedPages}\n` +
      `        present  ${z.presentPages}\n` +
      `        protection: (${Array.from(z.lowmemReserve).join(', ')})\n` +
      `  all_unreclaimable: ${z.allUnreclaimable ? 1 : 0}\n` +
      `  prev_priority:     ${z.prevPriority}\n` +
      `  temp_priority:     ${z.tempPriority}\n` +
      `  start_pfn:         ${z.startPfn}\n`;
  }
  return out;
}

/**
 * The memory lines of /proc/<pid>/status (task_mem of 2.6.17), after Name, State, Tgid,
 * Pid and PPid. Text and library sizes are not tracked apart: VmExe is 0 and VmLib holds
 * every executable file mapping.
 */
export function procPidStatus(k: Kernel, task: Task): string {
  const mm = task.mm;
  let out =
    `Name:\t${task.comm}\n` +
    `State:\t${mm === null && !k.task(task.pid) ? 'X (dead)' : 'R (running)'}\n` +
    `Tgid:\t${task.pid}\nPid:\t${task.pid}\nPPid:\t${task.parentPid}\nTracerPid:\t0\n` +
    `Uid:\t${task.uid}\t${task.uid}\t${task.uid}\t${task.uid}\n`;
  if (mm !== null) {
    mm.updateHiwater();
    const line = (label: string, pages: number): string =>
      `${label}\t${String(kb(pages)).padStart(8)} kB\n`;
    out +=
      line('VmPeak:', mm.hiwaterVm) +
      line('VmSize:', mm.totalVm) +
      line('VmLck:', mm.lockedVm) +
      line('VmHWM:', mm.hiwaterRss) +
      line('VmRSS:', mm.rss) +
      line('VmData:', mm.totalVm - mm.sharedVm - mm.stackVm) +
      line('VmStk:', mm.stackVm) +
      line('VmExe:', 0) +
      line('VmLib:', mm.execVm) +
      `VmPTE:\t${String(mm.pageTable.tableCount * 4).padStart(8)} kB\n`;
  }
  return out + 'Threads:\t1\n';
}

/** /proc/<pid>/statm: size resident shared text lib data dt, in pages. */
export function procPidStatm(task: Task): string {
  const mm = task.mm;
  if (mm === null) return '0 0 0 0 0 0 0\n';
  return `${mm.totalVm} ${mm.rss} ${mm.fileRss} 0 0 ${mm.totalVm - mm.sharedVm} 0\n`;
}
