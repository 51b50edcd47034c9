/**
 * The OOM killer of 2.6.17 (mm/oom_kill.c, §A8): badness(), select_bad_process and
 * oom_kill_process (a child with its own mm first).
 */
import type { Kernel } from './kernel.js';
import { HZ } from './swap.js';
import type { Task } from './task.js';
import { intSqrt } from './zone.js';

/** oomkilladj that exempts a task. */
export const OOM_DISABLE = -17;
/** SHIFT_HZ for HZ = 250: cpu_time is counted in units of 2^(8+3) jiffies (~8 s). */
const SHIFT_HZ = 8;

/**
 * badness (§A8): total_vm; + total_vm/2 + 1 of each child with its own mm; ÷ isqrt(cpu
 * time in ~8 s units); ÷ isqrt(isqrt(run time in ~17 min units)); ×2 if niced; ÷4 for root
 * or CAP_SYS_ADMIN; ÷4 for CAP_SYS_RAWIO; shifted by oomkilladj.
 */
export function badness(
  k: Kernel,
  p: Task,
  uptimeSec: number = Math.floor(k.clock.now / 1e9),
): number {
  const mm = p.mm;
  if (mm === null) return 0;
  let points = mm.totalVm;
  for (const child of k.tasks()) {
    if (child.parentPid !== p.pid) continue;
    if (child.mm !== null && child.mm !== mm) points += Math.floor(child.mm.totalVm / 2) + 1;
  }
  const toJiffies = (ns: number): number => Math.floor(ns / (1e9 / HZ));
  const cpuTime = (toJiffies(p.utimeNs) + toJiffies(p.stimeNs)) >>> (SHIFT_HZ + 3);
  const startSec = Math.floor(p.startTimeNs / 1e9);
  const runTime = uptimeSec >= startSec ? (uptimeSec - startSec) >>> 10 : 0;
  let s = intSqrt(cpuTime);
  if (s) points = Math.floor(points / s);
  s = intSqrt(intSqrt(runTime));
  if (s) points = Math.floor(points / s);
  if (p.nice > 0) points *= 2;
  if (p.uid === 0 || p.capSysAdmin) points = Math.floor(points / 4);
  if (p.capSysRawio) points = Math.floor(points / 4);
  if (p.oomkilladj > 0) points *= 2 ** p.oomkilladj;
  else if (p.oomkilladj < 0) points = Math.floor(points / 2 ** -p.oomkilladj);
  return points;
}

/** What select_bad_process found. */
export type OomChoice = { readonly task: Task; readonly points: number } | 'releasing' | null;

/**
 * select_bad_process: the task with the highest badness, skipping pid 1 and OOM_DISABLE
 * tasks; 'releasing' when a task already chosen is still dying.
 */
export function selectBadProcess(k: Kernel): OomChoice {
  let chosen: Task | null = null;
  let max = 0;
  const uptime = Math.floor(k.clock.now / 1e9);
  for (const p of k.tasks()) {
    if (p.pid === 1 || p.oomkilladj === OOM_DISABLE || p.mm === null) continue;
    if (p.memdie) return 'releasing';
    const points = badness(k, p, uptime);
    if (points > max || chosen === null) {
      chosen = p;
      max = points;
    }
  }
  return chosen === null ? null : { task: chosen, points: max };
}

/** oom_kill_task: kills `p` (and every task sharing its mm); false if it has no mm. */
function oomKillTask(k: Kernel, p: Task): boolean {
  const mm = p.mm;
  if (mm === null) return false;
  for (const q of k.tasks()) if (q.mm === mm) k.oomKill(q);
  return true;
}

/**
 * out_of_memory → oom_kill_process (§A8): kills a child of the chosen task that has its own
 * mm if there is one, else the task. Returns the task killed, 'releasing' when an earlier
 * victim is still dying, or null when there is nothing to kill.
 */
export function outOfMemory(k: Kernel): Task | 'releasing' | null {
  const choice = selectBadProcess(k);
  if (choice === null || choice === 'releasing') return choice;
  const p = choice.task;
  for (const c of k.tasks()) {
    if (c.parentPid !== p.pid || c.mm === p.mm) continue;
    if (oomKillTask(k, c)) return c;
  }
  return oomKillTask(k, p) ? p : null;
}
