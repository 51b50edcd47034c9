/** The event counters of /proc/vmstat that the emulation maintains (2.6.17 page_state). */
export class VmStat {
  /** KB read from and written to the disk for pages. */
  pgpgin = 0;
  pgpgout = 0;
  /** Pages allocated from each zone (pgalloc_dma, pgalloc_normal, pgalloc_high). */
  readonly pgalloc: number[] = [0, 0, 0];
  pgfree = 0;
  pgactivate = 0;
  pgdeactivate = 0;
  /** Every handle_mm_fault (pgfault) and the major ones (pgmajfault). */
  pgfault = 0;
  pgmajfault = 0;
  /** Pages read from and written to swap. */
  pswpin = 0;
  pswpout = 0;
  /** Per zone: active pages scanned (pgrefill), inactive pages scanned by kswapd and by
   * direct reclaim, and pages reclaimed (pgsteal). */
  readonly pgrefill: number[] = [0, 0, 0];
  readonly pgscanKswapd: number[] = [0, 0, 0];
  readonly pgscanDirect: number[] = [0, 0, 0];
  readonly pgsteal: number[] = [0, 0, 0];
  kswapdSteal = 0;
  /** Pages rotated to the inactive tail when their reclaim write finished. */
  pgrotated = 0;
  /** kswapd passes (balance_pgdat loops). */
  pageoutrun = 0;
  /** Direct reclaims (try_to_free_pages calls). */
  allocstall = 0;
  /** Tasks killed by the OOM killer. */
  oomKill = 0;
}
