/**
 * Per-context resource limits as Linux-VServer 2.0 keeps them (§E): for each resource a
 * current value (rcur), a watermark (rmax), a limit (rlim) and a hit counter (lhit).
 */

/** No limit (the kernel's RLIM_INFINITY); shown as -1 in /proc/virtual/<xid>/limit. */
export const RLIM_INFINITY = Number.POSITIVE_INFINITY;

/** The rows of /proc/virtual/<xid>/limit, in the kernel's order. */
export const VX_RESOURCES = [
  'PROC',
  'VM',
  'VML',
  'RSS',
  'ANON',
  'FILES',
  'OFD',
  'LOCKS',
  'SOCK',
  'MSGQ',
  'SHM',
  'SEMA',
  'SEMS',
] as const;

export type VxResource = (typeof VX_RESOURCES)[number];

/** The resources this package accounts; the others stay at 0 (their limits can be set). */
export const VX_MODELLED: readonly VxResource[] = ['PROC', 'VM', 'VML', 'RSS', 'ANON', 'SHM'];

/** One resource of one context. Memory resources count pages, PROC counts tasks. */
export class VxLimit {
  /** rcur. */
  cur = 0;
  /** rmax: the highest `cur` seen. */
  max = 0;
  /** rlim; RLIM_INFINITY for none. */
  lim = RLIM_INFINITY;
  /** lhit: checks refused because the limit would be exceeded. */
  hits = 0;

  /** Sets the current value, raising the watermark if it is passed. */
  set(value: number): void {
    this.cur = value;
    if (value > this.max) this.max = value;
  }

  /**
   * The limit check of §E for `n` more units: update rmax if rcur > rmax; OK if unlimited
   * or rcur + n ≤ rlim; else lhit++ and fail.
   */
  check(n: number): boolean {
    if (this.cur > this.max) this.max = this.cur;
    if (this.lim === RLIM_INFINITY || this.cur + n <= this.lim) return true;
    this.hits++;
    return false;
  }
}

/** A copy of one resource's counters. */
export interface VxLimitValues {
  readonly cur: number;
  readonly max: number;
  readonly lim: number;
  readonly hits: number;
}
