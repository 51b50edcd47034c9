import { access } from './mmu.js';
import { PageTable } from './pagetable.js';
import { makePte, PTE_PRESENT, PTE_RW, PTE_USER } from './pte.js';

/** Options of {@link benchMmu}. */
export interface MmuBenchOptions {
  /** Present pages in the table; default 524,288 (2 GiB of 4 KiB pages). */
  readonly pages?: number;
  /** Seed of the random order (a permutation of the pages). Default 1. */
  readonly seed?: number;
  /** Host time to spend on each of the two orders, in ms. Default 500. */
  readonly minTimeMs?: number;
  /** Write accesses instead of reads. Default false. */
  readonly write?: boolean;
  /** Host clock in ms; default `performance.now`. */
  readonly now?: () => number;
}

/** Result of {@link benchMmu}: host-side throughput of the MMU fast path. */
export interface MmuBenchResult {
  readonly pages: number;
  readonly write: boolean;
  /** Page accesses per second of host time, vpn 0, 1, 2, … */
  readonly sequentialPerSec: number;
  /** Page accesses per second of host time, in a seeded random permutation. */
  readonly randomPerSec: number;
}

/** mulberry32: a small seeded PRNG; returns a function giving uniform [0, 1). */
function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** One pass over vpn 0 … pages − 1; returns the sum of frames (negative on a fault). */
function passSequential(table: PageTable, pages: number, write: boolean): number {
  let sum = 0;
  for (let vpn = 0; vpn < pages; vpn++) sum += access(table, vpn, write);
  return sum;
}

/** One pass over the pages in `order`. */
function passOrdered(table: PageTable, order: Int32Array, write: boolean): number {
  let sum = 0;
  for (let i = 0; i < order.length; i++) sum += access(table, order[i]!, write);
  return sum;
}

function rate(pass: () => number, pages: number, minTimeMs: number, now: () => number) {
  // Warm up (JIT, and the accessed/dirty bits get set as in a steady state).
  for (let r = 0; r < 3; r++) {
    if (pass() < 0) throw new Error('benchMmu: unexpected fault');
  }
  let best = 0;
  const end = now() + minTimeMs;
  do {
    const t0 = now();
    let rounds = 0;
    do {
      if (pass() < 0) throw new Error('benchMmu: unexpected fault');
      rounds++;
    } while (now() - t0 < 50);
    const seconds = (now() - t0) / 1000;
    best = Math.max(best, (rounds * pages) / seconds);
  } while (now() < end);
  return best;
}

/**
 * Measures the MMU fast path on this host: builds a page table with `pages` present,
 * writable pages and calls {@link access} on every page, sequentially and in a seeded random
 * order, for `minTimeMs` each; reports the best 50 ms batch of each as page accesses per
 * second. Host time, not simulated time: a benchmark, not a test.
 */
export function benchMmu(options: MmuBenchOptions = {}): MmuBenchResult {
  const pages = options.pages ?? 524_288;
  const write = options.write ?? false;
  const minTimeMs = options.minTimeMs ?? 500;
  const now = options.now ?? (() => performance.now());
  if (!Number.isInteger(pages) || pages < 1 || pages > 1 << 20) {
    throw new RangeError(`benchMmu: pages must be an integer from 1 to ${1 << 20}, got ${pages}`);
  }
  const table = new PageTable(Math.ceil(pages / 1024));
  for (let vpn = 0; vpn < pages; vpn++) {
    table.set(vpn, makePte(vpn, PTE_PRESENT | PTE_RW | PTE_USER));
  }
  const random = new Int32Array(pages);
  for (let i = 0; i < pages; i++) random[i] = i;
  const rnd = mulberry32(options.seed ?? 1);
  for (let i = pages - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = random[i]!;
    random[i] = random[j]!;
    random[j] = t;
  }
  return {
    pages,
    write,
    sequentialPerSec: rate(() => passSequential(table, pages, write), pages, minTimeMs, now),
    randomPerSec: rate(() => passOrdered(table, random, write), pages, minTimeMs, now),
  };
}
