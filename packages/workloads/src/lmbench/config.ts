/**
 * lmbench 3's configuration as `scripts/config-run` answers it and `scripts/lmbench` uses it
 * (reference §F): MB, the HALF and ALL size lists, and lat_mem_rd's range steps.
 */
import { LmbenchConfigError } from './errors.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** The answers of config-run that shape the run. */
export interface LmbenchConfig {
  /** MB: the memory range of the memory benchmarks, MiB. */
  readonly mb: number;
  /** MemTotal as config-run read it from /proc/meminfo, MiB. */
  readonly totalMb: number;
  /** SYNC_MAX (MULTIPLE COPIES): 1 on the paper's runs. */
  readonly syncMax: number;
  /** FASTMEM: lat_mem_rd with the 128-byte stride only. */
  readonly fastmem: boolean;
  /** SLOWFS: skip lat_fs. */
  readonly slowfs: boolean;
  /** ENOUGH: the timing interval of each measurement, µs. */
  readonly enoughUs: number;
  /** LINE_SIZE in bytes (par_mem and tlb's -L). */
  readonly lineSize: number;
  /** HALF and ALL as size strings, in lmbench's order. */
  readonly half: readonly string[];
  readonly all: readonly string[];
}

/**
 * MB as config-run computes it: MemTotal (kB) / 1024, times 7/10 (integer arithmetic, as
 * `bc`/`expr` do), or the given answer; then the checks: memsize may only shrink it to what
 * can be allocated (at most MemTotal); with SYNC_MAX copies that do not fit, MemTotal /
 * SYNC_MAX / 2; fewer than 8 MB aborts the run.
 */
export function configRunMb(memTotalKb: number, answer?: number, syncMax = 1): number {
  if (!Number.isSafeInteger(memTotalKb) || memTotalKb <= 0) {
    throw new LmbenchConfigError(`MemTotal must be a positive number of kB, got ${memTotalKb}`);
  }
  const total = Math.floor(memTotalKb / 1024);
  let mb = answer !== undefined && answer > 0 ? Math.floor(answer) : Math.floor((total * 7) / 10);
  // memsize: the largest size up to MB that can be malloc'd and touched (never above RAM).
  mb = Math.min(mb, total);
  if (syncMax * mb > total) mb = Math.floor(Math.floor(total / syncMax) / 2);
  if (mb < 8) throw new LmbenchConfigError(`aborted: not enough memory, only ${mb}MB available`);
  return mb;
}

/**
 * The HALF and ALL lists of scripts/lmbench: HALF = 512 1k … 1m, ALL = HALF 2m; then for
 * i = 4, 8, … ≤ MB, ALL gains "i m" and HALF "i/2 m".
 */
export function sizeLists(mb: number): { half: string[]; all: string[] } {
  const half = ['512', '1k', '2k', '4k', '8k', '16k', '32k', '64k', '128k', '256k', '512k', '1m'];
  const all = [...half, '2m'];
  for (let i = 4; i <= mb; i *= 2) {
    all.push(`${i}m`);
    half.push(`${i / 2}m`);
  }
  return { half, all };
}

/** lmbench's bytes(): a number with an optional k or m suffix (×1024, ×1024²). */
export function parseSize(s: string): number {
  const m = /^(\d+)([kKmM]?)$/.exec(s);
  if (m === null) throw new LmbenchConfigError(`not a size: ${JSON.stringify(s)}`);
  const n = Number(m[1]);
  const suffix = m[2]!.toLowerCase();
  return suffix === 'k' ? n * KIB : suffix === 'm' ? n * MIB : n;
}

/** lat_mem_rd's step(): the next range after `k` bytes. */
export function latMemRdStep(k: number): number {
  if (k < 1024) return k * 2;
  if (k < 4 * KIB) return k + KIB;
  if (k < 32 * KIB) return k + 2 * KIB;
  if (k < 64 * KIB) return k + 4 * KIB;
  if (k < 128 * KIB) return k + 8 * KIB;
  if (k < 256 * KIB) return k + 16 * KIB;
  if (k < 512 * KIB) return k + 32 * KIB;
  if (k < 4 * MIB) return k + 512 * KIB;
  if (k < 8 * MIB) return k + MIB;
  if (k < 20 * MIB) return k + 2 * MIB;
  return k + 10 * MIB;
}

/** The ranges lat_mem_rd measures for `mb`: from LOWER = 512 bytes by step() while ≤ mb MiB. */
export function latMemRdRanges(mb: number): number[] {
  const len = mb * MIB;
  const out: number[] = [];
  for (let range = 512; range <= len; range = latMemRdStep(range)) out.push(range);
  return out;
}

/** The strides scripts/lmbench passes to lat_mem_rd: 128 with FASTMEM, else 16 … 1024. */
export function latMemRdStrides(fastmem: boolean): number[] {
  return fastmem ? [128] : [16, 32, 64, 128, 256, 512, 1024];
}

/** MemTotal (kB) from a /proc/meminfo text, as config-run greps it. */
export function memTotalKb(meminfo: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  if (m === null) throw new LmbenchConfigError('no MemTotal line in /proc/meminfo');
  return Number(m[1]);
}
