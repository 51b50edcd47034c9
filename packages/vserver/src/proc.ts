/**
 * /proc/virtual/<xid>/{info,status,limit,hrc}: the text views of a context, read as some
 * task. A guest task sees its own context only (any other reads as ENOENT, as if it did not
 * exist); a host task (xid 0) sees every context. `hrc` exists only on a host with CvHRC.
 */
import type { Task } from '@cvhrc/mm';
import type { VxContext } from './context.js';
import { VxError } from './errors.js';
import type { VServerHost } from './host.js';
import { RLIM_INFINITY, VX_RESOURCES } from './limit.js';
import { XID_HOST } from './host.js';
import type { HrcResult } from './tracking.js';

/** The files of /proc/virtual/<xid>/ (`hrc` only with CvHRC). */
export const PROC_VIRTUAL_FILES = ['info', 'status', 'limit', 'hrc'] as const;
export type ProcVirtualFile = (typeof PROC_VIRTUAL_FILES)[number];

const PATH = /^\/proc\/virtual\/(\d+)\/([a-z]+)$/;

/** Reads `/proc/virtual/<xid>/<file>` as `reader`. */
export function readProcVirtual(host: VServerHost, reader: Task, path: string): string {
  const m = PATH.exec(path);
  const file = m?.[2] as ProcVirtualFile | undefined;
  if (m === null || file === undefined || !PROC_VIRTUAL_FILES.includes(file)) {
    throw new VxError('open', 'ENOENT', path);
  }
  const xid = Number(m[1]);
  const own = host.xidOf(reader);
  const ctx = host.context(xid);
  if (ctx === undefined || (own !== XID_HOST && own !== xid)) {
    throw new VxError('open', 'ENOENT', path);
  }
  if (file === 'hrc') {
    if (!host.tracking) throw new VxError('open', 'ENOENT', path);
    return procVirtualHrc(host.hrc(xid));
  }
  ctx.refresh();
  if (file === 'info') return procVirtualInfo(ctx);
  if (file === 'status') return procVirtualStatus(ctx);
  return procVirtualLimit(ctx);
}

/** info: the xid and the pid of the context's init. */
export function procVirtualInfo(ctx: VxContext): string {
  return `ID:\t${ctx.xid}\nInit:\t${ctx.initPid}\n`;
}

/** status: use count (tasks + address spaces charged) and tasks. */
export function procVirtualStatus(ctx: VxContext): string {
  return `UseCnt:\t${ctx.tasks.size + ctx.mms.size}\nTasks:\t${ctx.tasks.size}\n`;
}

const col = (v: number, width: number): string =>
  (v === RLIM_INFINITY ? '-1' : String(v)).padStart(width);

/**
 * limit: one row per resource (PROC … SEMS), columns current, max (watermark), limit
 * (-1: unlimited), hits. Memory rows count pages.
 */
export function procVirtualLimit(ctx: VxContext): string {
  let out = '';
  for (const r of VX_RESOURCES) {
    const l = ctx.limit(r);
    out += `${`${r}:`.padEnd(6)}\t${col(l.cur, 10)}\t${col(l.max, 10)}\t${col(l.lim, 10)}\t${col(l.hits, 6)}\n`;
  }
  return out;
}

/**
 * hrc: the context's measured curve over the current window — page need, accesses and
 * misses, the tracker's work counters, its space — then one line per group end: pages and
 * hit ratio. With the oracle on, the exact curve's need and the MAE between the two.
 */
export function procVirtualHrc(r: HrcResult): string {
  const c = r.counters;
  let out =
    `PageNeed:\t${r.pageNeed}\n` +
    `Entities:\t${r.entities}\n` +
    `Accesses:\t${r.hits.accesses}\n` +
    `Misses:\t${r.hits.misses}\n` +
    `Window:\t${((r.nowNs - r.sinceNs) / 1e9).toFixed(3)} s\n` +
    `FakeFaults:\t${c.fakeFaults}\n` +
    `Scans:\t${c.scans}\n` +
    `EntitiesScanned:\t${c.entitiesScanned}\n` +
    `PtesScanned:\t${c.ptesScanned}\n` +
    `TlbFlushes:\t${c.tlbFlushes}\n` +
    `ListOps:\t${c.listOps}\n` +
    `Untracked:\t${c.untracked}\n` +
    `TrackingNs:\t${Math.round(c.trackingNs)}\n` +
    `SpaceBytes:\t${r.space.totalBytes}\n`;
  if (r.oracle !== undefined) {
    out += `ExactPageNeed:\t${r.oracle.pageNeed}\nMAE:\t${r.oracle.mae.toFixed(4)}\n`;
  }
  out += 'Pages\tHitRatio\n';
  for (let i = 0; i < r.curve.length; i++) {
    out += `${r.curve.size(i)}\t${r.curve.hitRatio(i).toFixed(4)}\n`;
  }
  return out;
}
