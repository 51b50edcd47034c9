/**
 * The paper's published figures (Kim & Noh 2007, "Implementation and experiments"), to set
 * our results beside. Times in seconds.
 */

/** One row of the paper's Table 3. */
export interface PaperTable3Row {
  readonly vms: number;
  readonly workload: 'lmbench-mem' | 'kernel-compile';
  /** Linux + VServer, mean of 5 runs. */
  readonly withoutSec: number;
  /** + CvHRC. */
  readonly withSec: number;
  /** The overhead per VServer as printed. */
  readonly overheadPct: number;
}

const mmss = (m: number, s: number): number => m * 60 + s;

/** Table 3 as printed. */
export const PAPER_TABLE3: readonly PaperTable3Row[] = [
  {
    vms: 1,
    workload: 'lmbench-mem',
    withoutSec: mmss(5, 28),
    withSec: mmss(5, 45),
    overheadPct: 5.2,
  },
  {
    vms: 1,
    workload: 'kernel-compile',
    withoutSec: mmss(6, 27),
    withSec: mmss(6, 33),
    overheadPct: 1.6,
  },
  {
    vms: 2,
    workload: 'lmbench-mem',
    withoutSec: mmss(10, 19),
    withSec: mmss(10, 53),
    overheadPct: 5.5,
  },
  {
    vms: 2,
    workload: 'kernel-compile',
    withoutSec: mmss(8, 32),
    withSec: mmss(8, 51),
    overheadPct: 5.7,
  },
  {
    vms: 3,
    workload: 'lmbench-mem',
    withoutSec: mmss(20, 43),
    withSec: mmss(22, 12),
    overheadPct: 7.2,
  },
  {
    vms: 3,
    workload: 'kernel-compile',
    withoutSec: mmss(12, 16),
    withSec: mmss(13, 8),
    overheadPct: 7.1,
  },
];

/**
 * The paper's Table 2: 169 KB static per VM, 40 B per LRU-list node, about 500 KB per VM
 * with an 8192-page scan list and about 7.5 MB for 15 VMs.
 */
export const PAPER_TABLE2 = {
  staticBytes: 169 * 1024,
  bytesPerNode: 40,
  perVmBytes: 500 * 1024,
  vms: 15,
  totalBytes: 7.5 * 1024 * 1024,
} as const;

/** Where the paper saw thrashing or starvation begin (VMs). */
export const PAPER_THRASHING = { 'lmbench-mem': 4, 'kernel-compile': 5 } as const;

/**
 * The overhead formula read from Table 3: (with − without) / without × 100, per row — the
 * "per VServer" column is this ratio for the whole set, not divided by the number of VMs
 * (1 VM Lmbench-Mem: (345 − 328) / 328 = 5.2 %; 3 VMs: (1332 − 1243) / 1243 = 7.2 %).
 * The 2-VM kernel-compile row does not follow it ((531 − 512) / 512 = 3.7 %, printed 5.7 %).
 */
export function overheadPct(withoutSec: number, withSec: number): number {
  return ((withSec - withoutSec) / withoutSec) * 100;
}

/** Formats seconds as the paper does: 5'28". */
export function formatMinSec(sec: number): string {
  const total = Math.round(sec);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}'${String(s).padStart(2, '0')}"`;
}
